import { agencyName } from '@app/domain';
import { CohortFilter, EpisodeSource } from '@app/outcomes';
import type { Money } from './builder';
import { DraftCell, DraftTable, key } from './content';
import { isCostSection } from './costs';
import { moneyRelations } from './money-relations';
import type { TableContext } from './tables';

const count = (n: number): DraftCell => ({ count: n });

/**
 * Is it cost effective: per agency and in total, the gross cost avoided (net beside it when the
 * unit-cost table gives deadweight or attribution); on the total row the families counted, the
 * programme cost pro-rated to the period by days, the gross return on spend and the price year,
 * each in a column of its own unit. What a reader needs to read them (that they are gross, the
 * deflator and its status, what the programme cost covers) is said beside the table's cohort.
 */
export async function savings(
  ctx: TableContext,
  t: DraftTable,
  filter: CohortFilter,
  episodes: EpisodeSource,
) {
  const gross = [
    { id: 'at_exit', label: 'Gross cost avoided, baseline to exit (£)', unit: 'gbp' as const },
    {
      id: 'one_year_on',
      label: 'Gross cost avoided, baseline to one year on (£)',
      unit: 'gbp' as const,
    },
  ];
  if (!ctx.costs) {
    t.columns = gross;
    t.rows.push({ id: 'unavailable', label: 'No unit-cost table is configured', cells: {} });
    return undefined;
  }
  // Priced from the planned exits' transitions as published (the outcomes table's own counts).
  const s = await ctx.costs({
    db: ctx.db,
    filter,
    episodes,
    definitions: ctx.definitions,
    published: await ctx.counts.published(filter),
  });
  const detail = isCostSection(s) ? s : undefined;
  const net = detail?.net ?? null;
  t.columns = [
    { id: 'families', label: 'Families counted', unit: 'families' },
    ...gross,
    ...(net
      ? [
          {
            id: 'net_at_exit',
            label: 'Net cost avoided, baseline to exit (£)',
            unit: 'gbp' as const,
          },
          {
            id: 'net_one_year_on',
            label: 'Net cost avoided, baseline to one year on (£)',
            unit: 'gbp' as const,
          },
        ]
      : []),
    { id: 'programme_cost', label: 'Programme cost for the period (£)', unit: 'gbp' },
    { id: 'return_on_spend', label: 'Gross £ avoided per £1 spent, to exit', unit: 'ratio' },
    { id: 'price_year', label: 'Price year', unit: 'year' },
  ];
  const families = key(t.id, 'total', 'families');
  const money = (v: Money | null): DraftCell => (v === null ? null : { text: v, from: [families] });
  const periods = (
    g: { atExit: Money; oneYearOn: Money | null },
    n?: { atExit: Money; oneYearOn: Money | null },
  ) => ({
    at_exit: money(g.atExit),
    one_year_on: money(g.oneYearOn),
    ...(n ? { net_at_exit: money(n.atExit), net_one_year_on: money(n.oneYearOn) } : {}),
  });
  for (const a of s.byAgency) {
    t.rows.push({
      id: a.agency,
      label: agencyName(a.agency),
      cells: periods(
        a,
        net?.byAgency.find((b) => b.agency === a.agency),
      ),
    });
  }
  t.rows.push({
    id: 'total',
    label: 'Total',
    cells: {
      families: count(s.families),
      ...periods(s.total, net?.total),
      programme_cost: s.programmeCost === null ? null : { text: s.programmeCost },
      return_on_spend: money(s.returnOnSpend),
      ...(s.priceYear === null ? {} : { price_year: { text: String(s.priceYear) } }),
    },
  });
  // What a reader must know to read the figures, beside whom the table counts (the HTML prints
  // it under the title, the CSV on every row of the table).
  const statements = detail
    ? [detail.grossStatement, net?.statement, detail.deflator, detail.programmeCostBasis]
    : [];
  // Every money cell tied to the counts it is computed from (disclosure control, issue 14).
  if (detail) moneyRelations(t, detail);
  const said = statements.filter(Boolean).map((x) => (x!.endsWith('.') ? x : `${x}.`));
  if (said.length)
    t.cohort = [t.cohort.endsWith('.') ? t.cohort : `${t.cohort}.`, ...said].join(' ');
  return s.unitCosts;
}
