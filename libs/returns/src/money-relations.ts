/**
 * Money in a return tied to the counts it is computed from (issue 14): an agency's cost avoided
 * is Σ over the costed domains of (money one net family adds) × (improved − worsened), so it is a
 * weighted relation over counts, and the total is the sum of the agencies. The families improved
 * and worsened are hidden counts of the cost table; the builder ties them to the outcomes table
 * of the same families (baseline = improved + present at both, exit = worsened + present at
 * both, n = every pair), so disclosure control sees the money as equations in the counts the
 * outcomes table publishes, and suppresses money (or counts) until none gives a count away.
 */
import type { CostAvoidance } from './builder';
import { DraftTable, key } from './content';
import { Relation } from './disclosure';

const PERIODS = [
  ['at_exit', 'atExit'],
  ['one_year_on', 'oneYearOn'],
] as const;
type PeriodColumn = (typeof PERIODS)[number][0];

/** A hidden transition count of the cost table. */
export const transitionKey = (
  table: string,
  domain: string,
  period: PeriodColumn,
  what: 'improved' | 'worsened' | 'both' | 'neither',
) => `${table}.${domain}.${period}_${what}`;

/**
 * Appends to a drafted cost table (rows `<agency>` and `total`, columns `at_exit` and
 * `one_year_on`) its money as figures in 1/scale pence and the relations that tie each to the
 * hidden transition counts. Rows and their cells are left as drafted.
 */
export function moneyRelations(t: DraftTable, s: CostAvoidance): void {
  const tied = s.tiedTo;
  if (!tied) return;
  const figures = (t.figures ??= {});
  const relations = (t.relations ??= []);
  for (const [column, field] of PERIODS) {
    for (const d of tied.transitions) {
      t.hidden[transitionKey(t.id, d.domain, column, 'improved')] = d[field].improved;
      t.hidden[transitionKey(t.id, d.domain, column, 'worsened')] = d[field].worsened;
    }
    const net = new Map(
      tied.transitions.map((d) => [d.domain, d[field].improved - d[field].worsened]),
    );
    const agencies: string[] = [];
    for (const a of tied.perAgency) {
      const cell = key(t.id, a.agency, column);
      if (!t.rows.some((r) => r.id === a.agency && r.cells[column])) continue;
      const rel: Relation = { terms: [[cell, -1n]] };
      let value = 0n;
      for (const [domain, coefficient] of Object.entries(a.byDomain)) {
        if (!net.has(domain) || !coefficient) continue;
        value += coefficient * BigInt(net.get(domain)!);
        rel.terms.push(
          [transitionKey(t.id, domain, column, 'improved'), coefficient],
          [transitionKey(t.id, domain, column, 'worsened'), -coefficient],
        );
      }
      figures[cell] = Number(value);
      relations.push(rel);
      agencies.push(cell);
    }
    const total = key(t.id, 'total', column);
    if (t.rows.some((r) => r.id === 'total' && r.cells[column])) {
      figures[total] = agencies.reduce((sum, c) => sum + figures[c], 0);
      t.lines.push({ total, parts: agencies });
    }
  }
  // £ avoided per £1 spent gives the total away beside the programme cost.
  for (const row of t.rows.filter((r) => r.id === 'return_on_spend')) {
    const cell = row.cells.at_exit;
    if (cell && 'from' in cell) cell.from = [...(cell.from ?? []), key(t.id, 'total', 'at_exit')];
  }
}

/**
 * Ties the cost table's money to the outcomes table of the same families (planned exits of the
 * same period): improved − worsened is baseline − exit there, so each relation is rewritten in
 * the counts that table publishes. One year on, improved − worsened is (present at baseline, of
 * those assessed one year on) − one year on: the first is unpublished, a hidden count bounded by
 * the baseline, the one-year-on n, and the families not assessed one year on. Ties a domain only
 * where the counts agree (they do when both tables count the same families). Answers the domains
 * tied.
 */
