import type { LoaderFunctionArgs } from "@remix-run/node";
import { desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createSession } from "~/auth/session.server";
import { addCaseNote } from "~/models/case-notes.server";
import { submitCheckIn } from "~/models/check-ins.server";
import { assignPlan } from "~/models/plans.server";
import { createSavedReply } from "~/models/saved-replies.server";
import { addPost, startThread } from "~/models/threads.server";
import { inviteUser, requestPasswordReset } from "~/models/users.server";
import { db } from "../../db/client";
import { emailOutbox, notifications, planSteps, userTotp } from "../../db/schema";
import { createUser, insertCase, insertTemplate, requestWithSession, setCookieFor, testContext, tokenFromLink } from "../support/factories";
import {
  callRoute,
  compareMatrix,
  describeComparison,
  discoverRoutes,
  fillPattern,
  PERSONAS,
  type MatrixRow,
  type Outcome,
  type Persona,
  type RouteFile,
} from "../support/route-matrix";
import { EXPECTED } from "./authorization-matrix.expected";

// Every route file, called as every kind of person, compared with the table in
// authorization-matrix.expected.ts. Two mirrored sides of fixtures, A and B; each request that
// names a record runs once with side A's ids and once with side B's ("(B)" rows), and one that
// names a record inside another (a plan in a case, a message in a thread) runs once more with the
// address's record from side A and the rest from side B ("(A+B)": reached through a record it
// isn't part of).
//
// The people:
//   anonymous      no session
//   clientA        client of case A            clientB   client of case B
//   coachA         coach, lead of case A       coachB    coach, lead of case B (not on case A)
//   therapist      therapist, support member of case A only (so lead-only rights show as 403)
//   admin          admin, on no case
//   adminCodeOwed  an admin whose session got past the password but still owes the code from
//                  the authenticator app: signed in nowhere but the two-factor page
//
// Loaders and actions are called directly with a same-origin request carrying the person's session.
// Bodies are the least that gets past the access check: an action that answers 400 let the
// person in and then refused the form. Nothing here changes the fixtures in a way that matters
// to a later cell: no request deletes, archives, deactivates or closes anything.

type Side = "A" | "B";
/** Whose ids a request uses: one side's, or the address's first record from A and the rest from B. */
type Variant = Side | "A+B";
type SideFixtures = {
  caseId: string;
  clientId: string;
  planId: string;
  stepId: string;
  threadId: string;
  /** The staff reply the client was told of: their notification opens the thread at it. */
  sharedPostId: string;
  internalPostId: string;
  checkInId: string;
  noteId: string;
  templateId: string;
  replyId: string;
  replyTitle: string;
  replyBody: string;
  notificationId: string;
};
type SharedFixtures = { inviteToken: string; resetToken: string };
type FixtureKey = keyof SideFixtures | keyof SharedFixtures;

type RequestSpec = {
  label: string;
  method: "GET" | "POST";
  /** Form fields; "{key}" is replaced by that fixture of the side being run. */
  form?: Record<string, string>;
  /** A URL param filled from a fixture of another name (default: the param's own name). */
  params?: Record<string, FixtureKey>;
};

const GET: RequestSpec = { label: "GET", method: "GET" };
const POST: RequestSpec = { label: "POST", method: "POST", form: {} };
const post = (label: string, form: Record<string, string>): RequestSpec => ({ label: `POST ${label}`, method: "POST", form });
/** A well-formed uuid that names nothing. */
const NO_SUCH_ID = "00000000-0000-4000-8000-000000000000";

