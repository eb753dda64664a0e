import { type Column, fillPlaceholders, getTableColumns, type Table } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";

export const getDb = (env: Env) => drizzle(env.DB);
export type Db = ReturnType<typeof getDb>;

/** Binds a statement's named placeholders, ready for `D1Database.batch`. */
export type PreparedBatchStatement = (values: Record<string, unknown>) => D1PreparedStatement;

/**
 * A statement drizzle builds once (with `sql.placeholder`s) for a hot path: each use only binds.
 * Its rows come back as D1 gives them, keyed by column name: see `readRow`.
 */
export const prepareForBatch = (d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }): PreparedBatchStatement => {
  const { sql, params } = query.toSQL();
  const statement = d1.prepare(sql);
  return (values) => statement.bind(...fillPlaceholders(params, values));
};

/** Each table's columns by schema key, listed once: `readRow` runs for every message sent. */
const columnLists = new WeakMap<Table, [string, Column][]>();

/** A row of `table` as D1 returns it (keyed by column name), keyed and typed as the schema says. */
export const readRow = <T extends Table>(table: T, row: Record<string, unknown>): T["$inferSelect"] => {
  let columns = columnLists.get(table);
  if (!columns) columnLists.set(table, (columns = Object.entries(getTableColumns(table))));
  const out: Record<string, unknown> = {};
  for (const [key, column] of columns) out[key] = column.mapFromDriverValue(row[column.name]);
  return out as T["$inferSelect"];
};
