import { CountTable, gridTable, protect, recoverable, relationsOf, ruleText } from './disclosure';
import { workOut } from './testing/rationals';

/** A small seeded generator (mulberry32), so a failing table can be reproduced from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counts skewed towards small values, so most tables need suppression. */
function randomGrid(seed: number): number[][] {
  const next = random(seed);
  const rows = 1 + Math.floor(next() * 5);
  const cols = 2 + Math.floor(next() * 5);
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => {
      const r = next();
      return r < 0.15 ? 0 : r < 0.55 ? 1 + Math.floor(next() * 4) : 5 + Math.floor(next() * 60);
    }),
  );
}

/**
 * An attack independent of the implementation's linear algebra: in a two-way table with all its
 * margins, a suppressed cell can be worked out exactly iff its edge in the bipartite graph
 * (row – column, one edge per suppressed cell, margins as an extra row and column) is a bridge,
 * i.e. lies on no cycle of suppressed cells.
 */
function workedOutFromTotals(rows: number, cols: number, suppressed: Set<string>): string[] {
  const edges: [string, string, string][] = [];
  for (let i = 0; i <= rows; i++) {
    for (let j = 0; j <= cols; j++) {
      const r = i === rows ? 'T' : `r${i}`;
      const c = j === cols ? 'T' : `c${j}`;
      const id = i === rows ? (j === cols ? 'TT' : `Tc${j}`) : j === cols ? `r${i}T` : `r${i}c${j}`;
      if (suppressed.has(id)) edges.push([`R${r}`, `C${c}`, id]);
    }
  }
  const connected = (from: string, to: string, without: string) => {
    const seen = new Set([from]);
    const queue = [from];
    while (queue.length) {
      const v = queue.shift()!;
      if (v === to) return true;
      for (const [a, b, id] of edges) {
        if (id === without) continue;
        const w = a === v ? b : b === v ? a : undefined;
        if (w && !seen.has(w)) {
          seen.add(w);
          queue.push(w);
        }
      }
    }
    return false;
  };
  return edges.filter(([a, b, id]) => !connected(a, b, id)).map(([, , id]) => id);
}

/** Recovery by subtraction: a line with exactly one suppressed cell gives it away. */
const linesWithOne = (table: CountTable, suppressed: Set<string>) =>
  table.lines.filter((l) => [l.total, ...l.parts].filter((c) => suppressed.has(c)).length === 1);

