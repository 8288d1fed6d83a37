import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase } from "../../db/handle";
import { ensureBuild, freePort, startAppServer, type AppServer } from "./support/app-server";
import { Browser } from "./support/browser";
import { createMigratedDatabase, findPostgresServer, type TestDatabase } from "./support/postgres";
import { makePractice, type Practice } from "./support/practice";

// WEB_CONCURRENCY=2 on Postgres: one primary process and two workers answering on one port.
// People's requests land on either worker; a worker that dies is replaced while the other keeps
// answering; SIGTERM stops the lot cleanly. Process ids come from /proc (Linux, as CI runs).

const server = await findPostgresServer();
const skipped = server ? "" : " — skipped: no Postgres server (set DATABASE_URL, or run one on 127.0.0.1:5432)";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every process below `pid`, with its parent. */
function descendants(pid: number): { pid: number; parent: number }[] {
  const all = fs
    .readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        // The command name is in parentheses and may hold spaces; the parent pid follows it.
        const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return [{ pid: Number(name), parent }];
      } catch {
        return [];
      }
    });
  const found: { pid: number; parent: number }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const p of all.filter((q) => q.parent === next)) {
      found.push(p);
      queue.push(p.pid);
    }
  }
  return found;
}

/** The server's workers: the processes at the bottom of its tree (tsx → primary → workers). */
function workers(app: AppServer) {
  const tree = descendants(app.process.pid!);
  return tree.filter((p) => !tree.some((q) => q.parent === p.pid)).map((p) => p.pid);
}

/** A GET on a connection of its own (no keep-alive), so the primary deals it to the next worker. */
function statusOnNewConnection(url: string, cookie: string) {
  return new Promise<number>((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { Cookie: cookie }, timeout: 20_000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", reject);
    request.on("timeout", () => request.destroy(new Error(`no answer from ${url} within 20 s`)));
  });
}

async function until<T>(what: string, read: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = read();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`waited ${ms} ms for ${what}`);
}

describe.skipIf(!server)(`several server processes on one port (WEB_CONCURRENCY)${skipped}`, () => {
  let database: TestDatabase;
  let practice: Practice;
  let app: AppServer;

  beforeAll(async () => {
    await ensureBuild();
    database = await createMigratedDatabase(server!, "cairn_processes");
    practice = await makePractice(database.url, { coaches: 1, clients: 1 });
    app = await startAppServer({ port: await freePort(4140, 4149), databaseUrl: database.url, env: { WEB_CONCURRENCY: "2" } });
    // The primary says it is running once every worker listens.
    await until("the primary's announcement", () => (app.output().includes("2 server processes") ? true : undefined));
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await closeDatabase().catch(() => {});
    await database?.drop();
  });

  it("answers from two workers, replaces one that dies while the other keeps answering, and stops cleanly on SIGTERM", async () => {
    const first = workers(app);
    expect(first).toHaveLength(2);

    const coach = practice.coaches[0]!;
    const browser = new Browser(app.url);
    expect((await browser.signIn(coach.email, practice.password)).status).toBe(302);
    // Each request on a new connection: the primary deals connections to the workers in turn,
    // so the session must be good on both.
    const triage = () => statusOnNewConnection(`${app.url}/triage`, browser.cookieHeader());
    for (let i = 0; i < 6; i++) expect(await triage()).toBe(200);
    // Public files still come from the build (pages skip that lookup).
    const favicon = await fetch(`${app.url}/favicon.svg`);
    expect([favicon.status, favicon.headers.get("Content-Type")]).toEqual([200, "image/svg+xml"]);
    expect(await favicon.text()).toContain("<svg");

    process.kill(first[0]!, "SIGKILL");
    // Once the primary has seen it go (until then it may still deal it a connection, which is
    // lost with it), the other worker answers everything, before any replacement is up.
    await until("the primary to notice", () => (app.output().includes(`server process ${first[0]} stopped (SIGKILL)`) ? true : undefined));
    for (let i = 0; i < 4; i++) expect(await triage()).toBe(200);
    const replaced = await until("a replacement worker", () => {
      const now = workers(app);
      return now.length === 2 && !now.includes(first[0]!) ? now : undefined;
    });
    expect(replaced).toContain(first[1]!);
    const newcomer = replaced.find((pid) => pid !== first[1])!;
    await until("the replacement to answer", () => (app.output().includes(`server process ${newcomer} is answering`) ? true : undefined), 60_000);
    for (let i = 0; i < 4; i++) expect(await triage()).toBe(200);

    await app.stop();
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain("SIGTERM: stopped");
    for (const pid of replaced) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    // A replacement starts a whole server; on a busy machine that takes a while.
  }, 240_000);
});
