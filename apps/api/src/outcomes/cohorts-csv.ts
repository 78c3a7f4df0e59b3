/**
 * The outcomes CSV over every cohort of the answer: `outcomesCsv`'s rows (one per domain, its
 * columns as `csv.ts` defines them) for each cohort, each row led by the cohort, its n and the
 * attrition line (referred → started → planned exit), so no row can be read without them.
 */
import { DomainRow } from '@app/outcomes';
import { CsvContext } from '@app/security/csv-output';
import { line, outcomesCsv } from './csv';

/** What leads each row: the cohort and the line it sits on. */
export const COHORT_COLUMNS = [
  'cohort',
  'cohort_families',
  'referred',
  'started',
  'planned_exits',
] as const;

export interface CsvCohort {
  kind: string;
  families: unknown;
  excludedForConsent: unknown;
  domains: DomainRow[];
}

/** `context` has no `cohort`: each row's is in its first column. */
export function cohortsCsv(
  cohorts: readonly CsvCohort[],
  attrition: { referred: unknown; started: unknown; plannedExits: unknown },
  context: Omit<CsvContext, 'cohort'>,
): string {
  // `outcomesCsv` of no domain is whatever comes before the rows, its header last (one line: the
  // column names are plain codes); of one domain, that and the domain's row (however many line
  // breaks a quoted cell holds).
  const head = outcomesCsv([], undefined, context);
  const headerAt = head.lastIndexOf('\n', head.length - 2) + 1;
  const rows = cohorts.flatMap((c) => {
    const lead = line([
      c.kind,
      c.families,
      attrition.referred,
      attrition.started,
      attrition.plannedExits,
    ]);
    const empty = outcomesCsv([], c.excludedForConsent, context);
    return c.domains.map(
      (d) => `${lead},${outcomesCsv([d], c.excludedForConsent, context).slice(empty.length, -1)}`,
    );
  });
  const header = `${line([...COHORT_COLUMNS])},${head.slice(headerAt, -1)}`;
  return [head.slice(0, headerAt) + header, ...rows].join('\n') + '\n';
}
