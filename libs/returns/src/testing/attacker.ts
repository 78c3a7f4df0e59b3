/**
 * An attacker on a published return, independent of the production protection (which works on
 * the builder's drafts with `recovery.ts`): it reads only the published content, states what a
 * reader knows of the return's tables (their sums, which counts are subsets of which, the money as
 * unit cost × count differences, percentages to their rounding) and solves for every `[c]` cell
 * with its own exact rational arithmetic: elimination to reduced row echelon form, a cell fixed
 * when no direction of the solution space moves it, then integer bounds (counts at least 0, a
 * small count 1..threshold − 1) narrowed through every equation until nothing moves.
 */
import { CostRegistry, resolveTable, roundDiv } from '@app/savings';

import { Q, ZERO, add, ceilQ, cmp, div, floorQ, max, min, mul, q, solve, sub } from './rationals';

/** Per agency, per costed domain: pence. */
export type UnitMoney = Map<string, Map<string, bigint>>;

/** A linear fact: Σ coefficient × term = constant, terms by name. */
interface Fact {
  terms: Map<string, Q>;
  constant: Q;
}

export interface AttackOptions {
  threshold: number;
  /**
   * Per agency, per costed domain: pence one net family (improved − worsened) avoids, gross and
   * net of the table's deadweight and attribution.
   */
  unitMoney: { gross: UnitMoney; net: UnitMoney };
  /** `[c]` cells the attacker is told are small (1..threshold − 1); by default none. */
  small?: ReadonlySet<string>;
  /**
   * The cost table and the outcomes tables of the same families (planned exits), by id: the
   * paired change to exit, and the one-year-on panel (when the return has one).
   */
  money?: { costs: string; outcomes: string; oneYearOn?: string };
  /**
   * The return is perturbed (cell-key): inside a table the counts add up, but a total perturbed
   * in its own right (a cohort's families, the referrals, the offers) bounds nothing of another
   * table's counts, so the attacker does not assume it does.
   */
  perturbed?: boolean;
}

export interface Attack {
  /** `[c]` cells worked out exactly, with the value. */
  recovered: Map<string, bigint>;
  /** How many `[c]` count cells the attack tried. */
  suppressed: number;
  /** Every fact the attack used, for a self-check against the truth. */
  check: (truth: (cell: string) => number | undefined) => string[];
}

const COUNT_UNITS = new Set(['families', 'revisits']);
const pence = (s: string): bigint => {
  const neg = s.startsWith('-');
  const [w, f = '0'] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(w) * 100n + BigInt(f.padEnd(2, '0').slice(0, 2));
  return neg ? -v : v;
};

/** What the attack reads of a return: its published tables (a `ReturnContent` will do). */
export interface Published {
  sections: {
    tables: {
      id: string;
      columns: { id: string; unit: string }[];
      rows: { id: string; values: Record<string, unknown> }[];
    }[];
  }[];
}