// The requests each route file gets; a file not listed gets GET and an empty POST.
const REQUESTS: Record<string, RequestSpec[]> = {
  "account.tsx": [GET, post("intent=profile", { intent: "profile" })],
  "admin.users.$userId.tsx": [
    { ...GET, params: { userId: "clientId" } },
    { ...post("intent=role", { intent: "role" }), params: { userId: "clientId" } },
  ],
  "cases.$caseId.tsx": [GET, post("intent=status", { intent: "status" }), post("intent=addMember", { intent: "addMember" })],
  "cases.$caseId.notes.tsx": [GET, post("intent=add", { intent: "add" }), post("intent=edit", { intent: "edit", noteId: "{noteId}", body: "" })],
  "cases.$caseId.plans.$planId.tsx": [GET, post("intent=plan", { intent: "plan" })],
  "cases.$caseId.threads.tsx": [GET, post("intent=start", { intent: "start" })],
  "invite.$token.tsx": [
    { ...GET, params: { token: "inviteToken" } },
    { ...POST, params: { token: "inviteToken" } },
  ],
  "plans.templates.$templateId.tsx": [GET, post("intent=details", { intent: "details" })],
  "portal._index.tsx": [GET, post("intent=note", { intent: "note:{stepId}", reflection: "" })],
  "portal.check-in.tsx": [
    GET,
    post("caseId", { caseId: "{caseId}", mood: "3", progress: "5", closeness: "5", stepIds: NO_SUCH_ID }),
  ],
  "portal.questions.$threadId.tsx": [GET, post("intent=reply", { intent: "reply", body: "" })],
  "portal.questions._index.tsx": [GET, post("caseId", { caseId: "{caseId}", title: "", body: "" })],
  "reset-password.$token.tsx": [
    { ...GET, params: { token: "resetToken" } },
    { ...POST, params: { token: "resetToken" } },
  ],
  "saved-replies.tsx": [
    GET,
    post("intent=update", { intent: "update", replyId: "{replyId}", title: "{replyTitle}", body: "{replyBody}" }),
  ],
  "threads.$threadId.tsx": [
    GET,
    post("intent=reply", { intent: "reply", body: "" }),
    post("intent=edit", { intent: "edit", postId: "{internalPostId}", body: "" }),
  ],
  "triage.tsx": [GET, post("intent=assign", { intent: "assign", threadId: "{threadId}", assigneeId: "{clientId}" })],
};

// Words planted in side A's and B's records. A 200 answer that carries one to someone outside
// its audience is a leak, whatever the status table says.
type Audience = "clientAndTeam" | "team" | "owner";
const MARKERS: { key: string; audience: Audience }[] = [
  { key: "case-title", audience: "clientAndTeam" },
  { key: "shared-post", audience: "clientAndTeam" },
  { key: "check-in-text", audience: "clientAndTeam" },
  { key: "internal-post", audience: "team" },
  { key: "case-note", audience: "team" },
  { key: "saved-reply", audience: "owner" },
];
const marker = (side: Side, key: string) => `marker-${side}-${key}`;
const AUDIENCES: Record<Side, Record<Audience, Persona[]>> = {
  A: { clientAndTeam: ["clientA", "coachA", "therapist", "admin"], team: ["coachA", "therapist", "admin"], owner: ["coachA"] },
  B: { clientAndTeam: ["clientB", "coachB", "admin"], team: ["coachB", "admin"], owner: ["coachB"] },
};

type Person = Awaited<ReturnType<typeof createUser>>;
type RouteModule = { loader?: (args: LoaderFunctionArgs) => Promise<unknown>; action?: (args: LoaderFunctionArgs) => Promise<unknown> };

const routes = discoverRoutes();
let people: Record<Persona, Person | null>;
let fixtures: Record<Side, SideFixtures> & SharedFixtures;
/** Every fixture id, by the name a table cell uses for it (":caseId"). */
const idNames = new Map<string, string>();

