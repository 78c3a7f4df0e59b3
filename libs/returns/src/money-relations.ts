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
        // The same total in the counts directly (a sum of the agencies' relations): redundant
        // for the algebra, but the checker narrows bounds through each relation it is given
        // rather than searching integers, and a total over hidden agencies is one equation in
        // many small counts whose large, unlike coefficients can leave one integer solution (the
        // demo attack found two before this relation was added).
        const sum = new Map<string, bigint>();
        for (const r of relations.filter((x) => agencies.includes(x.terms[0][0])))
          for (const [c, a] of r.terms.slice(1)) sum.set(c, (sum.get(c) ?? 0n) + a);
        relations.push({ terms: [[total, -1n], ...[...sum].filter(([, a]) => a !== 0n)] });
      }
    }
  }
  // £ avoided per £1 spent gives the (gross, to exit) total away beside the programme cost.
  const ros = t.rows.find((r) => r.id === 'total')?.cells.return_on_spend;
  if (ros && 'from' in ros) ros.from = [...(ros.from ?? []), key(t.id, 'total', 'at_exit')];
}

/**
 * Where each transition the money is computed from is published, by column id: at exit the
 * planned exits' outcomes table (`outcomes` in outcomes-table.ts: improved = at baseline only,
 * worsened = at exit only), one year on its one-year-on panel (`outcomes_one_year_on`: improved
 * = at baseline only, worsened = at one year on only, of the families assessed at baseline, exit
 * and one year on, the calculator's one-year-on pairs). The costed domains are ones where fewer
 * families is better (`checkMappings`), so "improved" is the condition going away.
 */
export const TIED_CELLS = {
  at_exit: { improved: 'baseline_only', worsened: 'exit_only' },
  one_year_on: { improved: 'baseline_only', worsened: 'one_year_on_only' },
} as const;

/**
 * Ties the cost table's money to the outcomes tables of the same families (planned exits of the
 * same period): each hidden transition count is replaced in the money's relations by the cell of
 * `outcomes` (at exit) or `oneYearOn` (one year on) that publishes the same count, so disclosure
 * control sees the money as equations in the counts those tables publish; the families counted
 * are the cohort's n. Both count the same families by the same rules, so the counts agree: if a
 * column, a domain's row or a count the tie needs is missing, or a count disagrees with the
 * calculator's, it throws (money left untied to the published counts could give them away, so a
 * return is never built that way). Without a one-year-on table in the spec, one-year-on money
 * stays tied to the hidden transitions (no table publishes them). Answers the domains tied.
 */
export function tieMoneyToOutcomes(
  costs: DraftTable,
  outcomes: DraftTable,
  oneYearOn?: DraftTable,
): string[] {
  const fail = (why: string): never => {
    throw new Error(`cannot tie ${costs.id}'s money to its counts: ${why}`);
  };
  const tables = { at_exit: outcomes, one_year_on: oneYearOn };
  for (const [period, t] of Object.entries(tables)) {
    if (!t) continue;
    const columns = new Set(t.columns.map((c) => c.id));
    const needed = [...Object.values(TIED_CELLS[period as PeriodColumn]), 'n'];
    const missing = needed.filter((c) => !columns.has(c));
    if (missing.length) fail(`${t.id} has no column ${missing.join(', ')}`);
  }
  const count = (t: DraftTable, row: string, column: string): number | undefined => {
    const r = t.rows.find((x) => x.id === row) ?? fail(`${t.id} has no row ${row}`);
    const cell = r.cells[column];
    return cell && 'count' in cell ? cell.count : undefined;
  };
  const substitute = new Map<string, [string, bigint][]>();
  const tied: string[] = [];
  const domains = Object.keys(costs.hidden)
    .filter((k) => k.endsWith('.at_exit_improved'))
    .map((k) => k.slice(costs.id.length + 1, -'.at_exit_improved'.length));
  for (const domain of domains) {
    for (const period of ['at_exit', 'one_year_on'] as const) {
      const t = tables[period];
      if (!t) continue;
      for (const w of ['improved', 'worsened'] as const) {
        const hidden = transitionKey(costs.id, domain, period, w);
        const column = TIED_CELLS[period][w];
        const value = count(t, domain, column);
        // A panel with no families has no paired table: nothing moved, nothing to tie.
        if (value === undefined && count(t, domain, 'n') === 0 && costs.hidden[hidden] === 0) {
          substitute.set(hidden, []);
        } else if (value === undefined) {
          fail(`${t.id}.${domain}.${column} is not a count`);
        } else if (value !== costs.hidden[hidden]) {
          fail(
            `${t.id}.${domain}.${column} is ${value}, the calculator's ${w} ${costs.hidden[hidden]}`,
          );
        } else substitute.set(hidden, [[key(t.id, domain, column), 1n]]);
        delete costs.hidden[hidden];
      }
    }
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
    if (mine.count !== count(outcomes, 'cohort', 'n')) {
      fail(`the families counted differ from ${outcomes.id}'s cohort`);
    }
    costs.lines.push({
      total: key(outcomes.id, 'cohort', 'n'),
      parts: [key(costs.id, 'total', 'families')],
    });
  }
  return tied;
}