export function attack(content: Published, options: AttackOptions): Attack {
  const known = new Map<string, Q>();
  const unknown = new Set<string>();
  const counts = new Set<string>();
  const published = new Map<string, unknown>();
  const tables = content.sections.flatMap((s) => s.tables);
  for (const t of tables) {
    const unit = new Map(t.columns.map((c) => [c.id, c.unit]));
    for (const row of t.rows) {
      for (const [col, v] of Object.entries(row.values)) {
        const id = `${t.id}.${row.id}.${col}`;
        const u = unit.get(col)!;
        published.set(id, v);
        if (COUNT_UNITS.has(u)) counts.add(id);
        if (v === '[c]') {
          if (COUNT_UNITS.has(u) || u === 'gbp') unknown.add(id);
        } else if (typeof v === 'number' && COUNT_UNITS.has(u)) known.set(id, q(BigInt(v)));
        else if (typeof v === 'string' && u === 'gbp' && /^-?\d+\.\d\d$/.test(v))
          known.set(id, q(pence(v)));
      }
    }
  }
  const facts: Fact[] = [];
  let latent = 0;
  const has = (id: string) => known.has(id) || unknown.has(id);
  const fact = (terms: [string, bigint][], constant = 0n) => {
    if (!terms.every(([id]) => has(id) || id.startsWith('~'))) return;
    const m = new Map<string, Q>();
    for (const [id, a] of terms) m.set(id, add(m.get(id) ?? ZERO, q(a)));
    facts.push({ terms: m, constant: q(constant) });
  };
  /** a ≤ b: b − a is a count (a latent at least 0). */
  const atMost = (a: string, b: string) => {
    if (!has(a) || !has(b)) return;
    const s = `~slack${latent++}`;
    fact([
      [b, 1n],
      [a, -1n],
      [s, -1n],
    ]);
  };
  const sum = (total: string, parts: string[]) =>
    fact([[total, -1n], ...parts.map((p): [string, bigint] => [p, 1n])]);

  const percents: [pct: string, num: string, den: string][] = [];
  for (const t of tables) {
    const k = (row: string, col: string) => `${t.id}.${row}.${col}`;
    const cols = t.columns.map((c) => c.id);
    if (t.columns.some((c) => c.id === 'exit_pct')) {
      for (const row of t.rows.filter((r) => r.id !== 'cohort')) {
        atMost(k(row.id, 'baseline'), k(row.id, 'n'));
        atMost(k(row.id, 'exit'), k(row.id, 'n'));
        atMost(k(row.id, 'follow_up'), k(row.id, 'follow_up_n'));
        atMost(k(row.id, 'follow_up_n'), k(row.id, 'n'));
        if (!options.perturbed) atMost(k(row.id, 'n'), k('cohort', 'n'));
        percents.push(
          [k(row.id, 'baseline_pct'), k(row.id, 'baseline'), k(row.id, 'n')],
          [k(row.id, 'exit_pct'), k(row.id, 'exit'), k(row.id, 'n')],
          [k(row.id, 'follow_up_pct'), k(row.id, 'follow_up'), k(row.id, 'follow_up_n')],
        );
      }
    }
    // A paired table (baseline against a later point): its four cells make n, its margins the
    // counts at each point.
    const later = cols.find((c) => c.endsWith('_only') && c !== 'baseline_only');
    if (later && cols.includes('both') && cols.includes('neither')) {
      const point = later.slice(0, -'_only'.length);
      for (const row of t.rows.filter((r) => r.id !== 'cohort')) {
        const c = (col: string) => k(row.id, col);
        sum(c('n'), [c('both'), c('baseline_only'), c(later), c('neither')]);
        sum(c('baseline'), [c('both'), c('baseline_only')]);
        sum(c(point), [c('both'), c(later)]);
      }
    }
    if (cols.includes('referred') && cols.includes('planned_exit')) {
      const parts = cols.filter((c) => !['referred', 'offered', 'accepted'].includes(c));
      sum(
        k('families', 'referred'),
        parts.map((c) => k('families', c)),
      );
      if (!options.perturbed) {
        atMost(k('families', 'offered'), k('families', 'referred'));
        atMost(k('families', 'accepted'), k('families', 'offered'));
      }
    }
    if (cols.includes('on_time') && cols.includes('late')) {
      sum(k('revisits', 'completed'), [k('revisits', 'on_time'), k('revisits', 'late')]);
      percents.push([
        k('revisits', 'on_time_pct'),
        k('revisits', 'on_time'),
        k('revisits', 'completed'),
      ]);
      const done = tables.find((x) => x.id !== t.id && x.rows.some((r) => r.id === 'revisits'));
      if (done) sum(k('revisits', 'completed'), [`${done.id}.revisits.completed`]);
    }
  }

  // Money: the cost table against the planned exits' outcomes table (same families).
  const costs = tables.find((t) => t.id === options.money?.costs);
  const outcomes = tables.find((t) => t.id === options.money?.outcomes);
  if (costs && outcomes) {
    const o = (d: string, c: string) => `${outcomes.id}.${d}.${c}`;
    const y = (d: string, c: string) =>
      `${options.money?.oneYearOn ?? '(no one-year-on table)'}.${d}.${c}`;
    sum(o('cohort', 'n'), [`${costs.id}.total.families`]);
    const bfu = new Map<string, string>();
    for (const [col, period, kind] of [
      ['at_exit', 'exit', 'gross'],
      ['one_year_on', 'fu', 'gross'],
      ['net_at_exit', 'exit', 'net'],
      ['net_one_year_on', 'fu', 'net'],
    ] as const) {
      const agencies: string[] = [];
      for (const row of costs.rows) {
        const money = options.unitMoney[kind].get(row.id);
        const cell = `${costs.id}.${row.id}.${col}`;
        if (!money || !has(cell)) continue;
        agencies.push(cell);
        // The change priced, improved − worsened, in the outcomes tables' own cells: at exit
        // baseline − exit (= at baseline only − at exit only); one year on the panel's at
        // baseline only − at one year on only. A return before the panel was a table of its
        // own read it through an unpublished count (present at baseline among those assessed
        // one year on), bounded.
        const forms: [string, bigint][][] = [[[cell, -1n]], [[cell, -1n]]];
        for (const [d, c] of money) {
          if (period === 'exit') {
            forms[0].push([o(d, 'baseline'), c], [o(d, 'exit'), -c]);
            forms[1].push([o(d, 'baseline_only'), c], [o(d, 'exit_only'), -c]);
            continue;
          }
          forms[0].push([y(d, 'baseline_only'), c], [y(d, 'one_year_on_only'), -c]);
          // Present at baseline among those assessed one year on: unpublished, bounded.
          if (!bfu.has(d)) {
            const b = `~baseline_fu.${d}`;
            bfu.set(d, b);
            atMostLatent(b, o(d, 'baseline'));
            atMostLatent(b, o(d, 'follow_up_n'));
            // baseline − b ≤ n − follow_up_n (those not followed up).
            const s = `~slack${latent++}`;
            fact([
              [o(d, 'n'), 1n],
              [o(d, 'follow_up_n'), -1n],
              [o(d, 'baseline'), -1n],
              [b, 1n],
              [s, -1n],
            ]);
          }
          forms[1].push([bfu.get(d)!, c], [o(d, 'follow_up'), -c]);
        }
        // A form whose cells the return does not publish is left out (`fact` checks).
        for (const terms of forms) fact(terms);
      }
      if (has(`${costs.id}.total.${col}`)) sum(`${costs.id}.total.${col}`, agencies);
    }
  }
  function atMostLatent(b: string, a: string) {
    const s = `~slack${latent++}`;
    fact([
      [a, 1n],
      [b, -1n],
      [s, -1n],
    ]);
  }

  // Substitute what is published; the rest are the variables.
  const vars = [
    ...new Set(facts.flatMap((f) => [...f.terms.keys()]).filter((id) => !known.has(id))),
  ];
  const at = new Map(vars.map((v, i) => [v, i]));
  const rows = facts
    .map((f) => {
      const row = vars.map(() => ZERO);
      let c = f.constant;
      for (const [id, a] of f.terms) {
        const i = at.get(id);
        if (i === undefined) c = sub(c, mul(a, known.get(id)!));
        else row[i] = add(row[i], a);
      }
      return { row, c };
    })
    .filter((r) => r.row.some((a) => a.p !== 0n));

  const lo: (Q | null)[] = vars.map((v) =>
    v.startsWith('~') || counts.has(v) ? (options.small?.has(v) ? q(1n) : ZERO) : null,
  );
  const hi: (Q | null)[] = vars.map((v) =>
    options.small?.has(v) ? q(BigInt(options.threshold - 1)) : null,
  );
  const integer = (i: number) => vars[i].startsWith('~') || counts.has(vars[i]);

  // Percentages published beside one of their counts bound the other.
  for (const [pct, num, den] of percents) {
    const shown = published.get(pct);
    if (typeof shown !== 'number') continue;
    const p = q(BigInt(Math.round(shown * 10)), 1000n);
    const half = q(1n, 2000n);
    const [pl, ph] = [sub(p, half), add(p, half)];
    if (known.has(den) && at.has(num)) {
      const i = at.get(num)!;
      const n = known.get(den)!;
      lo[i] = max(lo[i], q(ceilQ(mul(pl, n))));
      hi[i] = min(hi[i], q(floorQ(mul(ph, n))));
    } else if (known.has(num) && at.has(den) && known.get(num)!.p > 0n) {
      const i = at.get(den)!;
      const a = known.get(num)!;
      lo[i] = max(lo[i], q(ceilQ(div(a, ph))));
      if (pl.p > 0n) hi[i] = min(hi[i], q(floorQ(div(a, pl))));
    }
  }

  solve(rows, lo, hi, integer);
  const recovered = new Map<string, bigint>();
  vars.forEach((v, i) => {
    if (
      !v.startsWith('~') &&
      unknown.has(v) &&
      counts.has(v) &&
      lo[i] &&
      hi[i] &&
      cmp(lo[i]!, hi[i]!) === 0
    ) {
      recovered.set(v, lo[i]!.p / lo[i]!.q);
    }
  });
  return {
    recovered,
    suppressed: [...unknown].filter((c) => counts.has(c)).length,
    check: (truth) =>
      facts
        .filter((f) =>
          [...f.terms.keys()].every((id) => id.startsWith('~') || truth(id) !== undefined),
        )
        .filter((f) => {
          // A fact with one latent (a ≤ b) holds when the latent it implies is at least 0.
          const latents = [...f.terms].filter(([id]) => id.startsWith('~'));
          if (latents.length > 1 || latents.some(([id]) => !id.startsWith('~slack'))) return false;
          let s = ZERO;
          for (const [id, a] of f.terms)
            if (!id.startsWith('~')) s = add(s, mul(a, q(BigInt(truth(id)!))));
          if (!latents.length) return cmp(s, f.constant) !== 0;
          const slack = div(sub(f.constant, s), latents[0][1]);
          return cmp(slack, ZERO) < 0;
        })
        .map((f) => [...f.terms.keys()].join(' + ')),
  };
}

