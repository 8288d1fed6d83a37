import path from "node:path";
import { UNSAFE_flatRoutes as flatRoutes } from "@remix-run/dev";
import remixConfig from "../../remix.config.js";

// The machinery behind the authorization matrix: which route files the app has and the URL each
// answers at (found by Remix's own flat-routes discovery, the function the Vite plugin calls when
// it builds the app), how a loader's or action's answer reads in the table, and the table itself.
// No database here, so the unit tests can check it on its own.

export const APP_DIRECTORY = path.resolve(import.meta.dirname, "../..", remixConfig.appDirectory ?? "app");

export type RouteFile = {
  /** The file name inside app/routes, e.g. "cases.$caseId.plans.$planId.tsx". */
  file: string;
  /** Absolute path, for a dynamic import. */
  modulePath: string;
  /** The URL pattern, e.g. "/cases/:caseId/plans/:planId"; "/*" for a splat. */
  pattern: string;
  /** The dynamic segments, in order: ["caseId", "planId"]. */
  params: string[];
};

type ManifestEntry = { id: string; parentId?: string; path?: string; file: string };

/** The full URL of a route: its own path joined to every parent layout's path. */
function fullPattern(manifest: Record<string, ManifestEntry>, entry: ManifestEntry): string {
  const segments: string[] = [];
  for (let at: ManifestEntry | undefined = entry; at; at = at.parentId ? manifest[at.parentId] : undefined) {
    if (at.path) segments.unshift(at.path);
  }
  return `/${segments.join("/")}`;
}

/** Every route module under app/routes, as the app's build sees them, sorted by file name. */
export function discoverRoutes(appDirectory = APP_DIRECTORY, ignoredRouteFiles = remixConfig.ignoredRouteFiles ?? []): RouteFile[] {
  const manifest = flatRoutes(appDirectory, ignoredRouteFiles) as Record<string, ManifestEntry>;
  return Object.values(manifest)
    .map((entry) => {
      const pattern = fullPattern(manifest, entry);
      return {
        file: path.relative(path.join(appDirectory, "routes"), path.join(appDirectory, entry.file)),
        modulePath: path.join(appDirectory, entry.file),
        pattern,
        params: [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]!),
      };
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** `pattern` with each `:param` replaced by its value (URL-encoded); a splat becomes `splat`. */
export function fillPattern(pattern: string, values: Record<string, string>, splat = "no-such-page"): string {
  return pattern
    .replace(/:(\w+)/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`no value for :${name} in ${pattern}`);
      return encodeURIComponent(value);
    })
    .replace(/\*$/, splat);
}

// ---------------------------------------------------------------------------------------------
// Outcomes: what one loader or action call answered, in the words of the table.

/**
 * - "ok": 200, data or a page
 * - "400": the form was refused by validation or a domain rule (so the access check was passed)
 * - "login": a redirect to /login (signed-out visitors, and signing out)
 * - "two-factor": a redirect to /login/two-factor (signed in with a password, a code still owed)
 * - "redirect:/path": any other redirect, ids written as their :param names
 * - "403", "404", other statuses as numbers
 * - "405": the module has no action, so Remix answers a POST with 405
 * - "no loader": the module has no loader; a GET renders the page with no server data
 * - "error: …": the call threw something other than a Response (a bug: Remix would answer 500)
 */
export type Outcome = "ok" | "400" | "login" | "two-factor" | "403" | "404" | "405" | "no loader" | `redirect:${string}` | `error: ${string}` | `${number}`;

/** Writes each known id in `text` as its name, e.g. "/cases/7f…" → "/cases/:caseId". */
export function nameIds(text: string, names: ReadonlyMap<string, string>): string {
  let named = text;
  for (const [id, name] of names) named = named.split(id).join(`:${name}`);
  return named;
}

export function outcomeOfResponse(response: Response, names: ReadonlyMap<string, string> = new Map()): Outcome {
  const { status } = response;
  if (status >= 300 && status < 400) {
    const location = response.headers.get("Location") ?? "";
    const url = new URL(location, "http://localhost:3000");
    if (url.pathname === "/login") return "login";
    if (url.pathname === "/login/two-factor") return "two-factor";
    return `redirect:${nameIds(url.pathname + url.search + url.hash, names)}`;
  }
  if (status === 200) return "ok";
  return `${status}`;
}

export type Answer = { outcome: Outcome; response: Response | null };