async function makeSide(side: Side, lead: Person, client: Person, support: Person[]): Promise<SideFixtures> {
  const template = await insertTemplate({
    title: `Rebuilding trust (${side})`,
    ownerId: lead.id,
    steps: [{ title: "Own it fully" }, { title: "Apologise without excuses" }],
  });
  const { case: theCase } = await insertCase({ lead, client, support, title: `Rebuilding trust ${marker(side, "case-title")}` });
  const plan = await assignPlan(lead, theCase.id, { templateId: template.id, startDate: null, sequential: false });
  const [step] = await db.select().from(planSteps).where(eq(planSteps.planId, plan.id)).orderBy(planSteps.position);
  const { thread, post: question } = await startThread(client, theCase.id, {
    title: "Where do we start?",
    body: "How do I begin to trust again?",
  });
  const { post: shared } = await addPost(lead, thread.id, { parentId: question.id, body: `Start small. ${marker(side, "shared-post")}`, visibility: "shared" });
  const { post: internal } = await addPost(lead, thread.id, {
    parentId: question.id,
    body: `For the team only. ${marker(side, "internal-post")}`,
    visibility: "internal",
  });
  const { checkIn } = await submitCheckIn(client, theCase.id, {
    mood: 3,
    progress: 5,
    closeness: 5,
    stepIds: [step!.id],
    whatHappened: `We talked on Sunday. ${marker(side, "check-in-text")}`,
    whatWasHard: "",
  });
  const note = await addCaseNote(lead, theCase.id, `First session went well. ${marker(side, "case-note")}`);
  const reply = await createSavedReply(lead, { title: `Thanks (${side})`, body: `Thank you for writing. ${marker(side, "saved-reply")}`, scope: "mine" });
  const [notification] = await db
    .select()
    .from(notifications)
    .where(eq(notifications.userId, client.id))
    .orderBy(desc(notifications.createdAt))
    .limit(1);
  if (!notification) throw new Error(`client ${side} has no notification`);
  return {
    caseId: theCase.id,
    clientId: client.id,
    planId: plan.id,
    stepId: step!.id,
    threadId: thread.id,
    sharedPostId: shared.id,
    internalPostId: internal.id,
    checkInId: checkIn.id,
    noteId: note.id,
    templateId: template.id,
    replyId: reply.id,
    replyTitle: reply.title,
    replyBody: reply.body,
    notificationId: notification.id,
  };
}

async function emailedToken(to: string, prefix: "/invite/" | "/reset-password/") {
  const [mail] = await db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, to)).orderBy(desc(emailOutbox.createdAt)).limit(1);
  return tokenFromLink(mail?.link, prefix);
}

beforeAll(async () => {
  const admin = await createUser({ role: "admin", name: "Avery Admin" });
  const coachA = await createUser({ role: "coach", name: "Casey Coach" });
  const coachB = await createUser({ role: "coach", name: "Morgan Coach" });
  const therapist = await createUser({ role: "therapist", name: "Theo Therapist" });
  const clientA = await createUser({ role: "client", name: "Jordan Client" });
  const clientB = await createUser({ role: "client", name: "Riley Client" });
  const adminCodeOwed = await createUser({ role: "admin", name: "Alex Admin" });
  await db.insert(userTotp).values({ userId: adminCodeOwed.id, key: "never used here", recoveryCodeHash: "never used here" });
  people = { anonymous: null, clientA, clientB, coachA, coachB, therapist, admin, adminCodeOwed };

  const A = await makeSide("A", coachA, clientA, [therapist]);
  const B = await makeSide("B", coachB, clientB, []);
  const invitee = await inviteUser(admin, { name: "Sam Invited", email: `invited-${A.caseId}@example.test`, role: "client" }, null);
  await requestPasswordReset(clientA.email, null);
  fixtures = {
    A,
    B,
    inviteToken: await emailedToken(invitee.email, "/invite/"),
    resetToken: await emailedToken(clientA.email, "/reset-password/"),
  };
  for (const side of [A, B]) {
    for (const [key, value] of Object.entries(side)) if (key.endsWith("Id")) idNames.set(value, key);
  }
}, 120_000);

/** One session per person, reused from request to request; none has entered a second factor. */
const sessions = new Map<Persona, string>();
async function sessionOf(persona: Persona): Promise<string | null> {
  const person = people[persona];
  if (!person) return null;
  let token = sessions.get(persona);
  if (!token) {
    token = (await createSession(person.id)).token;
    sessions.set(persona, token);
  }
  return token;
}

function fixtureValue(route: RouteFile, spec: RequestSpec, variant: Variant, key: FixtureKey): string {
  if (key === "inviteToken" || key === "resetToken") return fixtures[key];
  if (variant === "A+B") return fixtures[key === keysUsed(route, spec)[0] ? "A" : "B"][key];
  return fixtures[variant][key];
}

/** The fixture keys a request uses, so the test knows which variants it has. */
function keysUsed(route: RouteFile, spec: RequestSpec): FixtureKey[] {
  const fromParams = route.params.map((name) => (spec.params?.[name] ?? name) as FixtureKey);
  const fromForm = Object.values(spec.form ?? {}).flatMap((value) => [...value.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as FixtureKey));
  return [...fromParams, ...fromForm];
}

