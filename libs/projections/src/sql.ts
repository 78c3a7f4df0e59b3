/* Small SQL builders the slices share: no table and no rule of their own. */
import type { Queryable } from './queryable';

/**
 * Adds a condition over one positional parameter: `add('a.x = ?', value)` appends `value` to
 * `params` and the clause, its `?` numbered, to `where`.
 */
export const conditionAdder =
  (params: unknown[], where: string[]) =>
  (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };

/** A SQL identifier named by code (a table or column), checked all the same before splicing. */
const identifier = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not an SQL identifier: ${name}`);
  return name;
};

/**
 * Writes `rows` (JSON objects with the table's column names) into `table`, as the table's own row
 * type, replacing on a `key` conflict every other column the rows carry (in the rows' key order).
 */
export async function upsertJsonRows(
  tx: Queryable,
  table: string,
  key: readonly string[],
  rows: readonly object[],
): Promise<void> {
  if (!rows.length) return;
  const t = identifier(table);
  const update = Object.keys(rows[0]).filter((c) => !key.includes(c));
  await tx.query(
    `INSERT INTO ${t}
     SELECT * FROM jsonb_populate_recordset(null::${t}, $1::jsonb)
     ON CONFLICT (${key.map(identifier).join(', ')}) DO UPDATE SET
       ${update.map((c) => `${identifier(c)} = excluded.${c}`).join(', ')}`,
    [JSON.stringify(rows)],
  );
}