/** Calls a loader or action and reads its answer, returned or thrown. */
export async function callRoute(fn: () => Promise<unknown>, names: ReadonlyMap<string, string> = new Map()): Promise<Answer> {
  try {
    const result = await fn();
    const response = result instanceof Response ? result : new Response(JSON.stringify(result ?? null), { status: 200 });
    return { outcome: outcomeOfResponse(response, names), response };
  } catch (thrown) {
    if (thrown instanceof Response) return { outcome: outcomeOfResponse(thrown, names), response: thrown };
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return { outcome: `error: ${message.split("\n")[0]!.slice(0, 80)}`, response: null };
  }
}

// ---------------------------------------------------------------------------------------------
// The table: one row per route file and request, one cell per person.

export const PERSONAS = ["anonymous", "clientA", "clientB", "coachA", "coachB", "therapist", "admin", "adminCodeOwed"] as const;
export type Persona = (typeof PERSONAS)[number];

/** [route file, request, then one outcome per person in PERSONAS order]. */
export type MatrixRow = [file: string, request: string, ...cells: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]];

export const rowKey = (row: { 0: string; 1: string }) => `${row[0]} | ${row[1]}`;

/** Rows as they are written in the expected table's source, columns aligned. */
export function formatRows(rows: readonly (readonly string[])[]): string {
  const quoted = rows.map((row) => row.map((cell) => JSON.stringify(cell)));
  const widths = quoted.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length + 1)), []);
  return quoted.map((row) => `  [${row.map((cell, i) => (i < row.length - 1 ? `${cell},`.padEnd(widths[i]!) : cell)).join(" ")}],`).join("\n");
}

export type Comparison = {
  /** Route files with no row at all. */
  missingFiles: string[];
  /** Rows for route files that no longer exist. */
  staleFiles: string[];
  /** Requests the test makes that have no row, and rows for requests it no longer makes. */
  missingRows: string[];
  staleRows: string[];
  /** Cells that differ: "file | request | persona: expected X, got Y". */
  mismatches: string[];
  /** The rows that differ, as they would read with what the app answers now. */
  changedRows: MatrixRow[];
  /** The rows the table lacks, as the app answers now (a starting point to check, not to trust). */
  newRows: MatrixRow[];
};

export function compareMatrix(expected: readonly MatrixRow[], actual: readonly MatrixRow[], files: readonly string[]): Comparison {
  const expectedByKey = new Map(expected.map((row) => [rowKey(row), row]));
  const actualByKey = new Map(actual.map((row) => [rowKey(row), row]));
  const expectedFiles = new Set(expected.map((row) => row[0]));
  const existing = new Set(files);
  const result: Comparison = { missingFiles: [], staleFiles: [], missingRows: [], staleRows: [], mismatches: [], changedRows: [], newRows: [] };
  for (const file of files) if (!expectedFiles.has(file)) result.missingFiles.push(file);
  for (const file of expectedFiles) if (!existing.has(file)) result.staleFiles.push(file);
  for (const row of actual) {
    const want = expectedByKey.get(rowKey(row));
    if (!want) {
      if (expectedFiles.has(row[0])) result.missingRows.push(rowKey(row));
      result.newRows.push(row);
      continue;
    }
    let changed = false;
    PERSONAS.forEach((persona, i) => {
      if (want[i + 2] !== row[i + 2]) {
        changed = true;
        result.mismatches.push(`${rowKey(row)} | ${persona}: expected ${want[i + 2]}, got ${row[i + 2]}`);
      }
    });
    if (changed) result.changedRows.push(row);
  }
  for (const row of expected) {
    if (existing.has(row[0]) && !actualByKey.has(rowKey(row))) result.staleRows.push(rowKey(row));
  }
  return result;
}

/** The failure message: every problem at once, and the changed rows ready to paste. */
export function describeComparison(c: Comparison): string {
  const parts: string[] = [];
  for (const file of c.missingFiles) parts.push(`add a row for ${file}`);
  for (const file of c.staleFiles) parts.push(`remove the rows for ${file}: no such route file`);
  for (const key of c.missingRows) parts.push(`add a row for ${key}`);
  for (const key of c.staleRows) parts.push(`remove the row for ${key}: the test no longer makes that request`);
  if (c.mismatches.length) {
    parts.push(`${c.mismatches.length} cell(s) differ:`, ...c.mismatches.map((m) => `  ${m}`));
    parts.push("The changed rows as the app answers now:", formatRows(c.changedRows));
  }
  if (c.newRows.length) parts.push("The missing rows as the app answers now (check each cell against DESIGN.md):", formatRows(c.newRows));
  return parts.join("\n");
}