const isSided = (key: FixtureKey) => key !== "inviteToken" && key !== "resetToken";

/** Markers found in some answer, "A:internal-post": shows the leak check can see them at all. */
const markersSeen = new Set<string>();

function variantsOf(route: RouteFile, spec: RequestSpec, module: RouteModule): Variant[] {
  // A module without the handler answers the same whatever the ids: one row is enough.
  if (!(spec.method === "GET" ? module.loader : module.action)) return ["A"];
  const sided = new Set(keysUsed(route, spec).filter(isSided));
  if (sided.size === 0) return ["A"];
  const [first] = keysUsed(route, spec);
  return route.params.length > 0 && first && isSided(first) && sided.size > 1 ? ["A", "B", "A+B"] : ["A", "B"];
}

const rowLabel = (spec: RequestSpec, variant: Variant) => (variant === "A" ? spec.label : `${spec.label} (${variant})`);

async function run(route: RouteFile, module: RouteModule, spec: RequestSpec, variant: Variant, persona: Persona, leaks: string[]): Promise<Outcome> {
  const fn = spec.method === "GET" ? module.loader : module.action;
  if (!fn) return spec.method === "GET" ? "no loader" : "405";
  const params: Record<string, string> = {};
  for (const name of route.params) params[name] = fixtureValue(route, spec, variant, (spec.params?.[name] ?? name) as FixtureKey);
  if (route.pattern.endsWith("*")) params["*"] = "no-such-page";
  const form = spec.form
    ? Object.fromEntries(
        Object.entries(spec.form).map(([field, value]) => [field, value.replace(/\{(\w+)\}/g, (_, key: string) => fixtureValue(route, spec, variant, key as FixtureKey))]),
      )
    : undefined;
  const request = requestWithSession(await sessionOf(persona), fillPattern(route.pattern, params), { method: spec.method, form });
  const { outcome, response } = await callRoute(() => fn({ request, params, context: testContext }), idNames);
  // Signing out (or in) replaces the session: the next request makes a fresh one.
  if (response && setCookieFor(response, "cairn_session")) sessions.delete(persona);
  if (response?.status === 200) {
    const body = await response.clone().text();
    for (const s of ["A", "B"] as const) {
      for (const { key, audience } of MARKERS) {
        if (!body.includes(marker(s, key))) continue;
        markersSeen.add(`${s}:${key}`);
        if (!AUDIENCES[s][audience].includes(persona)) {
          leaks.push(`${route.file} | ${rowLabel(spec, variant)} | ${persona}: sees ${marker(s, key)}`);
        }
      }
    }
  }
  return outcome;
}

describe("the authorization matrix", () => {
  it("answers every route as the table says, for every person", { timeout: 300_000 }, async () => {
    const actual: MatrixRow[] = [];
    const leaks: string[] = [];
    for (const route of routes) {
      const module = (await import(/* @vite-ignore */ route.modulePath)) as RouteModule;
      for (const spec of REQUESTS[route.file] ?? [GET, POST]) {
        for (const variant of variantsOf(route, spec, module)) {
          const cells: Outcome[] = [];
          for (const persona of PERSONAS) cells.push(await run(route, module, spec, variant, persona, leaks));
          actual.push([route.file, rowLabel(spec, variant), ...cells] as MatrixRow);
        }
      }
    }
    const comparison = compareMatrix(
      EXPECTED,
      actual,
      routes.map((r) => r.file),
    );
    const report = [describeComparison(comparison), leaks.length ? `Answers that carry what the person may not see:\n${leaks.join("\n")}` : ""]
      .filter(Boolean)
      .join("\n\n");
    if (report) expect.fail(report);
    expect(new Set(actual.map((row) => row[0]))).toEqual(new Set(routes.map((r) => r.file)));
    // Every planted word reached someone allowed to read it, so the leak check was looking.
    expect([...markersSeen].sort()).toEqual(["A", "B"].flatMap((side) => MARKERS.map(({ key }) => `${side}:${key}`)).sort());
  });
});
