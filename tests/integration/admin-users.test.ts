import crypto from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { RuleViolation } from "~/models/errors.server";
import {
  changeRole,
  deactivateUser,
  getUserForAdmin,
  inviteUser,
  listUsers,
  reactivateUser,
  userListQuery,
  type UserListQuery,
} from "~/models/users.server";
import * as adminUser from "~/routes/admin.users.$userId";
import * as adminUsers from "~/routes/admin.users._index";
import * as adminInvite from "~/routes/admin.users.new";
import * as triage from "~/routes/triage";
import { db } from "../../db/client";
import { emailOutbox, users, type Role } from "../../db/schema";
import {
  auditEventsAbout,
  createUser,
  reloadUser,
  requestAs,
  requestWithSession,
  respond,
  responseJson,
  sessionCountFor,
  testContext,
  uniqueEmail,
} from "../support/factories";

// The admin's user management: the list (search, filters, sort, pages from the URL), role
// changes, deactivation, the last-admin rule, invitations and the audit trail they leave.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type ListRow = { id: string; name: string; email: string; role: Role; status: string };
type FormAnswer = { ok: false; errors: Record<string, string>; values: Record<string, string> };

async function call(fn: RouteFunction, user: { id: string } | null, path: string, init: { params?: Record<string, string>; form?: Record<string, string> } = {}) {
  const { request } = await requestAs(user, path, { form: init.form });
  return respond(() => fn({ request, params: init.params ?? {}, context: testContext }));
}

function postToUser(actor: { id: string }, targetId: string, form: Record<string, string>) {
  return call(adminUser.action, actor, `/admin/users/${targetId}`, { params: { userId: targetId }, form });
}

/** Whether a browser holding `token` is still signed in (the triage page opens for staff). */
async function stillSignedIn(token: string) {
  const response = await respond(() => triage.loader({ request: requestWithSession(token, "/triage"), params: {}, context: testContext }));
  return response.status === 200;
}

async function newSessionToken(user: { id: string }) {
  return (await requestAs(user, "/triage")).token!;
}

/** A word no other test uses, to scope list queries to the users one test made. */
function uniqueTag() {
  return `t${crypto.randomBytes(4).toString("hex")}`;
}

function query(input: Partial<Record<keyof UserListQuery, unknown>>): UserListQuery {
  return userListQuery.parse(input);
}

async function names(actor: { id: string; role: Role }, input: Partial<Record<keyof UserListQuery, unknown>>) {
  return (await listUsers(actor, query(input))).rows.map((row) => row.name);
}

async function makeInvited(user: { id: string }) {
  await db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));
}

/**
 * Leaves exactly one active admin in this file's database: every other admin is deactivated
 * (tests in a file run one after another, so no other test is using them at that moment).
 */
async function soleAdmin() {
  await db.update(users).set({ deactivatedAt: new Date() }).where(and(eq(users.role, "admin"), isNull(users.deactivatedAt)));
  return createUser({ role: "admin", name: "Last Admin" });
}

