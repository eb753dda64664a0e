import { defineConfig } from "drizzle-kit";

/** The room objects' own SQLite (durable-objects/room-log); D1's tables are drizzle.config.ts's. */
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./durable-objects/room-log/schema.ts",
  out: "./durable-objects/room-log/migrations",
});
