import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { acceptInvitation } from "~/models/users.server";
import { createCase, listPickableClients, newCaseSchema } from "~/models/cases.server";
import * as newCase from "~/routes/cases.new";
import { db } from "../../db/client";
import { auditEvents, caseMembers, cases, emailOutbox, users } from "../../db/schema";
import {
  auditEventsAbout,
  createUser,
  requestAs,
  respond,
  responseJson,
  setCookieFor,
  testContext,
  tokenFromLink,
  uniqueEmail,
} from "../support/factories";

// Opening a case at /cases/new: which clients staff may pick, a new client invited in the same
// step, validation that keeps what was typed, and the case, lead, email and audit rows it leaves.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type FormAnswer = { ok: false; errors: Record<string, string>; values: Record<string, string> };

async function call(fn: RouteFunction, user: { id: string } | null, form?: Record<string, string>) {
  const { request } = await requestAs(user, "/cases/new", { form });
  return respond(() => fn({ request, params: {}, context: testContext }));
}

const post = (user: { id: string } | null, form: Record<string, string>) => call(newCase.action, user, form);

/** A case with `lead` as its lead, inserted directly (the list of pickable clients reads these). */
async function seedCase(client: { id: string }, lead: { id: string }) {
  const [row] = await db.insert(cases).values({ clientId: client.id, title: "Seeded case", concernCategory: "communication" }).returning();
  await db.insert(caseMembers).values({ caseId: row!.id, userId: lead.id, role: "lead" });
  return row!;
}

async function casesOf(clientId: string) {
  return db.select().from(cases).where(eq(cases.clientId, clientId));
}

async function caseCount() {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(cases);
  return row!.n;
}

function caseForm(extra: Record<string, string>) {
  return { title: "Finding our way back", concernCategory: "trust_repair", concern: "", checkInEveryDays: "7", clientId: "", clientName: "", clientEmail: "", ...extra };
}

/** The id in a /cases/:id redirect. */
function caseIdFrom(response: Response) {
  expect(response.status).toBe(302);
  const match = /^\/cases\/([0-9a-f-]{36})$/.exec(response.headers.get("Location") ?? "");
  expect(match).not.toBeNull();
  return match![1]!;
}

async function outboxTo(email: string) {
  return db.select().from(emailOutbox).where(sql`lower(${emailOutbox.toAddress}) = lower(${email})`);
}