describe("listUsers", () => {
  it("finds people by name or by email, ignoring case", async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    const byName = await createUser({ name: `Harper ${tag.toUpperCase()}` });
    const byEmail = await createUser({ name: "Someone Else", email: `Sky.${tag.toUpperCase()}@Example.test` });
    await createUser({ name: "Not Matching" });

    const ids = async (q: string) => (await listUsers(admin, query({ q }))).rows.map((r) => r.id).sort();
    expect(await ids(tag)).toEqual([byName.id, byEmail.id].sort());
    expect(await ids(`harper ${tag}`)).toEqual([byName.id]);
    expect(await ids(`sky.${tag}@example`)).toEqual([byEmail.id]);
    expect((await listUsers(admin, query({ q: tag }))).total).toBe(2);
  });

  it('treats "%" and "_" in the search as the characters themselves, not wildcards', async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    await createUser({ name: `${tag} 100% sure` });
    await createUser({ name: `${tag} 100 percent sure` });
    await createUser({ name: `${tag} snake_case` });
    await createUser({ name: `${tag} snakeXcase` });

    expect(await names(admin, { q: `${tag} 100%` })).toEqual([`${tag} 100% sure`]);
    expect(await names(admin, { q: `${tag} snake_case` })).toEqual([`${tag} snake_case`]);
    expect(await names(admin, { q: `%${tag}` })).toEqual([]);
  });

  it("filters by role and by status (active, invited, deactivated)", async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    const activeCoach = await createUser({ role: "coach", name: `Active Coach ${tag}` });
    const invitedCoach = await createUser({ role: "coach", name: `Invited Coach ${tag}` });
    await makeInvited(invitedCoach);
    const goneCoach = await createUser({ role: "coach", name: `Gone Coach ${tag}`, deactivated: true });
    const activeClient = await createUser({ role: "client", name: `Active Client ${tag}` });

    const list = async (filters: { role?: Role; status?: string }) =>
      (await listUsers(admin, query({ q: tag, ...filters }))).rows.map((r) => [r.name, r.status]);

    expect(await list({ role: "coach" })).toEqual([
      [activeCoach.name, "active"],
      [goneCoach.name, "deactivated"],
      [invitedCoach.name, "invited"],
    ]);
    expect(await list({ status: "active" })).toEqual([
      [activeClient.name, "active"],
      [activeCoach.name, "active"],
    ]);
    expect(await list({ status: "invited" })).toEqual([[invitedCoach.name, "invited"]]);
    expect(await list({ status: "deactivated" })).toEqual([[goneCoach.name, "deactivated"]]);
    expect(await list({ role: "coach", status: "active" })).toEqual([[activeCoach.name, "active"]]);
    expect(await list({ role: "therapist" })).toEqual([]);
  });

  it("counts a revoked invitation as deactivated, not invited", async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    const parked = await createUser({ name: `Parked ${tag}`, deactivated: true });
    await makeInvited(parked);
    expect(await names(admin, { q: tag, status: "invited" })).toEqual([]);
    expect(await names(admin, { q: tag, status: "deactivated" })).toEqual([parked.name]);
  });

  it("sorts by name, email, role and date joined, in both directions", async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    const people: { name: string; email: string; role: Role; joined: string }[] = [
      { name: `Ann ${tag}`, email: `d-${tag}@example.test`, role: "client", joined: "2020-01-03" },
      { name: `Bea ${tag}`, email: `c-${tag}@example.test`, role: "therapist", joined: "2020-01-01" },
      { name: `Cal ${tag}`, email: `b-${tag}@example.test`, role: "coach", joined: "2020-01-04" },
      { name: `Dov ${tag}`, email: `a-${tag}@example.test`, role: "admin", joined: "2020-01-02" },
    ];
    for (const p of people) {
      const user = await createUser({ name: p.name, email: p.email, role: p.role });
      await db.update(users).set({ createdAt: new Date(`${p.joined}T12:00:00Z`) }).where(eq(users.id, user.id));
    }
    const sorted = (sort: string, dir: string) => names(admin, { q: tag, sort, dir });
    const [ann, bea, cal, dov] = people.map((p) => p.name);

    expect(await sorted("name", "asc")).toEqual([ann, bea, cal, dov]);
    expect(await sorted("name", "desc")).toEqual([dov, cal, bea, ann]);
    expect(await sorted("email", "asc")).toEqual([dov, cal, bea, ann]);
    expect(await sorted("email", "desc")).toEqual([ann, bea, cal, dov]);
    // Roles sort in the order the role type declares them: admin, coach, therapist, client.
    expect(await sorted("role", "asc")).toEqual([dov, cal, bea, ann]);
    expect(await sorted("role", "desc")).toEqual([ann, bea, cal, dov]);
    expect(await sorted("joined", "asc")).toEqual([bea, dov, ann, cal]);
    expect(await sorted("joined", "desc")).toEqual([cal, ann, dov, bea]);
  });

  it("pages through the results with the total unchanged on every page", async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    const all = Array.from({ length: 12 }, (_, i) => `Page ${tag} ${String(i + 1).padStart(2, "0")}`);
    for (const name of [...all].reverse()) await createUser({ name });

    const page1 = await listUsers(admin, query({ q: tag, perPage: 10, page: 1 }));
    const page2 = await listUsers(admin, query({ q: tag, perPage: 10, page: 2 }));
    const page3 = await listUsers(admin, query({ q: tag, perPage: 10, page: 3 }));
    expect(page1.rows.map((r) => r.name)).toEqual(all.slice(0, 10));
    expect(page2.rows.map((r) => r.name)).toEqual(all.slice(10));
    expect(page3.rows).toEqual([]);
    expect([page1.total, page2.total, page3.total]).toEqual([12, 12, 12]);

    const backwards = await listUsers(admin, query({ q: tag, perPage: 10, page: 2, dir: "desc" }));
    expect(backwards.rows.map((r) => r.name)).toEqual(all.slice(0, 2).reverse());
  });

  it("refuses anyone but an admin, as not found", async () => {
    const coach = await createUser({ role: "coach" });
    await expect(listUsers(coach, query({}))).rejects.toMatchObject({ status: 404 });
  });
});