/**
 * Pence one net family of each costed domain avoids, per agency, from the published unit-cost
 * table and price index (the default table at its price year), gross and net of the row's
 * deadweight and attribution (each rounded to the penny, as the table's method states). Whole
 * units only, so each line is exact in pence; a table with fractions of a unit is refused.
 */
export function unitMoney(registry: CostRegistry): { gross: UnitMoney; net: UnitMoney } {
  const { table, index } = resolveTable(registry);
  const target = index.values.get(table.priceYear)!;
  const hundred = 100_000n;
  const gross: UnitMoney = new Map();
  const net: UnitMoney = new Map();
  const add = (into: UnitMoney, agency: string, domain: string, pence: bigint) => {
    const a = into.get(agency) ?? new Map<string, bigint>();
    a.set(domain, (a.get(domain) ?? 0n) + pence);
    into.set(agency, a);
  };
  for (const m of table.mappings) {
    const row = table.rows.find((r) => r.outcome === m.outcome)!;
    const uplifted = roundDiv(row.costPence * target, index.values.get(row.priceYear)!);
    if (m.quantityMilli % 1000n) throw new Error(`${m.outcome}: not a whole number of units`);
    const g = (uplifted * m.quantityMilli) / 1000n;
    const keep = hundred - (row.deadweightMilliPct ?? 0n);
    const owed = row.attributionMilliPct ?? hundred;
    add(gross, row.agency, m.domain, g);
    add(net, row.agency, m.domain, roundDiv(g * keep * owed, hundred * hundred));
  }
  return { gross, net };
}
