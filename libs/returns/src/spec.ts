/**
 * Return specs are versioned data (`specs/<id>.v<version>.json`), named `<id>/<version>`
 * (e.g. `fip-outcomes/1`). A spec chooses and orders the sections and tables, their titles and
 * cohorts, and the disclosure threshold; the measures behind each table `source` are code.
 */
import { COHORT_KINDS, CohortKind } from '@app/outcomes';
import fipOutcomesV1 from '../specs/fip-outcomes.v1.json';
import { DisclosureRule, checkRule } from './disclosure';

export const TABLE_SOURCES = [
  'cohort_accounting',
  'follow_ups_done',
  'inputs',
  'follow_up_on_time',
  'outcomes',
  'outcomes_one_year_on',
  'savings',
] as const;
export type TableSource = (typeof TABLE_SOURCES)[number];

export const SPEC_COHORTS = ['referred_in_period', 'exited_in_period', 'follow_ups_in_period'];
export type SpecCohort = 'referred_in_period' | 'exited_in_period' | 'follow_ups_in_period';

export interface TableSpec {
  id: string;
  title: string;
  source: TableSource;
  cohort: SpecCohort;
  outcomeCohort?: CohortKind;
}

export interface ReturnSpec {
  /** `<id>/<version>`, as requests name it. */
  name: string;
  id: string;
  version: number;
  title: string;
  disclosure: DisclosureRule;
  cohorts: Record<SpecCohort, string>;
  sections: { id: string; title: string; tables: TableSpec[] }[];
}

export class SpecInvalid extends Error {
  override readonly name = 'SpecInvalid';
}

const ID = /^[a-z][a-z0-9_-]*$/;

/** Checks a spec read as JSON; names the first thing wrong. */
export function parseSpec(raw: unknown): ReturnSpec {
  const fail = (m: string): never => {
    throw new SpecInvalid(`return spec: ${m}`);
  };
  const s = raw as Partial<ReturnSpec> | null;
  if (!s || typeof s !== 'object') return fail('must be an object');
  if (typeof s.id !== 'string' || !ID.test(s.id)) fail('id must be a lower-case code');
  if (!Number.isInteger(s.version) || s.version! < 1) fail('version must be a positive integer');
  if (typeof s.title !== 'string' || !s.title) fail('title is required');
  try {
    checkRule(s.disclosure as DisclosureRule);
  } catch (e) {
    fail((e as Error).message);
  }
  if (!Array.isArray(s.sections) || !s.sections.length) fail('sections must be a non-empty list');
  const ids = new Set<string>();
  for (const section of s.sections!) {
    if (!ID.test(section.id)) fail(`section id ${section.id} must be a lower-case code`);
    for (const t of section.tables ?? []) {
      if (!ID.test(t.id) || ids.has(t.id)) fail(`table id ${t.id} must be a unique code`);
      ids.add(t.id);
      if (!TABLE_SOURCES.includes(t.source)) fail(`table ${t.id}: unknown source ${t.source}`);
      if (!SPEC_COHORTS.includes(t.cohort)) fail(`table ${t.id}: unknown cohort ${t.cohort}`);
      if (t.source === 'outcomes' && !COHORT_KINDS.includes(t.outcomeCohort!)) {
        fail(`table ${t.id}: outcomeCohort must be one of ${COHORT_KINDS.join(', ')}`);
      }
    }
  }
  return { ...(s as ReturnSpec), name: `${s.id}/${s.version}` };
}

/** Every spec shipped, by name. */
export const SPECS: ReadonlyMap<string, ReturnSpec> = new Map(
  [fipOutcomesV1].map((raw) => {
    const spec = parseSpec(raw);
    return [spec.name, spec];
  }),
);

export const DEFAULT_SPEC = 'fip-outcomes/1';

export const specNamed = (name: string): ReturnSpec | undefined => SPECS.get(name);