describe("the user list page", () => {
  it("reads search, filters, sort and page from the URL", async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    await createUser({ role: "coach", name: `Zara ${tag}`, email: `zara-${tag}@example.test` });
    await createUser({ role: "coach", name: `Yusuf ${tag}`, email: `yusuf-${tag}@example.test` });
    await createUser({ role: "coach", name: `Xena ${tag}`, email: `xena-${tag}@example.test`, deactivated: true });
    await createUser({ role: "client", name: `Wren ${tag}` });

    const response = await call(
      adminUsers.loader,
      admin,
      `/admin/users?q=${tag.toUpperCase()}&role=coach&status=active&sort=email&dir=desc&perPage=10&page=1`,
    );
    expect(response.status).toBe(200);
    const data = await responseJson<{ query: UserListQuery; rows: ListRow[]; total: number }>(response);
    expect(data.query).toEqual({ q: tag.toUpperCase(), role: "coach", status: "active", sort: "email", dir: "desc", perPage: 10, page: 1 });
    expect(data.rows.map((r) => r.name)).toEqual([`Zara ${tag}`, `Yusuf ${tag}`]);
    expect(data.total).toBe(2);

    const second = await responseJson<{ rows: ListRow[]; total: number }>(
      await call(adminUsers.loader, admin, `/admin/users?q=${tag}&sort=name&perPage=10&page=2`),
    );
    expect(second).toMatchObject({ rows: [], total: 4 });
  });

  it("falls back to the defaults for nonsense params instead of failing", async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    await createUser({ role: "coach", name: `Bo ${tag}` });
    await createUser({ role: "client", name: `Al ${tag}` });

    const response = await call(
      adminUsers.loader,
      admin,
      `/admin/users?q=${tag}&role=superuser&status=banned&sort=password_hash&dir=sideways&page=-4&perPage=7`,
    );
    expect(response.status).toBe(200);
    const data = await responseJson<{ query: UserListQuery; rows: ListRow[]; total: number }>(response);
    expect(data.query).toEqual({ q: tag, sort: "name", dir: "asc", page: 1, perPage: 25 });
    expect(data.rows.map((r) => r.name)).toEqual([`Al ${tag}`, `Bo ${tag}`]);

    for (const search of ["page=abc", "page=1.5", "perPage=1000", "perPage=ten", "page=&sort=", `q=${"x".repeat(500)}`]) {
      const answer = await call(adminUsers.loader, admin, `/admin/users?${search}`);
      expect({ search, status: answer.status }).toEqual({ search, status: 200 });
      const { query: q } = await responseJson<{ query: UserListQuery }>(answer);
      expect(q).toMatchObject({ page: 1, perPage: 25, sort: "name", dir: "asc" });
    }
  });
});

