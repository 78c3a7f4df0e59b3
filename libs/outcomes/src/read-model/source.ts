/**
 * Where a query over the outcomes read model reads episodes, and which of them: the cohort filter,
 * defined once in TypeScript (`matchesFilter`) and generated as SQL (`filterSql`).
 */
import type { Queryable } from '@app/projections';
import { EpisodeOutcome } from '../episode-outcomes';
import { episodeRecords } from './episode-records';

export type { Queryable };

/** Bounds are instants; `…To` bounds are exclusive (callers turn a whole day into the next midnight). */
export interface CohortFilter {
  authority?: string;
  programme?: string;
  referredFrom?: string;
  referredBefore?: string;
  exitedFrom?: string;
  exitedBefore?: string;
}

/**
 * Where a query reads episodes: a table of `outcome_episodes`' shape (the live table unless
 * `relation` names another, e.g. a return's temporary table as at a position), or rows passed in.
 */
export type EpisodeSource =
  { kind: 'table'; relation?: string } | { kind: 'rows'; episodes: EpisodeOutcome[] };
export const LIVE: EpisodeSource = { kind: 'table' };

/** Whether a source is the live table (the only one the rollup sums). */
export const isLive = (source: EpisodeSource) =>
  source.kind === 'table' && source.relation === undefined;

const RELATION = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** A relation name to splice into SQL: named by code, never by a request, checked all the same. */
export function checkedRelation(relation: string): string {
  if (!RELATION.test(relation)) throw new Error(`not a relation name: ${relation}`);
  return relation;
}

/** The `FROM` item of a source, aliased `e`. */
export function fromSql(source: EpisodeSource, params: unknown[]): string {
  if (source.kind === 'table') {
    return `${checkedRelation(source.relation ?? 'outcome_episodes')} e`;
  }
  params.push(JSON.stringify(episodeRecords(source.episodes)));
  return `jsonb_populate_recordset(null::outcome_episodes, $${params.length}::jsonb) e`;
}

type Bound = 'eq' | 'from' | 'before';
/** The filter: each field, the episode value it bounds, and how. */
const FILTER: {
  field: keyof CohortFilter;
  column: string;
  value: (e: EpisodeOutcome) => string | null;
  bound: Bound;
}[] = [
  { field: 'authority', column: 'authority', value: (e) => e.authority, bound: 'eq' },
  { field: 'programme', column: 'programme', value: (e) => e.programme, bound: 'eq' },
  { field: 'referredFrom', column: 'referred_at', value: (e) => e.referredAt, bound: 'from' },
  { field: 'referredBefore', column: 'referred_at', value: (e) => e.referredAt, bound: 'before' },
  { field: 'exitedFrom', column: 'exited_at', value: (e) => e.exitedAt, bound: 'from' },
  { field: 'exitedBefore', column: 'exited_at', value: (e) => e.exitedAt, bound: 'before' },
];
const OP: Record<Bound, string> = { eq: '=', from: '>=', before: '<' };

/** The filter's clauses over `e`, its values appended to `params`. */
export function filterSql(filter: CohortFilter, params: unknown[]): string[] {
  return FILTER.filter((f) => filter[f.field]).map((f) => {
    params.push(filter[f.field]);
    return `e.${f.column} ${OP[f.bound]} $${params.length}`;
  });
}

/** The filter in TypeScript: what `filterSql` selects. */
export function matchesFilter(filter: CohortFilter, e: EpisodeOutcome): boolean {
  return FILTER.every((f) => {
    const want = filter[f.field];
    if (!want) return true;
    const have = f.value(e);
    if (have === null) return false;
    if (f.bound === 'eq') return have === want;
    const [a, b] = [Date.parse(have), Date.parse(want)];
    return f.bound === 'from' ? a >= b : a < b;
  });
}
