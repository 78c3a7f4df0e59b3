/**
 * Money in a return tied to the counts it is computed from (issue 14): an agency's cost avoided
 * is Σ over the costed domains of (money one net family adds) × (improved − worsened), gross and
 * net of deadweight and attribution alike, so each is a weighted relation over counts, and the
 * total is the sum of the agencies. The coefficients are the calculator's own per-outcome terms
 * (`moneyCoefficients` in libs/savings), never priced again here. The families improved and
 * worsened are hidden counts of the cost table; the builder ties them to the outcomes table of
 * the same families, so disclosure control sees the money as equations in the counts that table
 * publishes, and suppresses money (or counts) until none gives a count away.
 */
import { moneyCoefficients } from '@app/savings';
import { DraftTable, key } from './content';
import type { CostSection } from './costs';
import { Relation } from './disclosure';

/** A money period of the cost table: its transition counts, and its gross and net columns. */
const PERIODS = [
  { period: 'at_exit', field: 'baselineToExit', gross: 'at_exit', net: 'net_at_exit' },
  {
    period: 'one_year_on',
    field: 'baselineToFollowUp',
    gross: 'one_year_on',
    net: 'net_one_year_on',
  },
] as const;
type PeriodColumn = (typeof PERIODS)[number]['period'];

/** A hidden transition count of the cost table. */
export const transitionKey = (
  table: string,
  domain: string,
  period: PeriodColumn,
  what: 'improved' | 'worsened',
) => `${table}.${domain}.${period}_${what}`;

/**
 * Appends to a drafted cost table (rows `<agency>` and `total`; gross columns `at_exit` and
 * `one_year_on`, net ones `net_at_exit` and `net_one_year_on` when the table gives them) its
 * money as figures in pence and the relations that tie each to the hidden transition counts.
 * The return on spend goes with the gross total it is computed from. Rows and cells are left as
 * drafted.
 */
export function moneyRelations(t: DraftTable, s: CostSection): void {
  const figures = (t.figures ??= {});
  const relations = (t.relations ??= []);
  // Per agency, per domain: pence one net family adds, gross and net (the calculator's terms).
  const perAgency = new Map<string, { gross: Map<string, bigint>; net: Map<string, bigint> }>();
  for (const line of moneyCoefficients(s)) {
    const a = perAgency.get(line.agency) ?? { gross: new Map(), net: new Map() };
    for (const d of line.byDomain) {
      a.gross.set(d.domain, (a.gross.get(d.domain) ?? 0n) + d.grossPence);
      a.net.set(d.domain, (a.net.get(d.domain) ?? 0n) + d.netPence);
    }
    perAgency.set(line.agency, a);
  }
  const has = (row: string, column: string) =>
    t.rows.some((r) => r.id === row && r.cells[column] != null);
  for (const { period, field, gross, net } of PERIODS) {
    for (const d of s.perDomain) {
      t.hidden[transitionKey(t.id, d.domain, period, 'improved')] = d[field].improved;
      t.hidden[transitionKey(t.id, d.domain, period, 'worsened')] = d[field].worsened;
    }
    const change = new Map(
      s.perDomain.map((d) => [d.domain, d[field].improved - d[field].worsened]),
    );
    for (const [column, which] of [
      [gross, 'gross'],
      [net, 'net'],
    ] as const) {
      const agencies: string[] = [];
      for (const [agency, byDomain] of perAgency) {
        const cell = key(t.id, agency, column);
        if (!has(agency, column)) continue;
        const rel: Relation = { terms: [[cell, -1n]] };
        let value = 0n;
        for (const [domain, coefficient] of byDomain[which]) {
          if (!coefficient) continue;
          if (!change.has(domain)) throw new Error(`cost table: no transitions for ${domain}`);
          value += coefficient * BigInt(change.get(domain)!);
          rel.terms.push(
            [transitionKey(t.id, domain, period, 'improved'), coefficient],
            [transitionKey(t.id, domain, period, 'worsened'), -coefficient],
          );
        }
        figures[cell] = Number(value);
        relations.push(rel);
        agencies.push(cell);
      }
      const total = key(t.id, 'total', column);
      if (has('total', column)) {
        figures[total] = agencies.reduce((sum, c) => sum + figures[c], 0);
        t.lines.push({ total, parts: agencies });
      }
    }
  }
  // £ avoided per £1 spent gives the (gross, to exit) total away beside the programme cost.
  const ros = t.rows.find((r) => r.id === 'total')?.cells.return_on_spend;
  if (ros && 'from' in ros) ros.from = [...(ros.from ?? []), key(t.id, 'total', 'at_exit')];
}

/** The outcomes table's columns the tie reads (planned exits' table, `outcomes` in tables.ts). */
export const TIED_COLUMNS = ['n', 'baseline', 'exit', 'follow_up_n', 'follow_up'] as const;

/**
 * Ties the cost table's money to the outcomes table of the same families (planned exits of the
 * same period): improved − worsened is baseline − exit there, so each relation is rewritten in
 * the counts that table publishes. One year on, improved − worsened is (present at baseline, of
 * those assessed one year on) − one year on: the first is unpublished, a hidden count bounded by
 * the baseline, the one-year-on n, and the families not assessed one year on. Both tables count
 * the same families by the same rules, so the counts agree; if a column, a domain's row or a
 * count the tie needs is missing, or the counts disagree, it throws (money left untied would give
 * counts away, so a return is never built without the tie). Answers the domains tied.
 */
export function tieMoneyToOutcomes(costs: DraftTable, outcomes: DraftTable): string[] {
  const fail = (why: string): never => {
    throw new Error(`cannot tie ${costs.id}'s money to ${outcomes.id}: ${why}`);
  };
  const columns = new Set(outcomes.columns.map((c) => c.id));
  const missing = TIED_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length) fail(`no column ${missing.join(', ')}`);
  const count = (row: string, column: string): number => {
    const r = outcomes.rows.find((x) => x.id === row) ?? fail(`no row ${row}`);
    const cell = r.cells[column];
    return cell && 'count' in cell ? cell.count : fail(`${row}.${column} is not a count`);
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
    const [n, baseline, end, fn, f] = TIED_COLUMNS.map((c) => count(domain, c));
    // Present at baseline among those assessed one year on.
    const bfu = h('one_year_on', 'improved') + f - h('one_year_on', 'worsened');
    const agrees =
      h('at_exit', 'improved') - h('at_exit', 'worsened') === baseline - end &&
      bfu >= 0 &&
      bfu <= baseline &&
      bfu <= fn &&
      baseline - bfu <= n - fn;
    if (!agrees) fail(`${domain}: the calculator's transitions disagree with the table's counts`);
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
    costs.hidden[hidden('baseline_not_followed_up')] = baseline - bfu;
    costs.hidden[hidden('followed_up_without_baseline')] = fn - bfu;
    costs.hidden[hidden('not_followed_up_without_baseline')] = n - fn - (baseline - bfu);
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
  const mine = costs.rows.find((r) => r.id === 'total')?.cells.families;
  if (mine && 'count' in mine) {
    if (mine.count !== count('cohort', 'n')) fail('the families counted differ from the cohort');
    costs.lines.push({
      total: key(outcomes.id, 'cohort', 'n'),
      parts: [key(costs.id, 'total', 'families')],
    });
  }
  return tied;
}
