import postgres from "postgres";
import { closeDatabase } from "../../db/handle";
import { ensureBuild, freePort, startAppServer, type AppServer } from "../system/support/app-server";
import { Browser, parseForms, type HtmlForm, type Page, type SubmitButton } from "../system/support/browser";
import { createMigratedDatabase, findPostgresServer, type TestDatabase } from "../system/support/postgres";
import { makePractice, type Practice, type PracticeClient, type PracticeCoach } from "../system/support/practice";

// Load without loss: `npm run test:load`. Clients and coaches use the production server at the
// same time, as browsers without JavaScript would: sign in, read pages, and send forms (portal
// replies, staff replies, check-ins, step status changes) as rendered, hidden fields included.
// Every write the server acknowledged (a redirect after the post) carries a unique marker; at the
// end each one must be in the database exactly once, and no request may have failed with a 5xx.
// Prints throughput and latency per kind of request; exits 1 on any loss or failure.
//
//   LOAD_SECONDS  how long the users work (default 60)
//   LOAD_USERS    virtual users, one account each, a fifth of them coaches (default 20)
//   DATABASE_URL  the Postgres server to create the run's database on (default: the local one)

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const USERS = Number(process.env.LOAD_USERS ?? 20);
if (!(SECONDS > 0) || !(USERS >= 2)) {
  console.error("LOAD_SECONDS must be a positive number and LOAD_USERS at least 2");
  process.exit(2);
}
const run = Date.now().toString(36);

type Kind = "sign in" | "page" | "portal reply" | "staff reply" | "check-in" | "step status";
const KINDS: Kind[] = ["sign in", "page", "portal reply", "staff reply", "check-in", "step status"];
const WRITES: Kind[] = ["portal reply", "staff reply", "check-in", "step status"];

const latencies = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
const serverErrors: string[] = [];
const unexpected: string[] = [];
const acknowledged = {
  replies: new Set<string>(),
  checkIns: new Set<string>(),
  /** step id → the notes acknowledged for it, in order */
  steps: new Map<string, string[]>(),
};