describe("changing a role", () => {
  it("moves the person to the new role, signs them out, and is audited", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach", name: "Robin Role" });
    const token = await newSessionToken(coach);

    const response = await postToUser(admin, coach.id, { intent: "role", role: "therapist" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/users/${coach.id}`);
    expect((await reloadUser(coach.id)).role).toBe("therapist");
    expect(await sessionCountFor(coach.id)).toBe(0);
    expect(await stillSignedIn(token)).toBe(false);

    const events = (await auditEventsAbout(coach.id)).filter((e) => e.action === "user.role_changed");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorId: admin.id,
      targetType: "user",
      targetId: coach.id,
      ip: testContext.clientIp,
      details: { from: "coach", to: "therapist" },
    });
  });

  it("answers 400 next to the role field for an unknown role, and changes nothing", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach" });
    const response = await postToUser(admin, coach.id, { intent: "role", role: "superadmin" });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body.errors.role).toBe("Choose a role.");
    expect((await reloadUser(coach.id)).role).toBe("coach");
  });

  it("changeRole to the same role changes nothing and records nothing", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach" });
    const token = await newSessionToken(coach);
    await changeRole(admin, coach.id, "coach", testContext.clientIp);
    expect(await stillSignedIn(token)).toBe(true);
    expect(await auditEventsAbout(coach.id)).toEqual([]);
  });

  it("answers 404 for an id that doesn't exist or isn't an id", async () => {
    const admin = await createUser({ role: "admin" });
    for (const userId of [crypto.randomUUID(), "not-a-uuid", "1 or 1=1"]) {
      const loaded = await call(adminUser.loader, admin, `/admin/users/${encodeURIComponent(userId)}`, { params: { userId } });
      expect(loaded.status).toBe(404);
      const posted = await postToUser(admin, userId, { intent: "deactivate" });
      expect(posted.status).toBe(404);
    }
  });
});

describe("deactivating and reactivating", () => {
  it("deactivation signs the person out on every device, blocks them, and is audited", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach", name: "Devon Device" });
    const laptop = await newSessionToken(coach);
    const phone = await newSessionToken(coach);
    expect(await sessionCountFor(coach.id)).toBe(2);

    const response = await postToUser(admin, coach.id, { intent: "deactivate" });
    expect(response.status).toBe(302);
    expect((await reloadUser(coach.id)).deactivatedAt).not.toBeNull();
    expect(await sessionCountFor(coach.id)).toBe(0);
    expect(await stillSignedIn(laptop)).toBe(false);
    expect(await stillSignedIn(phone)).toBe(false);
    expect((await getUserForAdmin(admin, coach.id)).status).toBe("deactivated");

    const [event] = (await auditEventsAbout(coach.id)).filter((e) => e.action === "user.deactivated");
    expect(event).toMatchObject({ actorId: admin.id, targetType: "user", targetId: coach.id, ip: testContext.clientIp });
  });

  it("deactivating an invited person makes their invitation link unusable", async () => {
    const admin = await createUser({ role: "admin" });
    const invited = await inviteUser(admin, { name: "Ivy Invited", email: uniqueEmail("ivy"), role: "client" }, null);
    expect((await getUserForAdmin(admin, invited.id)).pendingInvitation).not.toBeNull();
    await deactivateUser(admin, invited.id, null);
    expect((await getUserForAdmin(admin, invited.id)).pendingInvitation).toBeNull();
  });

  it("reactivation lets the person sign in and work again, and is audited", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach" });
    await deactivateUser(admin, coach.id, testContext.clientIp);
    expect(await stillSignedIn(await newSessionToken(coach))).toBe(false);

    const response = await postToUser(admin, coach.id, { intent: "reactivate" });
    expect(response.status).toBe(302);
    expect((await reloadUser(coach.id)).deactivatedAt).toBeNull();
    expect(await stillSignedIn(await newSessionToken(coach))).toBe(true);
    expect((await auditEventsAbout(coach.id)).map((e) => e.action)).toEqual(["user.deactivated", "user.reactivated"]);
  });

  it("reactivateUser on an active account changes nothing", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach" });
    await reactivateUser(admin, coach.id, null);
    expect((await reloadUser(coach.id)).deactivatedAt).toBeNull();
    expect(await auditEventsAbout(coach.id)).toEqual([]);
  });
});

describe("inviting", () => {
  it("creates an invited account, emails a link, and records who invited whom from where", async () => {
    const admin = await createUser({ role: "admin" });
    const email = uniqueEmail("new-coach");
    const response = await call(adminInvite.action, admin, "/admin/users/new", {
      form: { name: "Nova Coach", email: email.toUpperCase(), role: "coach" },
    });
    expect(response.status).toBe(302);
    const [created] = await db.select().from(users).where(sql`lower(${users.email}) = ${email}`);
    expect(created).toMatchObject({ name: "Nova Coach", email, role: "coach", passwordHash: null });
    expect(response.headers.get("Location")).toBe(`/admin/users/${created!.id}`);

    const mail = await db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, email));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.link).toMatch(/\/invite\/[^/]+$/);

    const [event] = await auditEventsAbout(created!.id);
    expect(event).toMatchObject({
      action: "user.invited",
      actorId: admin.id,
      targetType: "user",
      targetId: created!.id,
      ip: testContext.clientIp,
      details: { role: "coach" },
    });
  });

  it("refuses an email that already has an account, in any case, and keeps what was typed", async () => {
    const admin = await createUser({ role: "admin" });
    const tag = uniqueTag();
    const existing = await createUser({ name: "Casey Existing", email: `Casey.${tag}@Example.test` });
    const typed = { name: "Typed Name", email: `CASEY.${tag.toUpperCase()}@EXAMPLE.TEST`, role: "therapist" };

    const response = await call(adminInvite.action, admin, "/admin/users/new", { form: typed });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body.errors).toEqual({ email: "An account with this email already exists." });
    expect(body.values).toMatchObject(typed);

    const sameEmail = await db.select().from(users).where(sql`lower(${users.email}) = lower(${existing.email})`);
    expect(sameEmail.map((u) => u.id)).toEqual([existing.id]);
    expect(await reloadUser(existing.id)).toMatchObject({ name: "Casey Existing", role: "client" });
    const mail = await db.select().from(emailOutbox).where(sql`lower(${emailOutbox.toAddress}) = lower(${existing.email})`);
    expect(mail).toEqual([]);
  });

  it("answers 400 with a message per bad field", async () => {
    const admin = await createUser({ role: "admin" });
    const response = await call(adminInvite.action, admin, "/admin/users/new", { form: { name: " ", email: "nope", role: "root" } });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body.errors).toEqual({ name: "Enter the person's name.", email: "Enter a valid email address.", role: "Choose a role." });
    expect(body.values).toMatchObject({ email: "nope" });
  });
});

// These run last in the file: they deactivate every other admin in this file's database.
describe("the last active admin", () => {
  it("can't deactivate themselves: 400 with a message, and they stay active and signed in", async () => {
    const admin = await soleAdmin();
    const token = await newSessionToken(admin);

    const response = await postToUser(admin, admin.id, { intent: "deactivate" });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer & { intent: string }>(response);
    expect(body.intent).toBe("deactivate");
    expect(body.errors.form).toBe("This is the practice's last admin and can't be deactivated.");
    expect((await reloadUser(admin.id)).deactivatedAt).toBeNull();
    expect(await stillSignedIn(token)).toBe(true);
    expect(await auditEventsAbout(admin.id)).toEqual([]);
  });

  it("can't demote themselves: 400 beside the role field, the chosen role kept, still admin", async () => {
    const admin = await soleAdmin();
    const response = await postToUser(admin, admin.id, { intent: "role", role: "coach" });
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer & { intent: string }>(response);
    expect(body.errors.role).toBe("This is the practice's last admin. Make someone else an admin first.");
    expect(body.values.role).toBe("coach");
    expect((await reloadUser(admin.id)).role).toBe("admin");
    await expect(changeRole(admin, admin.id, "client", null)).rejects.toBeInstanceOf(RuleViolation);
    expect((await reloadUser(admin.id)).role).toBe("admin");
  });

  it("can step down once another active admin exists", async () => {
    const admin = await soleAdmin();
    const successor = await createUser({ role: "admin", name: "Second Admin" });

    const response = await postToUser(admin, admin.id, { intent: "role", role: "coach" });
    expect(response.status).toBe(302);
    expect((await reloadUser(admin.id)).role).toBe("coach");

    const demoted = await call(adminUsers.loader, admin, "/admin/users");
    expect(demoted.status).toBe(404);
    // The successor is now the last admin and is protected in turn.
    expect((await postToUser(successor, successor.id, { intent: "deactivate" })).status).toBe(400);
  });

  it("can deactivate themselves once another active admin exists", async () => {
    const admin = await soleAdmin();
    await createUser({ role: "admin" });
    const response = await postToUser(admin, admin.id, { intent: "deactivate" });
    expect(response.status).toBe(302);
    expect((await reloadUser(admin.id)).deactivatedAt).not.toBeNull();
    expect(await sessionCountFor(admin.id)).toBe(0);
  });

  // Known bug (reported to the lead): otherActiveAdmins() in app/models/users.server.ts counts an
  // admin who was invited but never set a password, so the only admin who can sign in may step
  // down and leave the practice with no usable admin. Flip to `it` once the count requires a
  // password hash.
  it("an admin who was only invited doesn't count as another admin", async () => {
    const admin = await soleAdmin();
    await inviteUser(admin, { name: "Pending Admin", email: uniqueEmail("pending-admin"), role: "admin" }, null);
    expect((await postToUser(admin, admin.id, { intent: "deactivate" })).status).toBe(400);
  });

  it("a deactivated admin doesn't count as another admin", async () => {
    const admin = await soleAdmin();
    await createUser({ role: "admin", deactivated: true });
    expect((await postToUser(admin, admin.id, { intent: "deactivate" })).status).toBe(400);
    expect((await reloadUser(admin.id)).deactivatedAt).toBeNull();
  });
});
