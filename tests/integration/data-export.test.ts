import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { addCaseNote, editCaseNote } from "~/models/case-notes.server";
import { listCaseTimeline } from "~/models/case-workflow.server";
import * as myData from "~/routes/account_.export";
import * as myDataJson from "~/routes/account_.export[.]json";
import * as caseOverview from "~/routes/cases.$caseId._index";
import * as caseExport from "~/routes/cases.$caseId_.export";
import * as caseExportJson from "~/routes/cases.$caseId_.export[.]json";
import { db } from "../../db/client";
import {
  auditEvents,
  checkIns,
  notifications,
  planSteps,
  plans,
  posts,
  postVersions,
  sessions,
  threads,
  userTotp,
  type User,
} from "../../db/schema";
import { createSession } from "~/auth/session.server";
import { createUser, insertCase, requestAs, requestWithSession, respond, testContext } from "../support/factories";
import { renderPage, type PageModule } from "../support/render-page";

// Data leaving Cairn: a person downloads what Cairn holds about them (/account/export, .json),
// an admin exports a whole case (/cases/:caseId/export, .json). Each export is audited, and
// each holds exactly what its reader may see.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;

async function call(fn: RouteFunction, user: { id: string } | null, path: string, params: Record<string, string> = {}) {
  const { request } = await requestAs(user, path);
  return respond(() => fn({ request, params, context: testContext }));
}

let admin: User;
let lead: User;
let outsider: User;
let client: User;
let other: User;
let caseId: string;
let otherCaseId: string;

const SECRET_TOTP_KEY = "JBSWY3DPEHPK3PXPTOTPKEYNEVERLEAVES";
const RECOVERY_HASH = "f00dfeed0123456789recoveryhashnotforexport";

beforeAll(async () => {
  admin = await createUser({ role: "admin", name: "Ada Admin" });
  lead = await createUser({ role: "coach", name: "Casey Lead" });
  outsider = await createUser({ role: "therapist", name: "Olive Outsider" });
  client = await createUser({ role: "client", name: "Jordan Client" });
  other = await createUser({ role: "client", name: "Riley Other" });
  const { case: c } = await insertCase({ lead, client, title: "Rebuilding trust after the phone" });
  const { case: o } = await insertCase({ lead, client: other, title: "Giving space after the ex" });
  caseId = c.id;
  otherCaseId = o.id;

  const [plan] = await db.insert(plans).values({ caseId, title: "Rebuilding trust — for the partner who broke it", summary: "Own it, then *change*." }).returning();
  const [step] = await db
    .insert(planSteps)
    .values([
      { planId: plan!.id, position: 1, title: "Own it fully", status: "done" as const, completedAt: new Date("2025-02-01T10:00:00Z"), reflection: "I said sorry without excuses." },
      { planId: plan!.id, position: 2, title: "Be transparent", guidance: "Share your **calendar**." },
    ])
    .returning();
  await db.insert(checkIns).values([
    {
      caseId,
      authorId: client.id,
      mood: 4,
      progress: 6,
      closeness: 7,
      whatHappened: "We talked on Sunday.",
      stepIds: [step!.id],
      riskReasons: [{ ruleId: "hopeless", label: "SCREENING-LABEL hopelessness" }],
      reviewedAt: new Date("2025-02-03T09:00:00Z"),
      reviewedBy: lead.id,
      feedback: "Lovely progress, keep going.",
    },
    { caseId: otherCaseId, authorId: other.id, mood: 2, progress: 2, closeness: 2, whatHappened: "OTHER-CLIENT check-in words" },
  ]);

  const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);
  const [thread] = await db.insert(threads).values({ caseId, title: "How do I start?", createdBy: client.id }).returning();
  const [question] = await db
    .insert(posts)
    .values({ threadId: thread!.id, authorId: client.id, body: "**How** do I rebuild trust? <script>alert('x')</script>" })
    .returning();
  const [, reply, followUp] = await db
    .insert(posts)
    .values([
      { threadId: thread!.id, parentId: question!.id, authorId: lead.id, body: "INTERNAL-NOTE watch for avoidance", visibility: "internal" as const, createdAt: later(1) },
      { threadId: thread!.id, parentId: question!.id, authorId: lead.id, body: "Start small: one honest answer a day.", createdAt: later(2) },
      { threadId: thread!.id, parentId: question!.id, authorId: client.id, body: "Thank you, trying it.", createdAt: later(3), editedAt: later(4) },
    ])
    .returning();
  await db.insert(postVersions).values([
    { postId: followUp!.id, body: "MY-OLD-WORDING of the follow-up" },
    { postId: reply!.id, body: "STAFF-OLD-WORDING of the reply" },
  ]);
  const [otherThread] = await db.insert(threads).values({ caseId: otherCaseId, title: "OTHER-CLIENT question", createdBy: other.id }).returning();
  await db.insert(posts).values({ threadId: otherThread!.id, authorId: other.id, body: "OTHER-CLIENT private words" });

  const note = await addCaseNote(lead, caseId, "STAFF-NOTE v1: seems guarded");
  await editCaseNote(lead, caseId, note.id, "STAFF-NOTE v2: opening up");

  await db.insert(notifications).values([
    { userId: client.id, kind: "new_reply", text: "Casey Lead replied to your question.", link: `/portal/questions/${thread!.id}` },
    { userId: other.id, kind: "new_reply", text: "OTHER-CLIENT notification", link: "/portal/questions" },
  ]);
});