let deadline = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request, timed and checked: a 5xx, a transport error or an unexpected status is recorded. */
async function timed(kind: Kind, expected: number[], send: () => Promise<Page>): Promise<Page | null> {
  const started = performance.now();
  let page: Page;
  try {
    page = await send();
  } catch (error) {
    unexpected.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  latencies.get(kind)!.push(performance.now() - started);
  if (page.status >= 500) serverErrors.push(`${kind} ${page.url}: ${page.status} (request ${page.headers.get("X-Request-Id")})`);
  else if (!expected.includes(page.status)) unexpected.push(`${kind} ${page.url}: ${page.status}`);
  return expected.includes(page.status) ? page : null;
}

/** A post the server acknowledged: a redirect (not to the sign-in page), followed like a browser does. */
async function acknowledgedPost(browser: Browser, kind: Kind, send: () => Promise<Page>) {
  const answer = await timed(kind, [302, 303], send);
  if (!answer?.location || new URL(answer.location).pathname === "/login") {
    if (answer) unexpected.push(`${kind}: redirected to the sign-in page`);
    return false;
  }
  await timed("page", [200], () => browser.get(answer.location!));
  return true;
}

function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

function formWith(page: Page, test: (form: HtmlForm) => boolean) {
  return parseForms(page.html, page.url).find(test) ?? null;
}

const hasControl = (form: HtmlForm, name: string) => form.controls.some((c) => c.name === name);
const button = (form: HtmlForm, value: string | RegExp): SubmitButton | undefined =>
  form.buttons.find((b) => (typeof value === "string" ? b.value === value : value.test(b.value)));

async function signIn(browser: Browser, email: string, password: string) {
  const answer = await timed("sign in", [302, 303], () => browser.signIn(email, password));
  if (!answer) throw new Error(`could not sign in as ${email}`);
}

async function signOutAndIn(browser: Browser, email: string, password: string, home: string) {
  const page = await timed("page", [200], () => browser.get(home));
  const signOut = page && formWith(page, (f) => new URL(f.action).pathname === "/logout");
  if (signOut) await timed("page", [302, 303], () => browser.submit(signOut));
  await signIn(browser, email, password);
}

// The main reply form of a thread page: a body, a "reply" button, and no parent (nested replies have one).
const mainReplyForm = (page: Page) =>
  formWith(page, (f) => hasControl(f, "body") && Boolean(button(f, "reply")) && !f.controls.some((c) => c.name === "parentId" && c.value));

async function clientUser(vu: number, client: PracticeClient, password: string, server: AppServer) {
  const browser = new Browser(server.url);
  await signIn(browser, client.email, password);
  for (let n = 1; Date.now() < deadline; n++) {
    const marker = `load-${run}-${vu}-${n}`;
    const choice = Math.random();
    if (choice < 0.4) {
      const page = await timed("page", [200], () => browser.get(`/portal/questions/${client.threadId}`));
      const form = page && mainReplyForm(page);
      if (!form) continue;
      const ok = await acknowledgedPost(browser, "portal reply", () =>
        browser.submit(form, { body: `Thank you, I tried it this week. ${marker}` }, button(form, "reply")),
      );
      if (ok) acknowledged.replies.add(marker);
    } else if (choice < 0.7) {
      const page = await timed("page", [200], () => browser.get("/portal/check-in"));
      const form = page && formWith(page, (f) => hasControl(f, "whatHappened"));
      if (!form) continue;
      const scores = { mood: String(1 + (n % 5)), progress: String(1 + (n % 10)), closeness: String(1 + ((n * 3) % 10)) };
      const ok = await acknowledgedPost(browser, "check-in", () =>
        browser.submit(form, { ...scores, whatHappened: `We talked over dinner. ${marker}`, whatWasHard: "Finding the time." }),
      );
      if (ok) acknowledged.checkIns.add(marker);
    } else {
      const page = await timed("page", [200], () => browser.get("/portal"));
      const forms = page ? parseForms(page.html, page.url).filter((f) => hasControl(f, "reflection") && button(f, /^(start|done|reopen):/)) : [];
      if (!forms.length) continue;
      const form = pick(forms);
      const clicked = button(form, /^start:/) ?? button(form, /^done:/) ?? button(form, /^reopen:/)!;
      const stepId = clicked.value.split(":")[1]!;
      const note = `It went better than expected. ${marker}`;
      const ok = await acknowledgedPost(browser, "step status", () => browser.submit(form, { reflection: note }, clicked));
      if (ok) acknowledged.steps.set(stepId, [...(acknowledged.steps.get(stepId) ?? []), note]);
    }
    if (n % 15 === 0) await signOutAndIn(browser, client.email, password, "/portal");
    await sleep(Math.random() * 100);
  }
}

async function coachUser(vu: number, coach: PracticeCoach, password: string, server: AppServer) {
  const browser = new Browser(server.url);
  await signIn(browser, coach.email, password);
  for (let n = 1; Date.now() < deadline; n++) {
    if (Math.random() < 0.25) {
      await timed("page", [200], () => browser.get("/triage"));
    } else {
      const marker = `load-${run}-${vu}-${n}`;
      const page = await timed("page", [200], () => browser.get(`/threads/${pick(coach.threadIds)}`));
      const form = page && mainReplyForm(page);
      if (!form) continue;
      const visibility = Math.random() < 0.2 ? "internal" : "shared";
      const ok = await acknowledgedPost(browser, "staff reply", () =>
        browser.submit(form, { body: `Good progress; keep going. ${marker}`, visibility }, button(form, "reply")),
      );
      if (ok) acknowledged.replies.add(marker);
    }
    if (n % 15 === 0) await signOutAndIn(browser, coach.email, password, "/triage");
    await sleep(Math.random() * 100);
  }
}

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Every acknowledged write, looked up in the database; returns what is missing or doubled. */
async function verify(sql: postgres.Sql) {
  const problems: string[] = [];
  const markerOf = (text: string) => /load-[\w]+-\d+-\d+/.exec(text)?.[0];
  const count = (rows: { text: string }[]) => {
    const seen = new Map<string, number>();
    for (const row of rows) {
      const marker = markerOf(row.text);
      if (marker) seen.set(marker, (seen.get(marker) ?? 0) + 1);
    }
    return seen;
  };
  const like = `%load-${run}-%`;
  const posts = count(await sql<{ text: string }[]>`select body as text from posts where body like ${like}`);
  const checkIns = count(await sql<{ text: string }[]>`select what_happened as text from check_ins where what_happened like ${like}`);
  for (const [label, wanted, found] of [
    ["reply", acknowledged.replies, posts],
    ["check-in", acknowledged.checkIns, checkIns],
  ] as const) {
    for (const marker of wanted) {
      const n = found.get(marker) ?? 0;
      if (n !== 1) problems.push(`${label} ${marker}: acknowledged, found ${n} times in the database`);
    }
  }
  // A step keeps its last note; the audit trail has one row per change.
  for (const [stepId, notes] of acknowledged.steps) {
    const [step] = await sql<{ reflection: string | null }[]>`select reflection from plan_steps where id = ${stepId}`;
    if (step?.reflection !== notes.at(-1)) problems.push(`step ${stepId}: last acknowledged note "${notes.at(-1)}", database has "${step?.reflection}"`);
    const [audit] = await sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
      where target_id = ${stepId} and action in ('step.started', 'step.done', 'step.skipped', 'step.reopened', 'step.reflection_saved')`;
    if (audit?.n !== notes.length) problems.push(`step ${stepId}: ${notes.length} changes acknowledged, ${audit?.n} recorded`);
  }
  return problems;
}

function report(seconds: number) {
  const pad = (text: string | number, width: number) => String(text).padStart(width);
  console.log(`\n${"kind".padEnd(14)}${pad("requests", 10)}${pad("per s", 8)}${pad("p50 ms", 9)}${pad("p95 ms", 9)}${pad("p99 ms", 9)}${pad("max ms", 9)}`);
  let total = 0;
  for (const kind of KINDS) {
    const sorted = [...latencies.get(kind)!].sort((a, b) => a - b);
    total += sorted.length;
    const ms = (p: number) => pad(Math.round(percentile(sorted, p)), 9);
    console.log(`${kind.padEnd(14)}${pad(sorted.length, 10)}${pad((sorted.length / seconds).toFixed(1), 8)}${ms(50)}${ms(95)}${ms(99)}${pad(Math.round(sorted.at(-1) ?? 0), 9)}`);
  }
  const writes = acknowledged.replies.size + acknowledged.checkIns.size + [...acknowledged.steps.values()].reduce((n, notes) => n + notes.length, 0);
  const posted = WRITES.reduce((n, kind) => n + latencies.get(kind)!.length, 0);
  console.log(`\n${total} requests in ${seconds.toFixed(1)} s: ${(total / seconds).toFixed(1)} requests/s`);
  console.log(`${writes} of ${posted} writes acknowledged: ${(writes / seconds).toFixed(1)} writes/s`);
  return writes;
}

async function main() {
  await ensureBuild();
  const serverUrl = await findPostgresServer();
  if (!serverUrl) {
    console.error("load: no Postgres server reachable (set DATABASE_URL, or run one on 127.0.0.1:5432)");
    return 1;
  }
  let database: TestDatabase | undefined;
  let server: AppServer | undefined;
  let sql: postgres.Sql | undefined;
  try {
    database = await createMigratedDatabase(serverUrl, "cairn_load");
    const coaches = Math.max(1, Math.round(USERS / 5));
    const practice: Practice = await makePractice(database.url, { coaches, clients: USERS - coaches });
    await closeDatabase();
    server = await startAppServer({ port: await freePort(4140, 4149), databaseUrl: database.url });
    console.log(`load: ${USERS} users (${USERS - coaches} clients, ${coaches} coaches) for ${SECONDS} s on ${server.url}, database ${database.name}`);

    const started = performance.now();
    deadline = Date.now() + SECONDS * 1000;
    const app = server;
    const users = [
      ...practice.clients.map((client, i) => clientUser(i + 1, client, practice.password, app)),
      ...practice.coaches.map((coach, i) => coachUser(practice.clients.length + i + 1, coach, practice.password, app)),
    ];
    const outcomes = await Promise.allSettled(users);
    const seconds = (performance.now() - started) / 1000;
    for (const outcome of outcomes) if (outcome.status === "rejected") unexpected.push(String(outcome.reason));

    await server.stop();
    const { code } = await server.exited;
    if (code !== 0) unexpected.push(`the server exited with ${code} on SIGTERM`);

    const writes = report(seconds);
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
    const lost = await verify(sql);

    const failures = [...serverErrors, ...unexpected, ...lost];
    for (const line of failures.slice(0, 30)) console.error(`  ${line}`);
    if (failures.length > 30) console.error(`  … and ${failures.length - 30} more`);
    if (failures.length) {
      if (serverErrors.length) console.error(`\nserver output (last lines):\n${server.output().split("\n").slice(-40).join("\n")}`);
      console.error(`\nload: FAILED — ${serverErrors.length} 5xx, ${unexpected.length} unexpected answers, ${lost.length} writes lost or doubled`);
      return 1;
    }
    console.log(`load: all ${writes} acknowledged writes are in the database, no 5xx`);
    return 0;
  } finally {
    await server?.stop();
    await sql?.end({ timeout: 1 });
    await closeDatabase().catch(() => {});
    await database?.drop();
  }
}

process.exit(await main());
