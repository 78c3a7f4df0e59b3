/**
 * Unit-cost tables and price indexes are versioned data (JSON files), checked on load. Money is
 * held as integer pence and quantities and index values as scaled integers, so every figure the
 * calculator produces is exact and the same on every run.
 */

export const AGENCIES = [
  'police',
  'housing',
  'social_care',
  'education',
  'health',
  'criminal_justice',
  'dwp',
] as const;
export type Agency = (typeof AGENCIES)[number];

export const UNITS = ['occurrence', 'week'] as const;
export type Unit = (typeof UNITS)[number];

export interface UnitCostRow {
  outcome: string;
  label: string;
  unit: Unit;
  /** In pence, at the row's own price year. */
  costPence: bigint;
  agency: Agency;
  priceYear: number;
  source: string;
  /** 'cited': a published figure, source named; 'indicative': could not be verified. */
  evidence: 'cited' | 'indicative';
  note?: string;
  /**
   * Optional, as in the New Economy / GMCA cost-benefit model: thousandths of a percent of the
   * families improved who would have improved anyway (deadweight), and of the rest, the
   * percentage owed to this programme rather than to other services (attribution). Absent: not
   * given (the gross figure is not adjusted for it, and the answer says so).
   */
  deadweightMilliPct?: bigint;
  attributionMilliPct?: bigint;
  /** Where the deadweight and attribution come from (required when either is given). */
  adjustmentSource?: string;
}

/** How many units of a costed outcome a family with a domain's condition is taken to incur. */
export interface CostMapping {
  domain: string;
  outcome: string;
  /** Thousandths of a unit (e.g. 26 weeks = 26000). */
  quantityMilli: bigint;
  rationale: string;
}

export interface UnitCostTable {
  id: string;
  version: number;
  title: string;
  /** The price year figures are reported in unless the caller asks for another. */
  priceYear: number;
  /** `id@version` of the price index used to uplift rows to a common year. */
  priceIndex: string;
  rows: UnitCostRow[];
  mappings: CostMapping[];
}

export interface PriceIndex {
  id: string;
  version: number;
  /** What the series is (e.g. "GDP deflator at market prices ..."), named in every answer. */
  title: string;
  source: string;
  /** Why the evidence is what it is (e.g. what must replace an indicative series). */
  note?: string;
  evidence: 'cited' | 'indicative';
  /** Index value by year, in thousandths. */
  values: Map<number, bigint>;
}

export class UnitCostsInvalid extends Error {
  override readonly name = 'UnitCostsInvalid';
}

/** `id@version` of a table or index. */
export const refOf = (t: { id: string; version: number }) => `${t.id}@${t.version}`;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const CODE = /^[a-z][a-z0-9_]{0,63}$/;
const FILE_ID = /^[a-z][a-z0-9_-]{0,63}$/;
const YEAR = (v: unknown): v is number => Number.isInteger(v) && Number(v) >= 1900;

/** "646.00" → 64600n. Two decimals at most, never a float. */
export function parsePounds(text: string): bigint {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new UnitCostsInvalid(`"${text}" is not an amount in pounds (e.g. "646.00")`);
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/** "26" or "0.5" → thousandths. */
export function parseMilli(text: string): bigint {
  const m = /^(\d{1,9})(?:\.(\d{1,3}))?$/.exec(text);
  if (!m) throw new UnitCostsInvalid(`"${text}" is not a decimal with at most 3 places`);
  return BigInt(m[1]) * 1000n + BigInt((m[2] ?? '').padEnd(3, '0'));
}

function header(raw: unknown, where: string) {
  const fail = (message: string): never => {
    throw new UnitCostsInvalid(`${where}: ${message}`);
  };
  if (!isRecord(raw)) fail('must be a JSON object');
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || !FILE_ID.test(r.id)) fail('id must be a lower-case code');
  if (!Number.isInteger(r.version) || (r.version as number) < 1) {
    fail('version must be a positive integer');
  }
  return { r, fail };
}

/** Refuses a key the format does not have (a misspelt `deadweigth` must not be ignored). */
function onlyKeys(
  o: Record<string, unknown>,
  allowed: readonly string[],
  at: string,
  fail: (m: string) => never,
) {
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    fail(
      `${at}unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')})`,
    );
  }
}

const TABLE_KEYS = [
  'id',
  'version',
  'title',
  'priceYear',
  'priceIndex',
  'note',
  'rows',
  'mappings',
];
const ROW_KEYS = [
  'outcome',
  'label',
  'unit',
  'cost',
  'agency',
  'priceYear',
  'source',
  'evidence',
  'note',
  'deadweight',
  'attribution',
  'adjustmentSource',
];
const MAPPING_KEYS = ['domain', 'outcome', 'quantity', 'rationale'];
const INDEX_KEYS = ['id', 'version', 'title', 'source', 'evidence', 'note', 'values'];

/** "25" or "27.5" (percent, 0 to 100, at most 3 places) → thousandths of a percent. */
export function parsePercent(text: unknown): bigint {
  const v = typeof text === 'string' ? parseMilli(text) : -1n;
  if (v < 0n || v > 100_000n) {
    throw new UnitCostsInvalid(`"${String(text)}" is not a percentage from 0 to 100 (e.g. "25")`);
  }
  return v;
}

const text = (v: unknown, at: string, fail: (m: string) => never): string =>
  typeof v === 'string' && v.trim() ? v : fail(`${at} must be text`);

