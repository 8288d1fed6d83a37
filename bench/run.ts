import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import autocannon from "autocannon";
import postgres from "postgres";
import type { LoggedQuery } from "../db/query-log";
import { BENCH_PASSWORD, BUSY_CASE_ID, checkDatabaseName, databaseUrl, LONG_THREAD_ID, PERSONAS } from "./dataset";
import { planFromLog, statementCount, type FloorPlan } from "./floor";

// The benchmark: `npm run bench -- <database> [--json] [--build]` on a database made by
// `npm run bench:seed`. BENCH_SECONDS (default 10) sets how long each page is loaded,
// BENCH_PORT (default 4210) the first of the three ports it uses, BENCH_PROCESSES (default: the
// number of CPUs) how many server processes the app and the floor each run.
//
// 1. Capture: the production build runs with CAIRN_QUERY_LOG; the admin, the busiest coach and
//    the busiest case's client sign in through the login form; each page is opened twice and
//    the second visit's statements are kept (the first may write what later visits only read,
//    like the hourly case-view record). The page's HTML gives its first-load JavaScript.
// 2. Load: the same build without the log (WEB_CONCURRENCY=BENCH_PROCESSES), and the floor
//    (bench/floor.ts, as many processes) replaying each page's statements; autocannon loads
//    each page on both, 10 connections, with the session cookie.
// 3. A table against the targets; --json also writes it to bench/results/.

const ROOT = path.resolve(import.meta.dirname, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const BASE_PORT = Number(process.env.BENCH_PORT ?? 4210);
// Server processes for the app (WEB_CONCURRENCY) and the floor alike: one per core by default, as
// the README recommends for production.
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? os.availableParallelism());
const TARGETS = { p95Ms: 100, ratio: 0.15, queries: 6, portalJsKb: 150 };

type Persona = keyof typeof PERSONAS;
type Page = { key: string; label: string; persona: Persona; path: string };

const PAGES: Page[] = [
  { key: "triage", label: "Triage queue", persona: "coach", path: "/triage" },
  { key: "thread", label: "Thread, 200 posts", persona: "coach", path: `/threads/${LONG_THREAD_ID}` },
  { key: "cases", label: "Cases by progress", persona: "admin", path: "/cases?sort=progress&dir=desc" },
  { key: "case", label: "Case page", persona: "coach", path: `/cases/${BUSY_CASE_ID}` },
  { key: "portal", label: "Client portal", persona: "client", path: "/portal" },
  { key: "admin", label: "Admin dashboard", persona: "admin", path: "/admin" },
];

const args = process.argv.slice(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Processes: only the ones started here, stopped by their own handle.

type Running = { name: string; child: ChildProcess; output: string[] };
const running: Running[] = [];
const cleanups: (() => void)[] = [];
let cwd = ROOT;

function start(name: string, script: string, scriptArgs: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...scriptArgs], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const proc: Running = { name, child, output: [] };
  const keep = (chunk: Buffer) => {
    proc.output.push(chunk.toString());
    if (proc.output.length > 200) proc.output.shift();
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  running.push(proc);
  return proc;
}

async function stop(proc: Running) {
  const index = running.indexOf(proc);
  if (index >= 0) running.splice(index, 1);
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once("exit", resolve));
  proc.child.kill("SIGTERM");
  if ((await Promise.race([exited, sleep(15_000).then(() => "late")])) === "late") proc.child.kill("SIGKILL");
}

async function waitUntilUp(proc: Running, url: string) {
  for (let i = 0; i < 600; i++) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} stopped:\n${proc.output.join("")}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${proc.name} didn't start within a minute:\n${proc.output.join("")}`);
}

// ---------------------------------------------------------------------------------------------
// Talking to the app like a browser

async function signIn(base: string, email: string) {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password: BENCH_PASSWORD }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.startsWith("cairn_session="));
  if (res.status !== 302 || !cookie) throw new Error(`signing in as ${email} answered ${res.status}`);
  return cookie;
}

