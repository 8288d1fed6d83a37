import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase } from "../../db/handle";
import { ensureBuild, freePort, startAppServer, type AppServer } from "./support/app-server";
import { Browser, parseForms, visibleText } from "./support/browser";
import { createMigratedDatabase, findPostgresServer, type TestDatabase } from "./support/postgres";
import { makePractice, type Practice } from "./support/practice";

// Two app processes on one Postgres database, as behind a load balancer without sticky
// sessions: whatever one instance knows (sessions, what was written, sign-in failures), the other
// knows too. Each instance has its own APP_URL, and each request carries that instance's Origin.

const server = await findPostgresServer();
const skipped = server ? "" : " — skipped: no Postgres server (set DATABASE_URL, or run one on 127.0.0.1:5432)";

/** A second browser on `to`'s address carrying `from`'s cookies, as one person's requests would arrive at either instance. */
function sameCookies(from: Browser, to: AppServer) {
  const browser = new Browser(to.url);
  for (const [name, value] of from.cookies) browser.cookies.set(name, value);
  return browser;
}

describe.skipIf(!server)(`several app instances on one database${skipped}`, () => {
  let database: TestDatabase;
  let practice: Practice;
  let a: AppServer;
  let b: AppServer;

  beforeAll(async () => {
    await ensureBuild();
    database = await createMigratedDatabase(server!, "cairn_instances");
    practice = await makePractice(database.url, { coaches: 1, clients: 2 });
    a = await startAppServer({ port: await freePort(4130, 4139), databaseUrl: database.url });
    b = await startAppServer({ port: await freePort(a.port + 1, 4139), databaseUrl: database.url });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await closeDatabase().catch(() => {});
    await database?.drop();
  });

  it("signs in on one and keeps working on the other: the session, and what was written, are seen by both", async () => {
    const client = practice.clients[0]!;
    const onA = new Browser(a.url);
    expect((await onA.signIn(client.email, practice.password)).status).toBe(302);
    const onB = sameCookies(onA, b);

    const portal = await onB.get("/portal");
    expect(portal.status).toBe(200);
    expect(visibleText(portal.html)).toContain("Welcome, Client 1");

    const question = await onB.get(`/portal/questions/${client.threadId}`);
    expect(question.status).toBe(200);
    const form = parseForms(question.html, question.url).find((f) => f.controls.some((c) => c.name === "body") && f.buttons.some((c) => c.value === "reply"));
    expect(form).toBeDefined();
    const reply = `Posted on instance B at ${Date.now()}`;
    const posted = await onB.submit(form!, { body: reply }, { name: "intent", value: "reply" });
    expect(posted.status).toBe(302);

    const seenOnA = await onA.get(`/portal/questions/${client.threadId}`);
    expect(seenOnA.status).toBe(200);
    expect(visibleText(seenOnA.html)).toContain(reply);

    // Signing out on B ends the session on A as well.
    const home = await onB.get("/portal");
    const signOut = parseForms(home.html, home.url).find((f) => f.action.endsWith("/logout"));
    expect(signOut).toBeDefined();
    expect((await onB.submit(signOut!)).status).toBe(302);
    const afterSignOut = await onA.get("/portal");
    expect(afterSignOut.status).toBe(302);
    expect(afterSignOut.location).toContain("/login");
  });

  it("counts failed sign-ins across both instances: failures split between them lock the account", async () => {
    const client = practice.clients[1]!;
    const onA = new Browser(a.url);
    const onB = new Browser(b.url);
    // Five failures in all (the limit), alternating between the instances.
    for (let i = 0; i < 5; i++) {
      const failed = await (i % 2 === 0 ? onA : onB).signIn(client.email, `not the password ${i}`);
      expect(failed.status).toBe(400);
      expect(visibleText(failed.html)).toContain("That email and password don't match an account");
    }
    // Now even the right password is refused, on either instance.
    for (const browser of [onA, onB]) {
      const refused = await browser.signIn(client.email, practice.password);
      expect(refused.status).toBe(400);
      expect(visibleText(refused.html)).toContain("Too many sign-in attempts");
      expect(browser.cookies.has("cairn_session")).toBe(false);
    }
  });
});