describe('disclosure control', () => {
  it('suppresses counts 1–4 and leaves zeros and larger counts', () => {
    const table: CountTable = {
      cells: { a: 0, b: 1, c: 4, d: 5, e: 30 },
      lines: [],
    };
    expect(protect(table).primary).toEqual(['b', 'c']);
    expect(protect(table).suppressed).toEqual(['b', 'c']);
  });

  it('takes the threshold from the rule', () => {
    const table: CountTable = { cells: { a: 9, b: 10 }, lines: [] };
    expect(protect(table, { threshold: 10 }).primary).toEqual(['a']);
    expect(() => protect(table, { threshold: 1 })).toThrow(/threshold/);
    expect(ruleText({ threshold: 10 })).toMatch(/from 1 to 9/);
  });

  it('suppresses the next-smallest non-zero cell of a row whose total is published', () => {
    // 3 alone would be 40 - 0 - 7 - 30.
    const table: CountTable = {
      cells: { total: 40, a: 3, b: 0, c: 7, d: 30 },
      lines: [{ total: 'total', parts: ['a', 'b', 'c', 'd'] }],
    };
    expect(protect(table).suppressed).toEqual(['a', 'c']);
  });

  it('protects through nested totals (offered = referred - awaiting offer)', () => {
    const table: CountTable = {
      cells: { referred: 50, awaiting: 2, offered: 48, refused: 10, accepted: 38 },
      lines: [
        { total: 'referred', parts: ['awaiting', 'offered'] },
        { total: 'offered', parts: ['refused', 'accepted'] },
      ],
    };
    const { suppressed } = protect(table);
    expect(suppressed).toContain('awaiting');
    expect(recoverable(table, new Set(suppressed))).toEqual([]);
  });

  it('a hidden cell is unknown to the reader, so it protects without being suppressed', () => {
    const table: CountTable = {
      cells: { n: 40, present: 3, absent: 37 },
      lines: [{ total: 'n', parts: ['present', 'absent'] }],
      hidden: ['absent'],
    };
    expect(protect(table).suppressed).toEqual(['present']);
  });

  it('finds recovery through two lines that subtraction from one total does not show', () => {
    // Row s1 has two suppressed cells, yet column s2 = a + c with c published gives a, then b.
    const table: CountTable = {
      cells: { a: 2, b: 8, c: 9, s1: 10, s2: 11 },
      lines: [
        { total: 's1', parts: ['a', 'b'] },
        { total: 's2', parts: ['a', 'c'] },
      ],
    };
    expect(recoverable(table, new Set(['a', 'b']))).toEqual(['a', 'b']);
    expect(recoverable(table, new Set(['a', 'b', 'c']))).toEqual([]);
  });

  it('property: for random two-way tables no suppressed cell can be recovered from the totals', () => {
    let suppressedSomething = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const counts = randomGrid(seed);
      const table = gridTable(counts);
      const { primary, suppressed } = protect(table);
      const s = new Set(suppressed);
      // Every small count is suppressed; nothing else changes value.
      for (const [id, v] of Object.entries(table.cells)) {
        if (v > 0 && v < 5)
          expect({ seed, id, suppressed: s.has(id) }).toEqual({ seed, id, suppressed: true });
      }
      expect(primary.every((c) => s.has(c))).toBe(true);
      expect({ seed, lines: linesWithOne(table, s) }).toEqual({ seed, lines: [] });
      expect({ seed, bridges: workedOutFromTotals(counts.length, counts[0].length, s) }).toEqual({
        seed,
        bridges: [],
      });
      if (s.size) suppressedSomething++;
    }
    // The generator must exercise the rule, or the property says nothing.
    expect(suppressedSomething).toBeGreaterThan(300);
  });

  it('the independent attack does find a cell the primary rule alone leaves exposed', () => {
    const counts = [
      [3, 20, 30],
      [10, 40, 50],
    ];
    const table = gridTable(counts);
    const primaryOnly = new Set(['r0c0']);
    expect(workedOutFromTotals(2, 3, primaryOnly)).toEqual(['r0c0']);
    expect(linesWithOne(table, primaryOnly).length).toBe(2);
  });

  it('two small counts whose published sum is 2 are both 1: bounds, not only linear algebra', () => {
    const table: CountTable = {
      cells: { a: 1, b: 1, s: 2, big: 40, t: 42 },
      lines: [
        { total: 's', parts: ['a', 'b'] },
        { total: 't', parts: ['s', 'big'] },
      ],
    };
    // Linear algebra alone finds nothing; a reader who knows each is 1..4 finds both.
    expect(recoverable(table, new Set(['a', 'b']))).toEqual([]);
    expect(recoverable(table, new Set(['a', 'b']), new Set(['a', 'b']))).toEqual(['a', 'b']);
    const { suppressed } = protect(table);
    expect(suppressed).toContain('s');
    expect(recoverable(table, new Set(suppressed), new Set(['a', 'b']))).toEqual([]);
  });

  it("money is a weighted relation: the issue's health and police figures give no count away", () => {
    // Q1-2026 (issue 14): health = £174.68 × (dv change + drug change); police = £1,260 × dv
    // change + £1,290 × drug change + £1,552.60 × ASB change; in pence.
    const cells = { dv_b: 11, dv_e: 4, dr_b: 17, dr_e: 9, asb_b: 21, asb_e: 4 };
    const health = 17468 * (11 - 4 + 17 - 9);
    const police = 126000 * (11 - 4) + 129000 * (17 - 9) + 155260 * (21 - 4);
    const table: CountTable = {
      cells: { ...cells, health, police, total: health + police },
      lines: [{ total: 'total', parts: ['health', 'police'] }],
      relations: [
        {
          terms: [
            ['health', -1n],
            ['dv_b', 17468n],
            ['dv_e', -17468n],
            ['dr_b', 17468n],
            ['dr_e', -17468n],
          ],
        },
        {
          terms: [
            ['police', -1n],
            ['dv_b', 126000n],
            ['dv_e', -126000n],
            ['dr_b', 129000n],
            ['dr_e', -129000n],
            ['asb_b', 155260n],
            ['asb_e', -155260n],
          ],
        },
      ],
      figures: ['health', 'police', 'total'],
    };
    // Suppressing only the small counts leaves both recoverable from the money.
    expect(recoverable(table, new Set(['dv_e', 'asb_e']))).toEqual(['dv_e', 'asb_e']);
    const { primary, suppressed } = protect(table);
    expect(primary).toEqual(['dv_e', 'asb_e']);
    expect(suppressed.some((c) => ['health', 'police', 'total'].includes(c))).toBe(true);
    expect(recoverable(table, new Set(suppressed), new Set(primary))).toEqual([]);
  });

  it('property: with money relations, the independent solver works out no suppressed count', () => {
    let money = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const domains = 2 + Math.floor(next() * 4);
      const cells: Record<string, number> = {};
      const relations: NonNullable<CountTable['relations']> = [];
      const lines: CountTable['lines'] = [];
      const hidden: string[] = [];
      const small = () => (next() < 0.4 ? 1 + Math.floor(next() * 4) : 5 + Math.floor(next() * 30));
      for (let d = 0; d < domains; d++) {
        const [b, e, rest] = [small(), small(), small()];
        Object.assign(cells, { [`b${d}`]: b, [`e${d}`]: e, [`n${d}`]: Math.max(b, e) + rest });
        cells[`nb${d}`] = cells[`n${d}`] - b;
        cells[`ne${d}`] = cells[`n${d}`] - e;
        hidden.push(`nb${d}`, `ne${d}`);
        lines.push(
          { total: `n${d}`, parts: [`b${d}`, `nb${d}`] },
          { total: `n${d}`, parts: [`e${d}`, `ne${d}`] },
        );
      }
      const agencies = 1 + Math.floor(next() * 3);
      for (let a = 0; a < agencies; a++) {
        const terms: [string, bigint][] = [[`m${a}`, -1n]];
        let v = 0;
        for (let d = 0; d < domains; d++) {
          if (next() < 0.4) continue;
          const unit = 1 + Math.floor(next() * 200000);
          terms.push([`b${d}`, BigInt(unit)], [`e${d}`, BigInt(-unit)]);
          v += unit * (cells[`b${d}`] - cells[`e${d}`]);
        }
        cells[`m${a}`] = v;
        relations.push({ terms });
      }
      const ms = Array.from({ length: agencies }, (_x, a) => `m${a}`);
      cells.mT = ms.reduce((s, m) => s + cells[m], 0);
      lines.push({ total: 'mT', parts: ms });
      const table: CountTable = { cells, lines, relations, hidden, figures: [...ms, 'mT'] };
      const { primary, suppressed } = protect(table);
      const unknown = new Set([...suppressed, ...hidden]);
      const known = new Map(
        Object.entries(cells)
          .filter(([c]) => !unknown.has(c))
          .map(([c, v]) => [c, BigInt(v)]),
      );
      const bounds = new Map<string, [bigint | null, bigint | null]>(
        [...unknown]
          .filter((c) => !table.figures!.includes(c))
          .map((c) => [c, primary.includes(c) ? [1n, 4n] : [0n, null]]),
      );
      const found = workOut(relationsOf(table), known, bounds, (c) => c.startsWith('m'));
      const counts = [...found.keys()].filter((c) => suppressed.includes(c) && !c.startsWith('m'));
      expect({ seed, counts }).toEqual({ seed, counts: [] });
      if (ms.some((m) => !suppressed.includes(m))) money++;
    }
    // Money is still published in most tables.
    expect(money).toBeGreaterThan(10);
  });
});
