/**
 * The registry of unit-cost tables and price indexes: the shipped files and any in
 * `UNIT_COST_TABLES_DIR`, each parsed and checked (tables.ts), and checked against the outcome
 * definitions before use.
 */
import { Env, loadConfig } from '@app/config';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  PriceIndex,
  UnitCostTable,
  UnitCostsInvalid,
  parsePriceIndex,
  parseUnitCostTable,
  refOf,
} from './tables';
import deflatorV1 from './tables/gdp-deflator.v1.json';
import ukUnitCostsV1 from './tables/uk-unit-costs.v1.json';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every table and index the calculator can be asked for, by `id@version`. */
export interface CostRegistry {
  tables: Map<string, UnitCostTable>;
  indexes: Map<string, PriceIndex>;
  /** `id@version` used when the caller names none. */
  defaultTable: string;
}

export const DEFAULT_TABLE_ID = 'uk-unit-costs';

/**
 * The shipped tables plus every `*.json` in `extraDir` (a file with `rows` is a unit-cost
 * table, one with `values` a price index). A table must name an index that exists.
 */
export function loadCostRegistry(options: { extraDir?: string } = {}): CostRegistry {
  const files: { name: string; raw: unknown }[] = [
    { name: 'uk-unit-costs.v1.json', raw: ukUnitCostsV1 },
    { name: 'gdp-deflator.v1.json', raw: deflatorV1 },
  ];
  if (options.extraDir) {
    for (const name of readdirSync(options.extraDir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      files.push({ name, raw: JSON.parse(readFileSync(join(options.extraDir, name), 'utf8')) });
    }
  }
  // The default is always the shipped table: an extra file is used only when named, so adding
  // one never changes a figure nobody asked to change.
  return buildRegistry(files, `${DEFAULT_TABLE_ID}@${ukUnitCostsV1.version}`);
}

export function buildRegistry(
  files: { name: string; raw: unknown }[],
  defaultTable?: string,
): CostRegistry {
  const tables = new Map<string, UnitCostTable>();
  const indexes = new Map<string, PriceIndex>();
  for (const { name, raw } of files) {
    const isTable = isRecord(raw) && 'rows' in raw;
    const parsed = isTable ? parseUnitCostTable(raw, name) : parsePriceIndex(raw, name);
    const into: Map<string, unknown> = isTable ? tables : indexes;
    if (into.has(refOf(parsed))) throw new UnitCostsInvalid(`${name}: ${refOf(parsed)} twice`);
    into.set(refOf(parsed), parsed);
  }
  for (const table of tables.values()) {
    if (!indexes.has(table.priceIndex)) {
      throw new UnitCostsInvalid(`${refOf(table)}: price index ${table.priceIndex} not found`);
    }
  }
  const first = [...tables.values()][0];
  return { tables, indexes, defaultTable: defaultTable ?? (first ? refOf(first) : '') };
}

/**
 * Every mapping must name a domain of the outcome definitions (a table mapping domains nobody
 * records would load and price nothing, silently: it is refused, naming each unknown key), and
 * one where fewer families is better, since it prices a condition going away ("no ASB" would
 * count the wrong way round).
 */
export function checkMappings(
  registry: CostRegistry,
  domains: { id: string; lowerIsBetter: boolean }[],
): void {
  for (const table of registry.tables.values()) {
    const unknown = table.mappings
      .map((m, i) => ({ at: `mappings[${i}].domain`, domain: m.domain }))
      .filter((m) => !domains.some((d) => d.id === m.domain));
    if (unknown.length) {
      throw new UnitCostsInvalid(
        `${refOf(table)}: ${unknown.map((u) => `${u.at} "${u.domain}"`).join(', ')} ${unknown.length === 1 ? 'is not an outcome domain' : 'are not outcome domains'} (known: ${domains.map((d) => d.id).join(', ')})`,
      );
    }
    for (const m of table.mappings) {
      if (domains.find((d) => d.id === m.domain)?.lowerIsBetter === false) {
        throw new UnitCostsInvalid(
          `${refOf(table)}: domain ${m.domain} is one where more families is better; only conditions can be costed`,
        );
      }
    }
  }
}

/** `UNIT_COST_TABLES_DIR`, as configured (for code outside the apps' providers). */
export const unitCostsDirFromEnv = (env?: Env): string | undefined =>
  loadConfig(env).unitCostTablesDir;