async function exportsBy(person: { id: string }) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.actorId, person.id), eq(auditEvents.action, "data.exported")));
}

describe("a person's own data", () => {
  it("downloads as a JSON file with their profile, cases, plans, check-ins, shared posts and notifications", async () => {
    const response = await call(myDataJson.loader, client, "/account/export.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="cairn-my-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const text = await response.text();
    const data = JSON.parse(text);

    expect(data.format).toBe("cairn.personal-data");
    expect(data.profile).toMatchObject({ id: client.id, name: "Jordan Client", email: client.email, role: "Client" });
    expect(data.profile.twoFactorSince).toBeNull();
    expect(data.cases.map((c: { title: string }) => c.title)).toEqual(["Rebuilding trust after the phone"]);
    const [mine] = data.cases;
    expect(mine.status).toBe("active");
    expect(mine.plans[0].steps.map((s: { title: string; reflection: string | null }) => [s.title, s.reflection])).toEqual([
      ["Own it fully", "I said sorry without excuses."],
      ["Be transparent", null],
    ]);
    expect(mine.checkIns).toEqual([
      expect.objectContaining({ whatHappened: "We talked on Sunday.", stepsWorkedOn: ["Own it fully"], feedback: "Lovely progress, keep going.", reviewerName: "Casey Lead" }),
    ]);
    const [question] = mine.questions;
    expect(question.posts.map((p: { body: string }) => p.body)).toEqual([
      "**How** do I rebuild trust? <script>alert('x')</script>",
      "Start small: one honest answer a day.",
      "Thank you, trying it.",
    ]);
    expect(question.posts[2].earlierVersions.map((v: { body: string }) => v.body)).toEqual(["MY-OLD-WORDING of the follow-up"]);
    expect(question.posts[1].earlierVersions).toEqual([]);
    expect(data.notifications.map((n: { text: string }) => n.text)).toEqual(["Casey Lead replied to your question."]);
  });

  it("holds nothing staff-only, nothing of another client and no secrets", async () => {
    const response = await call(myDataJson.loader, client, "/account/export.json");
    const text = await response.text();
    for (const hidden of [
      "INTERNAL-NOTE",
      "STAFF-NOTE",
      "STAFF-OLD-WORDING",
      "SCREENING-LABEL",
      "riskReasons",
      "risk",
      "OTHER-CLIENT",
      "Giving space after the ex",
      otherCaseId,
      "passwordHash",
      "$argon2",
    ]) {
      expect(text, hidden).not.toContain(hidden);
    }
    const sessionIds = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, client.id));
    expect(sessionIds.length).toBeGreaterThan(0);
    for (const { id } of sessionIds) expect(text).not.toContain(id);
    expect(JSON.parse(text).sessions[0]).not.toHaveProperty("id");
  });

  it("says that two-step sign-in is on, never its secret key or recovery code", async () => {
    const person = await createUser({ role: "therapist" });
    await db.insert(userTotp).values({ userId: person.id, key: SECRET_TOTP_KEY, recoveryCodeHash: RECOVERY_HASH });
    const { token } = await createSession(person.id, { twoFactorVerified: true });
    const request = requestWithSession(token, "/account/export.json");
    const response = await respond(() => myDataJson.loader({ request, params: {}, context: testContext }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text).profile.twoFactorSince).toEqual(expect.any(String));
    expect(text).not.toContain(SECRET_TOTP_KEY);
    expect(text).not.toContain(RECOVERY_HASH);
    expect(text).not.toContain(token);
  });

  it("reads as a printable page, Markdown rendered safely, with the JSON link", async () => {
    const html = await renderPage(myData as unknown as PageModule, "/account/export", client, "/account/export");
    expect(html).toContain("<h1>Your data in Cairn</h1>");
    expect(html).toContain('href="/account/export.json"');
    expect(html).toContain("Download JSON");
    expect(html).toContain("<strong>How</strong> do I rebuild trust?");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("Lovely progress, keep going.");
    expect(html).toContain("I said sorry without excuses.");
    expect(html).not.toContain("INTERNAL-NOTE");
    expect(html).not.toContain("OTHER-CLIENT");
  });

  it("is recorded in the audit log each time, page and download alike", async () => {
    const person = await createUser({ role: "client" });
    await call(myDataJson.loader, person, "/account/export.json");
    await call(myData.loader, person, "/account/export");
    const events = await exportsBy(person);
    expect(events.map((e) => e.details).sort((a, b) => String(a?.format).localeCompare(String(b?.format)))).toEqual([
      { scope: "self", format: "html" },
      { scope: "self", format: "json" },
    ]);
    expect(events.every((e) => e.targetId === person.id && e.caseId === null && e.ip === testContext.clientIp)).toBe(true);
  });

  it("gives staff their own profile and nothing of their clients", async () => {
    const data = JSON.parse(await (await call(myDataJson.loader, lead, "/account/export.json")).text());
    expect(data.profile).toMatchObject({ name: "Casey Lead", role: "Coach" });
    expect(data.cases).toEqual([]);
    expect(JSON.stringify(data)).not.toContain("STAFF-NOTE");
  });

  it("sends someone signed out to sign in", async () => {
    const response = await call(myDataJson.loader, null, "/account/export.json");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login/);
  });
});