export function parseUnitCostTable(raw: unknown, where: string): UnitCostTable {
  const { r, fail } = header(raw, where);
  onlyKeys(r, TABLE_KEYS, '', fail);
  if (!YEAR(r.priceYear)) fail('priceYear must be a year');
  if (typeof r.priceIndex !== 'string' || !/^[a-z][a-z0-9_-]*@\d+$/.test(r.priceIndex)) {
    fail('priceIndex must be id@version');
  }
  if (!Array.isArray(r.rows) || r.rows.length === 0) fail('rows must be a list');
  const guard = <T>(at: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      return fail(`${at}: ${(e as Error).message}`);
    }
  };
  const rows = (r.rows as unknown[]).map((row, i): UnitCostRow => {
    const at = `rows[${i}]`;
    if (!isRecord(row)) return fail(`${at} must be an object`);
    onlyKeys(row, ROW_KEYS, `${at}: `, fail);
    if (typeof row.outcome !== 'string' || !CODE.test(row.outcome)) {
      fail(`${at}.outcome must be a lower-case code`);
    }
    if (!UNITS.includes(row.unit as Unit)) fail(`${at}.unit must be one of ${UNITS.join(', ')}`);
    if (!AGENCIES.includes(row.agency as Agency)) {
      fail(`${at}.agency must be one of ${AGENCIES.join(', ')}`);
    }
    if (!YEAR(row.priceYear)) fail(`${at}.priceYear must be a year`);
    if (row.evidence !== 'cited' && row.evidence !== 'indicative') {
      fail(`${at}.evidence must be cited or indicative`);
    }
    if (typeof row.cost !== 'string') fail(`${at}.cost must be a string of pounds, e.g. "646.00"`);
    const adjusted = row.deadweight !== undefined || row.attribution !== undefined;
    return {
      outcome: row.outcome as string,
      label: text(row.label, `${at}.label`, fail),
      unit: row.unit as Unit,
      costPence: guard(`${at}.cost`, () => parsePounds(row.cost as string)),
      agency: row.agency as Agency,
      priceYear: row.priceYear as number,
      source: text(row.source, `${at}.source`, fail),
      evidence: row.evidence as 'cited' | 'indicative',
      ...(typeof row.note === 'string' ? { note: row.note } : {}),
      ...(row.deadweight !== undefined
        ? { deadweightMilliPct: guard(`${at}.deadweight`, () => parsePercent(row.deadweight)) }
        : {}),
      ...(row.attribution !== undefined
        ? { attributionMilliPct: guard(`${at}.attribution`, () => parsePercent(row.attribution)) }
        : {}),
      ...(adjusted || row.adjustmentSource !== undefined
        ? { adjustmentSource: text(row.adjustmentSource, `${at}.adjustmentSource`, fail) }
        : {}),
    };
  });
  const outcomes = new Set<string>();
  for (const row of rows) {
    if (outcomes.has(row.outcome)) fail(`outcome ${row.outcome} appears twice`);
    outcomes.add(row.outcome);
  }
  if (!Array.isArray(r.mappings)) fail('mappings must be a list');
  const mappings = (r.mappings as unknown[]).map((m, i): CostMapping => {
    const at = `mappings[${i}]`;
    if (!isRecord(m)) return fail(`${at} must be an object`);
    onlyKeys(m, MAPPING_KEYS, `${at}: `, fail);
    if (typeof m.domain !== 'string' || !CODE.test(m.domain)) {
      fail(`${at}.domain must be an outcome domain id`);
    }
    if (!outcomes.has(m.outcome as string)) fail(`${at}.outcome must be one of the rows`);
    if (typeof m.quantity !== 'string') fail(`${at}.quantity must be a decimal string`);
    return {
      domain: m.domain as string,
      outcome: m.outcome as string,
      quantityMilli: guard(`${at}.quantity`, () => parseMilli(m.quantity as string)),
      rationale: text(m.rationale, `${at}.rationale`, fail),
    };
  });
  return {
    id: r.id as string,
    version: r.version as number,
    title: text(r.title, 'title', fail),
    priceYear: r.priceYear as number,
    priceIndex: r.priceIndex as string,
    rows,
    mappings,
  };
}

export function parsePriceIndex(raw: unknown, where: string): PriceIndex {
  const { r, fail } = header(raw, where);
  onlyKeys(r, INDEX_KEYS, '', fail);
  if (!isRecord(r.values)) return fail('values must be an object of year → index');
  const values = new Map<number, bigint>();
  for (const [year, value] of Object.entries(r.values)) {
    if (!/^\d{4}$/.test(year)) fail(`values: ${year} is not a year`);
    if (typeof value !== 'string') fail(`values.${year} must be a decimal string`);
    try {
      values.set(Number(year), parseMilli(value as string));
    } catch (e) {
      fail(`values.${year}: ${(e as Error).message}`);
    }
    if (values.get(Number(year)) === 0n) fail(`values.${year} must be positive`);
  }
  if (r.evidence !== 'cited' && r.evidence !== 'indicative') {
    fail('evidence must be cited or indicative');
  }
  return {
    id: r.id as string,
    version: r.version as number,
    title: text(r.title, 'title', fail),
    source: text(r.source, 'source', fail),
    ...(typeof r.note === 'string' ? { note: r.note } : {}),
    evidence: r.evidence as 'cited' | 'indicative',
    values,
  };
}