describe("who may open a case", () => {
  it("answers 404 to a client on the page and on a posted form, and creates nothing", async () => {
    const client = await createUser({ role: "client" });
    const before = await caseCount();
    expect((await call(newCase.loader, client)).status).toBe(404);
    const response = await post(client, caseForm({ clientEmail: uniqueEmail("friend"), clientName: "A Friend" }));
    expect(response.status).toBe(404);
    expect(await caseCount()).toBe(before);
    await expect(listPickableClients(client)).rejects.toMatchObject({ status: 404 });
    await expect(
      createCase(client, newCaseSchema.parse(caseForm({ clientId: client.id })), null),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("sends someone signed out to sign in", async () => {
    const response = await call(newCase.loader, null);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fcases%2Fnew");
  });

  it("offers an admin every active client, and a coach only the clients of cases they are on", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach" });
    const otherCoach = await createUser({ role: "coach" });
    const mine = await createUser({ role: "client", name: "Ada Mine" });
    const theirs = await createUser({ role: "client", name: "Bea Theirs" });
    const gone = await createUser({ role: "client", name: "Cy Gone", deactivated: true });
    const unassigned = await createUser({ role: "client", name: "Dee Unassigned" });
    await seedCase(mine, coach);
    await seedCase(theirs, otherCoach);
    await seedCase(gone, coach);

    const forCoach = (await listPickableClients(coach)).map((c) => c.id);
    expect(forCoach).toEqual([mine.id]);

    const forAdmin = (await listPickableClients(admin)).map((c) => c.id);
    expect(forAdmin).toEqual(expect.arrayContaining([mine.id, theirs.id, unassigned.id]));
    expect(forAdmin).not.toContain(gone.id);
    expect(forAdmin).not.toContain(coach.id);
    expect(forAdmin).not.toContain(admin.id);

    const page = await responseJson<{ clients: { id: string }[] }>(await call(newCase.loader, coach));
    expect(page.clients.map((c) => c.id)).toEqual([mine.id]);
  });
});

describe("opening a case for an existing client", () => {
  it("makes the creator the lead, redirects to the case with a message and records case.opened", async () => {
    const therapist = await createUser({ role: "therapist" });
    const client = await createUser({ role: "client", name: "Rowan Existing" });
    await seedCase(client, therapist);

    const response = await post(
      therapist,
      caseForm({ clientId: client.id, title: "  Second chapter  ", concernCategory: "communication", concern: "Arguments about the phone.", checkInEveryDays: "14" }),
    );
    const caseId = caseIdFrom(response);
    expect(setCookieFor(response, "cairn_flash")).toContain("lead");

    const [created] = await db.select().from(cases).where(eq(cases.id, caseId));
    expect(created).toMatchObject({
      clientId: client.id,
      title: "Second chapter",
      concernCategory: "communication",
      concern: "Arguments about the phone.",
      checkInEveryDays: 14,
      status: "intake",
      risk: "none",
      createdBy: therapist.id,
    });
    const members = await db.select().from(caseMembers).where(eq(caseMembers.caseId, caseId));
    expect(members.map((m) => [m.userId, m.role, m.addedBy])).toEqual([[therapist.id, "lead", therapist.id]]);

    const audit = await auditEventsAbout(caseId);
    expect(audit.map((a) => [a.action, a.actorId, a.caseId, a.targetType, a.ip])).toEqual([
      ["case.opened", therapist.id, caseId, "case", testContext.clientIp],
    ]);
    expect(audit[0]!.details).toMatchObject({ clientId: client.id, clientInvited: false });
  });

  it("lets an admin pick any active client", async () => {
    const admin = await createUser({ role: "admin" });
    const client = await createUser({ role: "client" });
    const caseId = caseIdFrom(await post(admin, caseForm({ clientId: client.id })));
    const [created] = await db.select().from(cases).where(eq(cases.id, caseId));
    expect(created!.clientId).toBe(client.id);
  });

  it("refuses a client id posted by hand that the coach may not pick, and creates nothing", async () => {
    const coach = await createUser({ role: "coach" });
    const otherCoach = await createUser({ role: "coach" });
    const theirs = await createUser({ role: "client" });
    await seedCase(theirs, otherCoach);
    const staff = await createUser({ role: "therapist" });
    const before = await caseCount();

    for (const clientId of [theirs.id, staff.id, crypto.randomUUID(), "not-an-id"]) {
      const response = await post(coach, caseForm({ clientId, title: "Should not exist" }));
      expect(response.status).toBe(400);
      const body = await responseJson<FormAnswer>(response);
      expect(body.errors.clientId).toBe("Choose a client from the list.");
      expect(body.values.title).toBe("Should not exist");
    }
    expect(await caseCount()).toBe(before);
    expect(await casesOf(theirs.id)).toHaveLength(1);
  });

  it("refuses a deactivated client, even for an admin", async () => {
    const admin = await createUser({ role: "admin" });
    const gone = await createUser({ role: "client", deactivated: true });
    const byId = await post(admin, caseForm({ clientId: gone.id }));
    expect(byId.status).toBe(400);
    const byEmail = await post(admin, caseForm({ clientEmail: gone.email }));
    expect(byEmail.status).toBe(400);
    expect((await responseJson<FormAnswer>(byEmail)).errors.clientEmail).toMatch(/deactivated/);
    expect(await casesOf(gone.id)).toEqual([]);
  });

  it("uses an existing client account found by email, whatever the case of the letters, without inviting anyone", async () => {
    const coach = await createUser({ role: "coach" });
    const client = await createUser({ role: "client", name: "Sasha Known", email: uniqueEmail("sasha") });
    const outboxBefore = (await outboxTo(client.email)).length;

    const caseId = caseIdFrom(await post(coach, caseForm({ clientEmail: client.email.toUpperCase(), clientName: "Ignored Name" })));
    const [created] = await db.select().from(cases).where(eq(cases.id, caseId));
    expect(created!.clientId).toBe(client.id);
    const [still] = await db.select().from(users).where(eq(users.id, client.id));
    expect(still!.name).toBe("Sasha Known");
    expect(await outboxTo(client.email)).toHaveLength(outboxBefore);
    const sameEmail = await db.select().from(users).where(sql`lower(${users.email}) = ${client.email.toLowerCase()}`);
    expect(sameEmail).toHaveLength(1);
    // Now the coach is on a case with this client, they can pick them next time.
    expect((await listPickableClients(coach)).map((c) => c.id)).toContain(client.id);
  });

  it("refuses a staff member's email with a message beside the email field", async () => {
    const coach = await createUser({ role: "coach" });
    const colleague = await createUser({ role: "therapist" });
    const before = await caseCount();
    const response = await post(coach, caseForm({ clientEmail: colleague.email, clientName: "Colleague" }));
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body.errors.clientEmail).toMatch(/staff account/);
    expect(body.values).toMatchObject({ clientEmail: colleague.email, clientName: "Colleague", title: "Finding our way back" });
    expect(await caseCount()).toBe(before);
  });
});

describe("opening a case for a new client", () => {
  it("creates the client, emails their invitation and opens the case with the creator as lead, all at once", async () => {
    const therapist = await createUser({ role: "therapist" });
    const email = uniqueEmail("newclient");

    const response = await post(
      therapist,
      caseForm({ clientName: "Jamie New", clientEmail: `  ${email.toUpperCase()} `, title: "Trust after the messages", concernCategory: "trust_repair" }),
    );
    const caseId = caseIdFrom(response);
    expect(setCookieFor(response, "cairn_flash")).toContain("invitation");

    const [client] = await db.select().from(users).where(eq(users.email, email));
    expect(client).toMatchObject({ name: "Jamie New", role: "client", passwordHash: null, deactivatedAt: null });

    const [created] = await db.select().from(cases).where(eq(cases.id, caseId));
    expect(created).toMatchObject({ clientId: client!.id, title: "Trust after the messages", checkInEveryDays: 7 });
    const members = await db.select().from(caseMembers).where(eq(caseMembers.caseId, caseId));
    expect(members.map((m) => [m.userId, m.role])).toEqual([[therapist.id, "lead"]]);

    const mail = await outboxTo(email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toMatch(/invited/i);
    expect(mail[0]!.textBody).toContain("Jamie New");

    const invited = await auditEventsAbout(client!.id);
    expect(invited.map((a) => [a.action, a.actorId])).toEqual([["user.invited", therapist.id]]);
    expect(invited[0]!.details).toMatchObject({ role: "client", forCase: caseId });
    const opened = await db.select().from(auditEvents).where(and(eq(auditEvents.caseId, caseId), eq(auditEvents.action, "case.opened")));
    expect(opened).toHaveLength(1);
    expect(opened[0]!.details).toMatchObject({ clientId: client!.id, clientInvited: true });

    // The emailed link works: the new client can choose a password and sign in.
    const accepted = await acceptInvitation(tokenFromLink(mail[0]!.link, "/invite/"), { name: "Jamie New", password: "a long and honest passphrase" }, null);
    expect(accepted?.user.id).toBe(client!.id);
  });

  it("asks for the name of someone new, keeping everything typed", async () => {
    const coach = await createUser({ role: "coach" });
    const email = uniqueEmail("noname");
    const response = await post(coach, caseForm({ clientEmail: email, concern: "They said it started last spring." }));
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(Object.keys(body.errors)).toEqual(["clientName"]);
    expect(body.values).toMatchObject({ clientEmail: email, concern: "They said it started last spring.", title: "Finding our way back" });
    expect(await db.select().from(users).where(eq(users.email, email))).toEqual([]);
    expect(await outboxTo(email)).toEqual([]);
  });
});

describe("validation", () => {
  it("puts a message beside each field that needs one and keeps the input", async () => {
    const coach = await createUser({ role: "coach" });
    const before = await caseCount();
    const response = await post(coach, {
      clientId: "",
      clientName: "Someone",
      clientEmail: "not an email",
      title: "   ",
      concernCategory: "jealousy",
      concern: "x".repeat(4001),
      checkInEveryDays: "0",
    });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(Object.keys(body.errors).sort()).toEqual(["checkInEveryDays", "clientEmail", "concern", "concernCategory", "title"]);
    expect(body.errors.clientEmail).toBe("Enter a valid email address.");
    expect(body.errors.title).toBe("Give the case a title.");
    expect(body.values).toMatchObject({ clientName: "Someone", clientEmail: "not an email", checkInEveryDays: "0", concernCategory: "jealousy" });
    expect(await caseCount()).toBe(before);
  });

  it("needs either a client from the list or an email", async () => {
    const coach = await createUser({ role: "coach" });
    const response = await post(coach, caseForm({ clientName: "Only A Name" }));
    expect(response.status).toBe(400);
    expect((await responseJson<FormAnswer>(response)).errors).toEqual({
      clientEmail: "Choose a client from the list, or enter the email of a new or other client.",
    });
  });

  it("accepts check-ins every 1 to 90 days, and every 7 when the field is left empty", async () => {
    const coach = await createUser({ role: "coach" });
    const client = await createUser({ role: "client" });
    await seedCase(client, coach);
    for (const [given, error] of [["91", true], ["2.5", true], ["soon", true], ["-1", true], ["1", false], ["90", false], ["", false]] as const) {
      const response = await post(coach, caseForm({ clientId: client.id, checkInEveryDays: given }));
      if (error) {
        expect({ given, status: response.status }).toEqual({ given, status: 400 });
        expect((await responseJson<FormAnswer>(response)).errors.checkInEveryDays).toBeTruthy();
      } else {
        const [created] = await db.select().from(cases).where(eq(cases.id, caseIdFrom(response)));
        expect(created!.checkInEveryDays).toBe(given === "" ? 7 : Number(given));
      }
    }
  });
});
