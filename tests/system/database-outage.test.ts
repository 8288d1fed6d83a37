import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase } from "../../db/handle";
import { ensureBuild, freePort, startAppServer, type AppServer } from "./support/app-server";
import { Browser, parseForms, visibleText, type HtmlForm } from "./support/browser";
import { createMigratedDatabase, initOwnPostgres, postgresBinDir, type OwnPostgres } from "./support/postgres";
import { makePractice, type Practice } from "./support/practice";

// The database goes away while the app runs (a restart, a failover), then comes back. The app
// answers 503 with a page that says so — never a 500, never a form post that looks saved — and
// recovers by itself, with the same session, without a restart. The test runs a Postgres server
// of its own (initdb into a temporary folder) so it can stop and start it.

const binDir = postgresBinDir();
const skipped = binDir ? "" : " — skipped: the Postgres server programs (initdb, pg_ctl) are not installed";

const UNAVAILABLE = "Cairn can't reach its database right now; try again in a minute.";

describe.skipIf(!binDir)(`when the database goes away and comes back${skipped}`, () => {
  let pg: OwnPostgres;
  let app: AppServer;
  let practice: Practice;
  let sql: postgres.Sql;

  beforeAll(async () => {
    await ensureBuild();
    pg = initOwnPostgres(binDir!, await freePort(4180, 4199));
    pg.start();
    const database = await createMigratedDatabase(pg.url(), "cairn_outage");
    practice = await makePractice(database.url, { coaches: 1, clients: 1 });
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
    app = await startAppServer({ port: await freePort(4110, 4119), databaseUrl: database.url });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await sql?.end({ timeout: 1 }).catch(() => {});
    await closeDatabase().catch(() => {});
    pg?.remove();
  }, 60_000);

  const checkInForm = (html: string, url: string): HtmlForm => {
    const form = parseForms(html, url).find((f) => f.controls.some((c) => c.name === "whatHappened"));
    if (!form) throw new Error("no check-in form on the page");
    return form;
  };
  const checkIn = (note: string) => ({ mood: "4", progress: "6", closeness: "7", whatHappened: note, whatWasHard: "" });
  const savedCheckIns = async (note: string) => Number((await sql`select count(*)::int as n from check_ins where what_happened = ${note}`)[0]!.n);

  it("answers 503 with a page saying so while it is away, refuses to pretend a form was saved, and recovers by itself", async () => {
    const client = practice.clients[0]!;
    const browser = new Browser(app.url);
    expect((await browser.signIn(client.email, practice.password)).status).toBe(302);
    const before = await browser.get("/portal/check-in");
    expect(before.status).toBe(200);
    const staleForm = checkInForm(before.html, before.url);
    const sessionCookie = browser.cookieHeader();

    pg.stop();

    // A page: 503, the app's own page in plain words, with the id of the request to quote.
    const page = await browser.get("/portal");
    expect(page.status).toBe(503);
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(page.headers.get("Retry-After")).toBe("60");
    const words = visibleText(page.html);
    expect(words).toContain(UNAVAILABLE);
    expect(words).toContain(`mention request id ${page.headers.get("X-Request-Id")}`);
    expect(words).not.toContain("Something went wrong");

    // A form post: the same 503 page, no redirect to a "saved" message.
    const posted = await browser.submit(staleForm, checkIn("Written while the database was away"));
    expect(posted.status).toBe(503);
    expect(posted.location).toBeNull();
    expect(visibleText(posted.html)).toContain(UNAVAILABLE);

    // The home page (a redirect without a page of its own) and a navigation made in the browser.
    const home = await browser.get("/");
    expect(home.status).toBe(503);
    expect(visibleText(home.html)).toContain(UNAVAILABLE);
    expect(visibleText(home.html)).toContain(`mention request id ${home.headers.get("X-Request-Id")}`);
    const data = await browser.get("/portal/progress?_data=root");
    expect(data.status).toBe(503);
    expect(data.headers.get("X-Remix-Catch")).toBe("yes");
    expect(JSON.parse(data.html)).toEqual({ requestId: data.headers.get("X-Request-Id") });

    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(503);

    pg.start();

    // Back without a restart: the same process, the same session cookie, pages and forms work.
    expect(app.process.exitCode).toBeNull();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(browser.cookieHeader()).toBe(sessionCookie);
    const after = await browser.get("/portal/check-in");
    expect(after.status).toBe(200);
    const saved = await browser.submit(checkInForm(after.html, after.url), checkIn("Written once the database was back"));
    expect(saved.status).toBe(302);
    expect(saved.location).toMatch(/\/portal\/progress$/);
    const progress = await browser.get("/portal/progress");
    expect(visibleText(progress.html)).toContain("Written once the database was back");

    expect(await savedCheckIns("Written once the database was back")).toBe(1);
    expect(await savedCheckIns("Written while the database was away")).toBe(0);
    expect(app.output()).toMatch(/database unavailable \(connect ECONNREFUSED/);
  });
});