describe("a case export", () => {
  it("gives the admin everything on the case as JSON: notes with versions, internal posts, check-ins, plans, team, timeline and views", async () => {
    // A view first, so the export has one to list.
    expect((await call(caseOverview.loader, lead, `/cases/${caseId}`, { caseId })).status).toBe(200);

    const response = await call(caseExportJson.loader, admin, `/cases/${caseId}/export.json`, { caseId });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toMatch(new RegExp(`^attachment; filename="cairn-case-${caseId.slice(0, 8)}-\\d{4}-\\d{2}-\\d{2}\\.json"$`));
    const data = JSON.parse(await response.text());
    expect(data.format).toBe("cairn.case");
    expect(data.case).toMatchObject({ id: caseId, title: "Rebuilding trust after the phone", risk: "none" });
    expect(data.client).toMatchObject({ id: client.id, name: "Jordan Client" });
    expect(data.members).toEqual([expect.objectContaining({ userId: lead.id, name: "Casey Lead", caseRole: "lead", role: "Coach" })]);
    expect(data.notes).toEqual([
      expect.objectContaining({ authorName: "Casey Lead", body: "STAFF-NOTE v2: opening up", earlierVersions: [expect.objectContaining({ body: "STAFF-NOTE v1: seems guarded" })] }),
    ]);
    const posted = data.questions[0].posts.map((p: { visibility: string; body: string }) => `${p.visibility}: ${p.body}`);
    expect(posted).toContain("internal: INTERNAL-NOTE watch for avoidance");
    expect(data.questions[0].posts.find((p: { body: string }) => p.body.startsWith("Start small")).earlierVersions).toEqual([
      expect.objectContaining({ body: "STAFF-OLD-WORDING of the reply" }),
    ]);
    expect(data.checkIns[0]).toMatchObject({ riskReasons: [{ ruleId: "hopeless", label: "SCREENING-LABEL hopelessness" }], feedback: "Lovely progress, keep going." });
    expect(data.plans[0].steps).toHaveLength(2);
    expect(data.timeline.map((e: { sentence: string }) => e.sentence)).toEqual(["Casey Lead added a staff note.", "Casey Lead edited a staff note."]);
    expect(data.views).toContainEqual(expect.objectContaining({ actorName: "Casey Lead", page: "overview", ip: testContext.clientIp }));
    expect(JSON.stringify(data)).not.toContain("OTHER-CLIENT");
  });

  it("is recorded: an export on the case's timeline, and a view in the access log", async () => {
    const exporter = await createUser({ role: "admin", name: "Eve Exporter" });
    await call(caseExport.loader, exporter, `/cases/${caseId}/export`, { caseId });
    const events = await db.select().from(auditEvents).where(eq(auditEvents.actorId, exporter.id));
    expect(events.map((e) => [e.action, e.caseId, e.details]).sort()).toEqual(
      [
        ["case.viewed", caseId, { page: "export" }],
        ["data.exported", caseId, { scope: "case", format: "html" }],
      ].sort(),
    );
    const timeline = await listCaseTimeline(lead, caseId, { page: 1, perPage: 10 });
    expect(timeline.events[0]!.sentence).toBe("Eve Exporter exported the case's records.");
    expect(timeline.events.map((e) => e.action)).not.toContain("case.viewed");
  });

  it("answers 404 to everyone but admins — the case's own lead included — and records nothing for them", async () => {
    for (const person of [lead, outsider, client]) {
      expect((await call(caseExport.loader, person, `/cases/${caseId}/export`, { caseId })).status).toBe(404);
      expect((await call(caseExportJson.loader, person, `/cases/${caseId}/export.json`, { caseId })).status).toBe(404);
      expect((await exportsBy(person)).filter((e) => e.details?.scope === "case")).toEqual([]);
    }
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-case"]) {
      expect((await call(caseExportJson.loader, admin, `/cases/${id}/export.json`, { caseId: id })).status).toBe(404);
    }
  });

  it("reads as a printable page with staff notes and internal posts marked, and the overview links to it for admins only", async () => {
    const html = await renderPage(caseExport as unknown as PageModule, "/cases/:caseId/export", admin, `/cases/${caseId}/export`);
    expect(html).toContain("Case export: Jordan Client · Rebuilding trust after the phone");
    expect(html).toContain(`href="/cases/${caseId}/export.json"`);
    expect(html).toContain("Internal note — staff only");
    expect(html).toContain("STAFF-NOTE v2: opening up");
    expect(html).toContain("Earlier versions (1)");
    expect(html).not.toContain("<script>alert");

    const forAdmin = await renderPage(caseOverview as unknown as PageModule, "/cases/:caseId", admin, `/cases/${caseId}`);
    expect(forAdmin).toContain(`href="/cases/${caseId}/export"`);
    expect(forAdmin).toContain("Export case");
    const forLead = await renderPage(caseOverview as unknown as PageModule, "/cases/:caseId", lead, `/cases/${caseId}`);
    expect(forLead).not.toContain("Export case");
  });
});