export function tieMoneyToOutcomes(costs: DraftTable, outcomes: DraftTable): string[] {
  const count = (row: string, column: string): number | undefined => {
    const cell = outcomes.rows.find((r) => r.id === row)?.cells[column];
    return cell && 'count' in cell ? cell.count : undefined;
  };
  const o = (d: string, c: string) => key(outcomes.id, d, c);
  const substitute = new Map<string, [string, bigint][]>();
  const tied: string[] = [];
  const domains = Object.keys(costs.hidden)
    .filter((k) => k.endsWith('.at_exit_improved'))
    .map((k) => k.slice(costs.id.length + 1, -'.at_exit_improved'.length));
  for (const domain of domains) {
    const t = (period: PeriodColumn, w: 'improved' | 'worsened') =>
      transitionKey(costs.id, domain, period, w);
    const h = (period: PeriodColumn, w: 'improved' | 'worsened') => costs.hidden[t(period, w)];
    const [n, baseline, end, fn, f] = ['n', 'baseline', 'exit', 'follow_up_n', 'follow_up'].map(
      (c) => count(domain, c),
    );
    if ([n, baseline, end, fn, f].some((v) => v === undefined)) continue;
    // Present at baseline among those assessed one year on.
    const bfu = h('one_year_on', 'improved') + f! - h('one_year_on', 'worsened');
    const agrees =
      h('at_exit', 'improved') - h('at_exit', 'worsened') === baseline! - end! &&
      bfu >= 0 &&
      bfu <= baseline! &&
      bfu <= fn! &&
      baseline! - bfu <= n! - fn!;
    if (!agrees) continue;
    const hidden = (name: string) => key(costs.id, domain, name);
    substitute.set(t('at_exit', 'improved'), [[o(domain, 'baseline'), 1n]]);
    substitute.set(t('at_exit', 'worsened'), [[o(domain, 'exit'), 1n]]);
    substitute.set(t('one_year_on', 'improved'), [[hidden('baseline_followed_up'), 1n]]);
    substitute.set(t('one_year_on', 'worsened'), [[o(domain, 'follow_up'), 1n]]);
    for (const w of ['improved', 'worsened'] as const) {
      delete costs.hidden[t('at_exit', w)];
      delete costs.hidden[t('one_year_on', w)];
    }
    costs.hidden[hidden('baseline_followed_up')] = bfu;
    costs.hidden[hidden('baseline_not_followed_up')] = baseline! - bfu;
    costs.hidden[hidden('followed_up_without_baseline')] = fn! - bfu;
    costs.hidden[hidden('not_followed_up_without_baseline')] = n! - fn! - (baseline! - bfu);
    costs.lines.push(
      {
        total: o(domain, 'baseline'),
        parts: [hidden('baseline_followed_up'), hidden('baseline_not_followed_up')],
      },
      {
        total: o(domain, 'follow_up_n'),
        parts: [hidden('baseline_followed_up'), hidden('followed_up_without_baseline')],
      },
      {
        total: o(domain, 'n'),
        parts: [
          o(domain, 'follow_up_n'),
          hidden('baseline_not_followed_up'),
          hidden('not_followed_up_without_baseline'),
        ],
      },
    );
    tied.push(domain);
  }
  costs.relations = (costs.relations ?? []).map((r) => ({
    terms: r.terms.flatMap(([cell, a]): [string, bigint][] =>
      substitute.has(cell) ? substitute.get(cell)!.map(([c, k]) => [c, k * a]) : [[cell, a]],
    ),
  }));
  // The families counted are the outcomes table's cohort: the same count twice.
  const mine = costs.rows.find((r) => r.id === 'families')?.cells.at_exit;
  if (mine && 'count' in mine && mine.count === count('cohort', 'n')) {
    costs.lines.push({
      total: key(outcomes.id, 'cohort', 'n'),
      parts: [key(costs.id, 'families', 'at_exit')],
    });
  }
  return tied;
}
