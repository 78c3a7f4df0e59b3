/**
 * Outcome domains are data: a versioned definitions file lists each domain with a predicate from a
 * small declarative vocabulary. NatCen's set ships with the code; an authority adds its own domains
 * by dropping another file into the configured directory (no code change).
 */
import { Env, loadConfig } from '@app/config';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ASSESSED_DOMAINS, DomainAssessment } from '@app/domain';
import natcen from '../definitions/natcen-2009.v1.json';

export type AssessmentField = Exclude<keyof DomainAssessment, 'evidenceSources'>;
/** The assessment's domain fields: the domain's list (`ASSESSED_DOMAINS`). */
export const ASSESSMENT_FIELDS: readonly AssessmentField[] = ASSESSED_DOMAINS;

/** Event types a domain may count in a window (facts that belong to a family's history). */
export const COUNTABLE_EVENTS = [
  'AsbIncidentRecorded',
  'HousingEnforcementAction',
  'OffenceRecorded',
  'SchoolExclusionRecorded',
] as const;
export type CountableEvent = (typeof COUNTABLE_EVENTS)[number];

/** A predicate over one field of a domain assessment. */
export type AssessmentPredicate =
  | { assessment: AssessmentField; op: 'count_eq' | 'count_gte' | 'gte' | 'eq'; value: number }
  | { assessment: AssessmentField; op: 'is_true' | 'is_false' };

/** At least `value` events of a type in the window. */
export interface EventCountPredicate {
  events: CountableEvent;
  op: 'count_gte';
  value: number;
}

/** Attended / possible sessions over the window below `value` (e.g. 0.9: persistent absence). */
export interface AttendancePredicate {
  attendance: 'rate_below';
  value: number;
}

export type Predicate = AssessmentPredicate | EventCountPredicate | AttendancePredicate;

/**
 * Windows of event-derived domains, by `occurredAt`: baseline is the `baselineDays` up to the
 * referral; exit (and latest) the `endDays` up to the exit (or the episode's latest step);
 * follow-up the `followUpDays` after the exit.
 */
export interface Window {
  baselineDays: number;
  endDays: number;
  followUpDays: number;
}

export interface OutcomeDomain {
  id: string;
  label: string;
  /** Whether fewer families with this condition is the better result (false for "no ASB"). */
  lowerIsBetter: boolean;
  predicate: Predicate;
  window?: Window;
  /** Which definitions file it came from: `<id>.v<version>`. */
  definedIn: string;
}

export interface OutcomeDefinitions {
  domains: OutcomeDomain[];
  /** The files that make up the set, e.g. `natcen-2009.v1`. */
  sources: string[];
  /** Changes whenever any domain does: read models record the set they were built with. */
  fingerprint: string;
}

/** Domain states are kept as bits of a 64-bit integer in the read model. */
export const MAX_DOMAINS = 62;

