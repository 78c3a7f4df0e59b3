/**
 * The record-level extract of a return for an accredited evaluator: one line per family episode
 * of the return's exit cohort, the family under the recipient's pseudonym, dates to the month,
 * and each outcome domain's state at baseline, exit and one year on. No identifiers, no free text.
 */
import { EpisodeOutcome, OutcomeDefinitions, Point, excludedFromSharing } from '@app/outcomes';
import { cohortFilter, ReturnRequest } from './builder';
import { DisclosureRule, isPrimary } from './disclosure';
import { pseudonym } from './pseudonyms';

export interface ExtractRow {
  pseudonym: string;
  episode: number;
  programme: string;
  referredMonth: string;
  exitedMonth: string | null;
  exitType: string | null;
  /** Per domain id: 'present', 'absent' or null (not assessed), at each point. */
  domains: Record<string, Record<'baseline' | 'exit' | 'followUp', 'present' | 'absent' | null>>;
}

const month = (iso: string | null) => (iso ? iso.slice(0, 7) : null);

function stateOf(e: EpisodeOutcome, point: Point, bit: number): 'present' | 'absent' | null {
  const m = e.masks[point];
  const b = 1n << BigInt(bit);
  if ((BigInt(m.assessed) & b) === 0n) return null;
  return (BigInt(m.present) & b) !== 0n ? 'present' : 'absent';
}

/** The return's exits in its period, consent aside. */
function exitsInPeriod(episodes: EpisodeOutcome[], request: ReturnRequest): EpisodeOutcome[] {
  const f = cohortFilter(request, 'exited_in_period');
  const from = Date.parse(f.exitedFrom!);
  const before = Date.parse(f.exitedBefore!);
  return episodes.filter(
    (e) =>
      (request.authority === null || e.authority === request.authority) &&
      e.exitedAt !== null &&
      Date.parse(e.exitedAt) >= from &&
      Date.parse(e.exitedAt) < before,
  );
}

/**
 * How many of the extract's episodes the sharing rule leaves out (`excludedFromSharing`: consent to
 * evaluation or to data sharing withdrawn).
 */
export const extractExclusions = (episodes: EpisodeOutcome[], request: ReturnRequest): number =>
  exitsInPeriod(episodes, request).filter(excludedFromSharing).length;

export function extractRows(
  episodes: EpisodeOutcome[],
  definitions: OutcomeDefinitions,
  request: ReturnRequest,
  key: string,
): ExtractRow[] {
  // A family that withdrew consent to evaluation or to data sharing is in no extract.
  return exitsInPeriod(episodes, request)
    .filter((e) => !excludedFromSharing(e))
    .map((e) => ({
      pseudonym: pseudonym(key, e.familyId),
      episode: e.episode,
      programme: e.programme,
      referredMonth: month(e.referredAt)!,
      exitedMonth: month(e.exitedAt),
      exitType: e.exitType,
      domains: Object.fromEntries(
        definitions.domains.map((d, bit) => [
          d.id,
          {
            baseline: stateOf(e, 'baseline', bit),
            exit: stateOf(e, 'exit', bit),
            followUp: stateOf(e, 'followUp', bit),
          },
        ]),
      ),
    }))
    .sort((a, b) =>
      a.pseudonym < b.pseudonym ? -1 : a.pseudonym > b.pseudonym ? 1 : a.episode - b.episode,
    );
}

/** What an extract says about its row count under disclosure control (in every extract). */
export interface ExtractDisclosure {
  threshold: number;
  /** `withheld`: every row suppressed, because there were fewer than the threshold. */
  rows: 'all' | 'withheld';
  rule: string;
}

/** The extract's rule, as stated in it. */
export const extractRuleText = (rule: DisclosureRule): string =>
  `An extract has no rows or at least ${rule.threshold}: when a return's exit cohort has 1 to ` +
  `${rule.threshold - 1} family episodes, every row is suppressed (withheld, not coarsened) and ` +
  `the number withheld is not stated.`;

/**
 * The rows an extract may publish: all of them, or none when their number is a count the rule
 * suppresses (1 to threshold − 1), so counting rows never yields a suppressed count. Rows are
 * withheld rather than coarsened: one row is one family, and no coarsening of a family's row
 * hides that it is there.
 */
export function disclosedExtract(
  rows: ExtractRow[],
  rule: DisclosureRule,
): { rows: ExtractRow[]; disclosure: ExtractDisclosure } {
  const withheld = isPrimary(rows.length, rule);
  return {
    rows: withheld ? [] : rows,
    disclosure: {
      threshold: rule.threshold,
      rows: withheld ? 'withheld' : 'all',
      rule: extractRuleText(rule),
    },
  };
}