async function getPage(base: string, page: Page, cookie: string) {
  const res = await fetch(`${base}${page.path}`, { headers: { Cookie: cookie }, redirect: "manual" });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${page.path} answered ${res.status} for ${page.persona}`);
  return body;
}

/** Gzipped size of every script the page loads before it is interactive (its /assets/*.js). */
async function firstLoadJs(base: string, html: string) {
  const urls = new Set([...html.matchAll(/["'](\/assets\/[^"']+\.js)["']/g)].map((m) => m[1]!));
  let gzipped = 0;
  for (const url of urls) {
    const res = await fetch(`${base}${url}`);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    gzipped += zlib.gzipSync(Buffer.from(await res.arrayBuffer())).length;
  }
  return { files: urls.size, kb: gzipped / 1024 };
}

/** Waits until nothing has been written to the query log for a moment. */
async function quiet(file: string) {
  let size = -1;
  for (let still = 0; still < 3; ) {
    await sleep(150);
    const now = fs.existsSync(file) ? fs.statSync(file).size : 0;
    still = now === size ? still + 1 : 0;
    size = now;
  }
  return size;
}

function readLog(file: string, from: number): LoggedQuery[] {
  const text = fs.readFileSync(file).subarray(from).toString();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LoggedQuery);
}

type Load = { rps: number; p50: number; p95: number; p99: number; requests: number; non2xx: number; errors: number; stealPercent: number | null };

/**
 * The machine's CPU time so far (Linux: /proc/stat), and how much of it the hypervisor gave to
 * other machines ("steal"). On a shared virtual machine steal comes and goes; while it is high,
 * every figure of the run is worse, so the table shows it beside each page.
 */
function cpuTimes(): { steal: number; total: number } | null {
  try {
    const fields = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { steal: fields[7] ?? 0, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

async function load(url: string, cookie: string, seconds: number): Promise<Load> {
  const times: number[] = [];
  const before = cpuTimes();
  const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: { cookie } });
  instance.on("response", (_client, _status, _bytes, ms) => times.push(ms));
  const result = await instance;
  const after = cpuTimes();
  times.sort((a, b) => a - b);
  const pct = (q: number) => times[Math.max(0, Math.ceil(q * times.length) - 1)] ?? NaN;
  return {
    rps: times.length / result.duration,
    p50: pct(0.5),
    p95: pct(0.95),
    p99: pct(0.99),
    requests: times.length,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    stealPercent: before && after && after.total > before.total ? (100 * (after.steal - before.steal)) / (after.total - before.total) : null,
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const name = checkDatabaseName(args.find((a) => !a.startsWith("--")));
  const url = databaseUrl(name);
  if (BASE_PORT < 1024 || !Number.isInteger(BASE_PORT)) throw new Error("BENCH_PORT must be a port number");

  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let machine;
  let dataset: Record<string, number>;
  try {
    const [version] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
    const tables = ["users", "cases", "plan_steps", "threads", "posts", "check_ins", "notifications", "audit_events"];
    const counts = await sql.unsafe<{ table: string; rows: number }[]>(
      tables.map((t) => `select '${t}' as table, count(*)::int as rows from ${t}`).join(" union all "),
    );
    dataset = Object.fromEntries(counts.map((c) => [c.table, c.rows]));
    machine = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      postgres: version?.version ?? "unknown",
    };
  } catch (error) {
    throw new Error(`can't read the benchmark database ${name} (run npm run bench:seed -- ${name} first): ${error instanceof Error ? error.message : error}`);
  } finally {
    await sql.end();
  }

  // A private copy of the app (sources, migrations and the build) to run from, so the benchmark
  // measures one consistent version even while the working tree changes underneath it.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-bench-"));
  cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
  const src = path.join(work, "src");
  for (const entry of ["app", "bench", "db", "migrations", "public", "server", "package.json", "remix.config.js", "tsconfig.json", "vite.config.ts"]) {
    fs.cpSync(path.join(ROOT, entry), path.join(src, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(src, "node_modules"), "dir");
  if (args.includes("--build") || !fs.existsSync(path.join(ROOT, "build/server/index.js"))) {
    console.log("Building the app…");
    const build = spawnSync("npx", ["remix", "vite:build"], { cwd: src, stdio: ["ignore", "ignore", "inherit"] });
    if (build.status !== 0) throw new Error("the build failed");
  } else {
    fs.cpSync(path.join(ROOT, "build"), path.join(src, "build"), { recursive: true });
  }
  cwd = src;

  const appEnv = (port: number): Record<string, string> => ({
    NODE_ENV: "production",
    DATABASE_URL: url,
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_URL: `http://127.0.0.1:${port}`,
    SMTP_URL: "",
    CAIRN_DEMO: "0",
    CAIRN_QUERY_LOG: "",
  });

  // 1. Capture
  const logFile = path.join(work, "queries.jsonl");
  const capturePort = BASE_PORT + 2;
  const captureBase = `http://127.0.0.1:${capturePort}`;
  console.log(`Capturing each page's statements (${name})…`);
  const capture = start("the app (capture)", "server/index.ts", [], { ...appEnv(capturePort), CAIRN_QUERY_LOG: logFile });
  const cookies = {} as Record<Persona, string>;
  const captured: Record<string, { queries: number; statements: string[]; js: { files: number; kb: number }; htmlKb: number }> = {};
  const plan: FloorPlan = {};
  try {
    await waitUntilUp(capture, `${captureBase}/healthz`);
    // Start-up housekeeping (expired sessions, check-in reminders) runs first.
    await quiet(logFile);
    for (const persona of Object.keys(PERSONAS) as Persona[]) cookies[persona] = await signIn(captureBase, PERSONAS[persona]);
    for (const page of PAGES) {
      await getPage(captureBase, page, cookies[page.persona]);
      const from = await quiet(logFile);
      const html = await getPage(captureBase, page, cookies[page.persona]);
      await quiet(logFile);
      const lines = readLog(logFile, Math.max(0, from));
      const groups = planFromLog(lines);
      plan[page.path] = groups;
      captured[page.key] = {
        queries: statementCount(groups),
        statements: lines.map((l) => l.query),
        js: await firstLoadJs(captureBase, html),
        htmlKb: Buffer.byteLength(html) / 1024,
      };
    }
  } finally {
    await stop(capture);
  }
  const planFile = path.join(work, "floor-plan.json");
  fs.writeFileSync(planFile, JSON.stringify(plan));

  // 2. Load
  const appPort = BASE_PORT;
  const floorPort = BASE_PORT + 1;
  const app = start("the app", "server/index.ts", [], { ...appEnv(appPort), WEB_CONCURRENCY: String(PROCESSES) });
  const floor = start("the floor", "bench/floor.ts", [planFile, String(floorPort), url, String(PROCESSES)], {});
  const rows = [];
  try {
    await waitUntilUp(app, `http://127.0.0.1:${appPort}/healthz`);
    await waitUntilUp(floor, `http://127.0.0.1:${floorPort}${PAGES[0]!.path}`);
    await sleep(2000);
    const warmup = Math.max(1, Math.round(SECONDS / 5));
    console.log(
      `Loading each page for ${SECONDS} s with ${CONNECTIONS} connections (after ${warmup} s of warm-up), app then floor, ${PROCESSES} server process${PROCESSES === 1 ? "" : "es"} each…`,
    );
    for (const page of PAGES) {
      const cookie = cookies[page.persona];
      const appUrl = `http://127.0.0.1:${appPort}${page.path}`;
      const floorUrl = `http://127.0.0.1:${floorPort}${page.path}`;
      await load(appUrl, cookie, warmup);
      const appLoad = await load(appUrl, cookie, SECONDS);
      await load(floorUrl, cookie, warmup);
      const floorLoad = await load(floorUrl, cookie, SECONDS);
      const c = captured[page.key]!;
      rows.push({ ...page, app: appLoad, floor: floorLoad, ratio: appLoad.rps / floorLoad.rps, ...c });
      console.log(`  ${page.label}: ${appLoad.rps.toFixed(0)} req/s (floor ${floorLoad.rps.toFixed(0)})`);
    }
  } finally {
    await stop(app);
    await stop(floor);
  }

  // 3. Report
  const mark = (ok: boolean) => (ok ? "✓" : "✗");
  const header = ["page", "app req/s", "floor req/s", "app/floor", "p50 ms", "p95 ms", "p99 ms", "queries/req", "JS gz KB", "HTML KB", "steal %"];
  const table = rows.map((r) => {
    const jsTarget = r.key === "portal" ? ` ${mark(r.js.kb <= TARGETS.portalJsKb)}` : "";
    const failed = r.app.non2xx + r.app.errors + r.floor.non2xx + r.floor.errors;
    return [
      r.label + (failed ? ` (${failed} failed!)` : ""),
      r.app.rps.toFixed(0),
      r.floor.rps.toFixed(0),
      `${(100 * r.ratio).toFixed(0)} % ${mark(r.ratio >= TARGETS.ratio)}`,
      r.app.p50.toFixed(1),
      `${r.app.p95.toFixed(1)} ${mark(r.app.p95 <= TARGETS.p95Ms)}`,
      r.app.p99.toFixed(1),
      `${r.queries} ${mark(r.queries <= TARGETS.queries)}`,
      `${r.js.kb.toFixed(1)}${jsTarget}`,
      r.htmlKb.toFixed(0),
      r.app.stealPercent === null ? "–" : r.app.stealPercent.toFixed(0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(
    `\n${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, Postgres ${machine.postgres}; ` +
      `${dataset.posts?.toLocaleString("en")} posts, ${dataset.threads?.toLocaleString("en")} threads, ${dataset.cases?.toLocaleString("en")} cases; ` +
      `${PROCESSES} server process${PROCESSES === 1 ? "" : "es"} for the app and the floor\n`,
  );
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of table) console.log(line(row));
  console.log(
    `\nTargets: p95 ≤ ${TARGETS.p95Ms} ms, app/floor ≥ ${TARGETS.ratio * 100} %, ≤ ${TARGETS.queries} queries per page (BEGIN/COMMIT count), ` +
      `portal JavaScript ≤ ${TARGETS.portalJsKb} KB gzipped. Latencies are the app's. Steal: the share of the machine's CPU ` +
      `time the hypervisor gave elsewhere while the app was loaded (0 on a machine of its own).`,
  );
  const failures = rows.reduce((n, r) => n + r.app.non2xx + r.app.errors + r.floor.non2xx + r.floor.errors, 0);
  if (failures) console.log(`\n${failures} requests failed or answered other than 2xx: the figures above are not valid.`);

  if (args.includes("--json")) {
    const dir = path.join(ROOT, "bench/results");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    const out = { at: new Date().toISOString(), database: name, seconds: SECONDS, connections: CONNECTIONS, processes: PROCESSES, machine, dataset, targets: TARGETS, pages: rows };
    fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`\nWrote ${path.relative(ROOT, file)}`);
  }
  if (failures) process.exitCode = 1;
}

main()
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const proc of [...running]) await stop(proc);
    for (const cleanup of cleanups) cleanup();
  });