export class DefinitionsInvalid extends Error {
  override readonly name = 'DefinitionsInvalid';
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const ID = /^[a-z][a-z0-9_]{0,63}$/;
const FILE_ID = /^[a-z][a-z0-9_-]{0,63}$/;

/** Checks one definitions file (already parsed); `where` names it in error messages. */
export function parseDefinitionsFile(raw: unknown, where: string): OutcomeDomain[] {
  const fail = (message: string): never => {
    throw new DefinitionsInvalid(`${where}: ${message}`);
  };
  if (!isRecord(raw)) return fail('must be a JSON object');
  if (typeof raw.id !== 'string' || !FILE_ID.test(raw.id)) fail('id must be a lower-case code');
  if (!isCount(raw.version) || raw.version < 1) fail('version must be a positive integer');
  if (!Array.isArray(raw.domains) || raw.domains.length === 0) fail('domains must be a list');
  const definedIn = `${raw.id as string}.v${raw.version as number}`;
  return (raw.domains as unknown[]).map((d, i) => {
    const at = `domains[${i}]`;
    if (!isRecord(d)) return fail(`${at} must be an object`);
    if (typeof d.id !== 'string' || !ID.test(d.id)) fail(`${at}.id must be a lower-case code`);
    if (typeof d.label !== 'string' || !d.label) fail(`${at}.label must be text`);
    if (typeof d.lowerIsBetter !== 'boolean') fail(`${at}.lowerIsBetter must be true or false`);
    const predicate = parsePredicate(d.predicate, `${at}.predicate`, fail);
    const needsWindow = !('assessment' in predicate);
    let window: Window | undefined;
    if (needsWindow) {
      const w = d.window;
      if (!isRecord(w)) return fail(`${at}.window is needed by an event-derived predicate`);
      for (const k of ['baselineDays', 'endDays', 'followUpDays'] as const) {
        if (!isCount(w[k]) || w[k] < 1) fail(`${at}.window.${k} must be a positive integer`);
      }
      window = w as unknown as Window;
    } else if (d.window !== undefined) {
      fail(`${at}.window applies to event-derived predicates only`);
    }
    return {
      id: d.id as string,
      label: d.label as string,
      lowerIsBetter: d.lowerIsBetter as boolean,
      predicate,
      ...(window ? { window } : {}),
      definedIn,
    };
  });
}

function parsePredicate(p: unknown, at: string, fail: (m: string) => never): Predicate {
  if (!isRecord(p)) return fail(`${at} must be an object`);
  if ('assessment' in p) {
    if (!ASSESSMENT_FIELDS.includes(p.assessment as AssessmentField)) {
      fail(`${at}.assessment must be one of ${ASSESSMENT_FIELDS.join(', ')}`);
    }
    const field = p.assessment as AssessmentField;
    const kind = field === 'asbTypes' ? 'list' : field === 'housingEnforcementActions' ? 'n' : 'b';
    const ops: Record<string, string[]> = {
      list: ['count_eq', 'count_gte'],
      n: ['gte', 'eq'],
      b: ['is_true', 'is_false'],
    };
    if (!ops[kind].includes(p.op as string)) {
      fail(`${at}.op for ${field} must be one of ${ops[kind].join(', ')}`);
    }
    if (kind !== 'b' && !isCount(p.value)) fail(`${at}.value must be a whole number`);
    return (kind === 'b' ? { assessment: field, op: p.op } : p) as AssessmentPredicate;
  }
  if ('events' in p) {
    if (!COUNTABLE_EVENTS.includes(p.events as CountableEvent)) {
      fail(`${at}.events must be one of ${COUNTABLE_EVENTS.join(', ')}`);
    }
    if (p.op !== 'count_gte') fail(`${at}.op must be count_gte`);
    if (!isCount(p.value) || p.value < 1) fail(`${at}.value must be a positive whole number`);
    return { events: p.events as CountableEvent, op: 'count_gte', value: p.value as number };
  }
  if ('attendance' in p) {
    if (p.attendance !== 'rate_below') fail(`${at}.attendance must be rate_below`);
    const v = p.value;
    if (typeof v !== 'number' || !(v > 0 && v <= 1)) fail(`${at}.value must be in (0, 1]`);
    return { attendance: 'rate_below', value: v as number };
  }
  return fail(`${at} must have one of: assessment, events, attendance`);
}

/** Combines files into one set: ids must be unique across files. */
export function combineDefinitions(files: { name: string; raw: unknown }[]): OutcomeDefinitions {
  const domains: OutcomeDomain[] = [];
  for (const file of files) {
    for (const domain of parseDefinitionsFile(file.raw, file.name)) {
      const clash = domains.find((d) => d.id === domain.id);
      if (clash) {
        throw new DefinitionsInvalid(
          `${file.name}: domain ${domain.id} is already defined in ${clash.definedIn}`,
        );
      }
      domains.push(domain);
    }
  }
  if (domains.length > MAX_DOMAINS) {
    throw new DefinitionsInvalid(`at most ${MAX_DOMAINS} outcome domains (got ${domains.length})`);
  }
  const sources = [...new Set(domains.map((d) => d.definedIn))];
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(domains))
    .digest('hex')
    .slice(0, 16);
  return { domains, sources, fingerprint };
}

/**
 * NatCen's set, plus every `*.json` file in `extraDir` (sorted by name, so the order of domains,
 * and hence the fingerprint, does not depend on the file system).
 */
export function loadDefinitions(options: { extraDir?: string } = {}): OutcomeDefinitions {
  const files: { name: string; raw: unknown }[] = [{ name: 'natcen-2009.v1.json', raw: natcen }];
  if (options.extraDir) {
    const names = readdirSync(options.extraDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const name of names) {
      const text = readFileSync(join(options.extraDir, name), 'utf8');
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new DefinitionsInvalid(`${name}: not valid JSON`);
      }
      files.push({ name, raw });
    }
  }
  return combineDefinitions(files);
}

/**
 * The definitions as configured (`OUTCOME_DEFINITIONS_DIR` adds an authority's own domains), for
 * code outside the apps' providers (scripts, tests, a projection made without definitions): the
 * apps load them once from their `AppConfig`.
 */
export const definitionsFromEnv = (env?: Env): OutcomeDefinitions =>
  loadDefinitions({ extraDir: loadConfig(env).outcomeDefinitionsDir });
