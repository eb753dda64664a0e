// drizzle-kit writes the room log's migrations as JavaScript that imports each .sql file as text
// (wrangler.toml's Text rule; vitest.config.ts's sql plugin); this types it for TypeScript.
declare const migrations: { journal: { entries: { idx: number; when: number; tag: string; breakpoints: boolean }[] }; migrations: Record<string, string> };
export default migrations;
