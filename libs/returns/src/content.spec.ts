import {
  DraftTable,
  ReturnContent,
  displayValue,
  humanInstant,
  key,
  publish,
  returnCsv,
} from './content';
import { returnHtml } from './print';
import { changedCells } from './diff';
import { PTABLE_V1, perturbationStatement } from './cell-key';

const t = (
  id: string,
  cells: Record<string, number>,
  extra: Partial<DraftTable> = {},
): DraftTable => ({
  id,
  title: id,
  cohort: 'c',
  columns: Object.keys(cells).map((c) => ({ id: c, label: c, unit: 'families' as const })),
  rows: [
    {
      id: 'r',
      label: 'R, "quoted"',
      cells: Object.fromEntries(Object.entries(cells).map(([c, v]) => [c, { count: v }])),
    },
  ],
  lines: [],
  hidden: {},
  ...extra,
});

describe('publishing a return', () => {
  it('suppresses figures computed from a suppressed count, and rounds the rest', () => {
    const a = t('a', { n: 40, k: 3, m: 20 });
    a.columns.push(
      { id: 'k_pct', label: 'k %', unit: 'percent' },
      { id: 'm_pct', label: 'm %', unit: 'percent' },
    );
    a.rows[0].cells.k_pct = {
      derived: 7.5,
      from: [key('a', 'r', 'k'), key('a', 'r', 'n')],
      places: 1,
    };
    a.columns.push({ id: 'p', label: 'p', unit: 'p_value' });
    a.rows[0].cells.p = { derived: 3.14159e-12, from: [key('a', 'r', 'm')], significant: 3 };
    a.rows[0].cells.m_pct = {
      derived: 100 / 3,
      from: [key('a', 'r', 'm'), key('a', 'r', 'n')],
      places: 1,
    };
    const { sections, disclosure } = publish([{ section: { id: 's', title: 'S' }, tables: [a] }], {
      threshold: 5,
    });
    expect(sections[0].tables[0].rows[0].values).toEqual({
      n: 40,
      k: '[c]',
      m: 20,
      k_pct: '[c]',
      m_pct: 33.3,
      p: 3.14e-12,
    });
    expect(disclosure.suppressed).toEqual({ primary: 1, secondary: 0 });
  });

  it('looks across tables: a count shown again elsewhere is no protection, so the total goes', () => {
    const a = t(
      'a',
      { total: 30, x: 3, y: 27 },
      {
        lines: [{ total: key('a', 'r', 'total'), parts: [key('a', 'r', 'x'), key('a', 'r', 'y')] }],
      },
    );
    const b = t(
      'b',
      { y: 27, z: 50 },
      { lines: [{ total: key('a', 'r', 'y'), parts: [key('b', 'r', 'y')] }] },
    );
    const { sections } = publish([{ section: { id: 's', title: 'S' }, tables: [a, b] }], {
      threshold: 5,
    });
    const [pa, pb] = sections[0].tables.map((x) => x.rows[0].values);
    // Hiding y would not do: table b shows it. The total goes instead.
    expect(pa).toEqual({ total: '[c]', x: '[c]', y: 27 });
    expect(pb).toEqual({ y: 27, z: 50 });
  });

  const content = (v: number | string): ReturnContent => ({
    format: 'outcomes-ledger/return/1',
    return: {
      spec: 'fip-outcomes/1',
      title: 'T <b>',
      authority: 'leeds',
      periodStart: '2025-10-01',
      periodEnd: '2025-12-31',
    },
    provenance: {
      spec: 'fip-outcomes/1',
      position: '7',
      outcomeRules: { sources: ['natcen'], fingerprint: 'f' },
      unitCosts: null,
      software: 's@1',
      excludedForConsent: { referredInPeriod: 0, exitedInPeriod: '[c]' },
    },
    disclosure: {
      threshold: 5,
      symbol: '[c]',
      rule: 'Counts from 1 to 4, suppressed',
      suppressed: { primary: 0, secondary: 0 },
    },
    sections: [
      {
        id: 's',
        title: 'S',
        tables: [
          {
            id: 'a',
            title: 'A',
            cohort: 'c',
            columns: [{ id: 'n', label: 'N', unit: 'families' }],
            rows: [{ id: 'r', label: 'R, "q"', values: { n: v } }],
          },
        ],
      },
    ],
  });

  it('renders one tidy CSV line per value, quoting where needed, rule and provenance first', () => {
    const csv = returnCsv(content(12)).split('\n');
    expect(csv[0]).toBe('section,table,row,row_label,column,column_label,unit,value,cohort');
    expect(csv).toContain('return,disclosure,rule,,value,,text,"Counts from 1 to 4, suppressed",');
    expect(csv).toContain('s,a,r,"R, ""q""",n,N,families,12,c');
    // How many families the consent rule left out is a provenance line.
    expect(csv.find((l) => l.includes('excludedForConsent'))).toMatch(
      /referred in period 0; exited in period \[c\]/,
    );
  });

  it('defuses a formula-like value in a return CSV, as every CSV does', () => {
    const formula = content(12);
    formula.sections[0].tables[0].rows[0].label = '=HYPERLINK("http://x","y")';
    formula.return.title = '@SUM(1+1)';
    const csv = returnCsv(formula).split('\n');
    expect(csv).toContain(`s,a,r,"'=HYPERLINK(""http://x"",""y"")",n,N,families,12,c`);
    expect(csv).toContain("return,return,title,,value,,text,'@SUM(1+1),");
    expect(csv.filter((l) => /(^|,)"?[=+@]/.test(l))).toEqual([]);
  });

  it('renders printable HTML with everything escaped', () => {
    const html = returnHtml(content(12), 'abc');
    expect(html).toContain('T &lt;b&gt;');
    expect(html).toContain('<code>abc</code>');
    expect(html).not.toContain('T <b>');
  });

  it("writes values to their unit's precision in the CSV and the HTML (the JSON keeps the number)", () => {
    expect(displayValue('p_value', 0.00000763)).toBe('< 0.001');
    expect(displayValue('p_value', 0.0312)).toBe('0.0312');
    expect(displayValue('percent', 75)).toBe('75.0');
    expect(displayValue('gbp', 4304.1)).toBe('4304.10');
    expect(displayValue('families', '[c]')).toBe('[c]');
    expect(displayValue('percent', null)).toBe('');
  });

  it('says when a copy was built, in words and as the ISO instant, outside the content', () => {
    expect(humanInstant('2026-12-03T16:05:59.999Z')).toBe('3 December 2026 at 16:05 UTC');
    expect(humanInstant('2026-01-09T04:00:00.000Z')).toBe('9 January 2026 at 04:00 UTC');
    const html = returnHtml(content(12), 'abc', undefined, '2026-12-03T16:05:12.345Z');
    expect(html).toContain('Built 3 December 2026 at 16:05 UTC');
    expect(html).toContain('2026-12-03T16:05:12.345Z');
    expect(returnHtml(content(12), 'abc')).not.toContain('class="built"');
    const csv = returnCsv(content(12), '2026-12-03T16:05:12.345Z');
    expect(csv).toContain('return,build,built,,value,,text,3 December 2026 at 16:05 UTC,');
  });

  it('names the ptable in the disclosure note and the provenance: CSV and HTML', () => {
    const c = content(12);
    c.provenance.ptable = PTABLE_V1.id;
    c.disclosure.perturbation = perturbationStatement(PTABLE_V1);
    const csv = returnCsv(c).split('\n');
    expect(csv).toContain(`return,provenance,ptable,,value,,text,${PTABLE_V1.id},`);
    expect(csv).toContain(`return,disclosure,ptable,,value,,text,${PTABLE_V1.id},`);
    expect(csv).toContain('return,disclosure,maxPerturbation,,value,,text,5,');
    expect(csv).toContain('return,disclosure,variance,,value,,text,3,');
    expect(csv).toContain('return,disclosure,blockedUpTo,,value,,text,4,');
    expect(csv.find((l) => l.startsWith('return,disclosure,perturbation,'))).toContain(
      `perturbation table ${PTABLE_V1.id}`,
    );
    const html = returnHtml(c, 'abc');
    expect(html).toContain(`perturbation table ${PTABLE_V1.id}`);
    expect(html).toContain(`<dt>Perturbation table</dt><dd>${PTABLE_V1.id}</dd>`);
  });

  it('diffs two contents cell by cell', () => {
    expect(changedCells(content(12), content(12))).toEqual([]);
    expect(changedCells(content(12), content('[c]'))).toEqual([
      { section: 's', table: 'a', row: 'r', column: 'n', from: 12, to: '[c]' },
    ]);
  });
});
