/**
 * The first page load's JS and CSS, gzipped: the files index.html pulls in (module scripts,
 * stylesheets, modulepreloads) plus, transitively, the static imports of those scripts. Lazily
 * imported chunks (`import()`) are listed but not counted: the first load does not wait for them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { gzipSync } from "node:zlib";

export interface WebFile {
  path: string;
  kind: "js" | "css";
  bytes: number;
  gzip: number;
}

export interface WebResult {
  distDir: string;
  source: string;
  files: WebFile[];
  lazy: { path: string; gzip: number }[];
  jsGzip: number;
  cssGzip: number;
  totalGzip: number;
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']+)["']`, "i").exec(tag)?.[1];

/** Paths (relative to dist) of the JS and CSS that index.html fetches itself. */
export const entryAssets = (html: string): string[] => {
  const found: string[] = [];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attr(tag, "src");
    if (src) found.push(src);
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = attr(tag, "rel")?.toLowerCase().split(/\s+/) ?? [];
    const href = attr(tag, "href");
    if (href && (rel.includes("stylesheet") || rel.includes("modulepreload"))) found.push(href);
  }
  return found.filter((p) => !/^[a-z]+:\/\//i.test(p) && !p.startsWith("//")).map((p) => p.replace(/^\//, "").split(/[?#]/)[0]!);
};

const staticImports = (code: string) =>
  [...code.matchAll(/(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.(?:js|mjs|css))["']/g)].map((m) => m[1]!);
const dynamicImports = (code: string) => [...code.matchAll(/\bimport\(\s*["']([^"']+\.m?js)["']\s*\)/g)].map((m) => m[1]!);

/** True when dist holds a real build: index.html with at least one script that exists. */
export const isBuilt = (distDir: string): boolean => {
  const index = join(distDir, "index.html");
  if (!existsSync(index)) return false;
  const assets = entryAssets(readFileSync(index, "utf8"));
  return assets.some((a) => /\.m?js$/.test(a)) && assets.every((a) => existsSync(join(distDir, a)));
};

export const measureWeb = (distDir: string, source: string): WebResult => {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const seen = new Set<string>();
  const lazySeen = new Set<string>();
  const files: WebFile[] = [];
  const queue = entryAssets(html);
  const resolveFrom = (from: string, spec: string) =>
    spec.startsWith("/") ? spec.slice(1) : normalize(join(dirname(from), spec)).replace(/\\/g, "/");
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const kind = path.endsWith(".css") ? "css" : /\.m?js$/.test(path) ? "js" : null;
    if (!kind) continue;
    const full = join(distDir, path);
    if (!existsSync(full)) throw new Error(`index.html references ${path}, which is not in ${distDir}`);
    const content = readFileSync(full);
    files.push({ path, kind, bytes: content.length, gzip: gzipSync(content).length });
    if (kind === "js") {
      const code = content.toString("utf8");
      for (const spec of staticImports(code)) if (spec.startsWith(".") || spec.startsWith("/")) queue.push(resolveFrom(path, spec));
      for (const spec of dynamicImports(code)) if (spec.startsWith(".") || spec.startsWith("/")) lazySeen.add(resolveFrom(path, spec));
    }
  }
  const lazy = [...lazySeen]
    .filter((p) => !seen.has(p) && existsSync(join(distDir, p)))
    .map((p) => ({ path: p, gzip: gzipSync(readFileSync(join(distDir, p))).length }));
  const sum = (k: "js" | "css") => files.filter((f) => f.kind === k).reduce((a, f) => a + f.gzip, 0);
  return {
    distDir: relative(process.cwd(), distDir) || distDir,
    source,
    files,
    lazy,
    jsGzip: sum("js"),
    cssGzip: sum("css"),
    totalGzip: sum("js") + sum("css"),
  };
};
