import { fillPlaceholders } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";

export const getDb = (env: Env) => drizzle(env.DB);
export type Db = ReturnType<typeof getDb>;

/** Binds a statement's named placeholders, ready for `D1Database.batch`. */
export type PreparedBatchStatement = (values: Record<string, unknown>) => D1PreparedStatement;

/**
 * A statement drizzle builds once (with `sql.placeholder`s) for a hot path: each use only binds.
 * Its rows come back as D1 gives them, keyed by column name.
 */
export const prepareForBatch = (d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }): PreparedBatchStatement => {
  const { sql, params } = query.toSQL();
  const statement = d1.prepare(sql);
  return (values) => statement.bind(...fillPlaceholders(params, values));
};
