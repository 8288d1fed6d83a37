import type { LoaderFunctionArgs } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { homePath, navigationFor } from "~/auth/permissions";
import * as account from "~/routes/account";
import * as adminDashboard from "~/routes/admin._index";
import * as adminUser from "~/routes/admin.users.$userId";
import * as adminUsers from "~/routes/admin.users._index";
import * as adminInvite from "~/routes/admin.users.new";
import * as cases from "~/routes/cases._index";
import * as checkInQueue from "~/routes/check-ins._index";
import * as planTemplates from "~/routes/plans.templates._index";
import * as adminSettings from "~/routes/admin.settings";
import * as portal from "~/routes/portal._index";
import * as portalCheckIn from "~/routes/portal.check-in";
import * as portalProgress from "~/routes/portal.progress";
import * as portalQuestions from "~/routes/portal.questions._index";
import * as savedReplies from "~/routes/saved-replies";
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
  testContext,
  uniqueEmail,
} from "../support/factories";

// Who may reach which page. A page outside the user's role answers 404, exactly like a page
// that doesn't exist, for GETs and for forms posted by hand alike (DESIGN.md).

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type Person = { id: string };

async function call(
  fn: RouteFunction,
  user: Person | null,
  path: string,
  init: { params?: Record<string, string>; form?: Record<string, string> } = {},
) {
  const { request } = await requestAs(user, path, { form: init.form });
  return respond(() => fn({ request, params: init.params ?? {}, context: testContext }));
}

const loaders: Record<string, { fn: RouteFunction; params?: (targetId: string) => Record<string, string> }> = {
  "/admin": { fn: adminDashboard.loader },
  "/admin/users": { fn: adminUsers.loader },
  "/admin/users/new": { fn: adminInvite.loader },
  "/admin/users/:id": { fn: adminUser.loader, params: (userId) => ({ userId }) },
  "/triage": { fn: triage.loader },
  "/check-ins": { fn: checkInQueue.loader },
  "/cases": { fn: cases.loader },
  "/plans/templates": { fn: planTemplates.loader },
  "/saved-replies": { fn: savedReplies.loader },
  "/portal": { fn: portal.loader },
  "/portal/check-in": { fn: portalCheckIn.loader },
  "/portal/progress": { fn: portalProgress.loader },
  "/portal/questions": { fn: portalQuestions.loader },
  "/admin/settings": { fn: adminSettings.loader },
  "/account": { fn: account.loader },
};

async function load(page: string, user: Person | null, targetId = "") {
  const route = loaders[page]!;
  return call(route.fn, user, page.replace(":id", targetId), { params: route.params?.(targetId) });
}

async function userByEmail(email: string) {
  return db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
}

describe.each(["client", "coach", "therapist"] as const)("a %s and the admin pages", (role) => {
  let actor: Awaited<ReturnType<typeof createUser>>;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let colleague: Awaited<ReturnType<typeof createUser>>;
  let formerStaff: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    actor = await createUser({ role });
    admin = await createUser({ role: "admin", name: "Ada Admin" });
    colleague = await createUser({ role: "coach", name: "Cleo Colleague" });
    formerStaff = await createUser({ role: "therapist", name: "Fern Former", deactivated: true });
  });

  it.each(["/admin", "/admin/users", "/admin/users/new"])("answers 404 to GET %s", async (page) => {
    const response = await load(page, actor);
    expect(response.status).toBe(404);
  });

  it("answers 404 to GET /admin/users/:id for a real account, the same as for a missing one", async () => {
    const real = await load("/admin/users/:id", actor, colleague.id);
    const missing = await load("/admin/users/:id", actor, crypto.randomUUID());
    expect(real.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await real.text()).toBe(await missing.text());
  });

  it("answers 404 to a user-list search and leaks no names or emails", async () => {
    const response = await call(adminUsers.loader, actor, `/admin/users?q=${encodeURIComponent(colleague.email)}`);
    expect(response.status).toBe(404);
    const body = await response.text();
    expect(body).not.toContain(colleague.email);
    expect(body).not.toContain("Cleo");
  });

  it("the dashboard and user list have no action at all, so a POST never reaches server code", () => {
    expect("action" in adminDashboard).toBe(false);
    expect("action" in adminUsers).toBe(false);
  });

  it("cannot invite anyone by posting the invite form by hand", async () => {
    const email = uniqueEmail("intruder");
    const response = await call(adminInvite.action, actor, "/admin/users/new", {
      form: { name: "Sneaky Admin", email, role: "admin" },
    });
    expect(response.status).toBe(404);
    expect(await userByEmail(email)).toHaveLength(0);
    expect(await db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, email))).toHaveLength(0);
  });

  it("cannot deactivate another user: 404, and the target can still use the app", async () => {
    const { token } = await requestAs(colleague, "/triage");
    const response = await call(adminUser.action, actor, `/admin/users/${colleague.id}`, {
      params: { userId: colleague.id },
      form: { intent: "deactivate" },
    });
    expect(response.status).toBe(404);
    const after = await reloadUser(colleague.id);
    expect(after.deactivatedAt).toBeNull();
    const stillSignedIn = requestWithSession(token!, "/triage");
    expect((await respond(() => triage.loader({ request: stillSignedIn, params: {}, context: testContext }))).status).toBe(200);
    expect(await auditEventsAbout(colleague.id)).toEqual([]);
  });

  it("cannot demote the admin: 404, and the admin is still an admin", async () => {
    const response = await call(adminUser.action, actor, `/admin/users/${admin.id}`, {
      params: { userId: admin.id },
      form: { intent: "role", role: "client" },
    });
    expect(response.status).toBe(404);
    expect((await reloadUser(admin.id)).role).toBe("admin");
    expect((await load("/admin", admin)).status).toBe(200);
  });

  it("cannot make themselves an admin", async () => {
    const response = await call(adminUser.action, actor, `/admin/users/${actor.id}`, {
      params: { userId: actor.id },
      form: { intent: "role", role: "admin" },
    });
    expect(response.status).toBe(404);
    expect((await reloadUser(actor.id)).role).toBe(role);
    expect((await load("/admin", actor)).status).toBe(404);
  });

  it("cannot reactivate a deactivated account", async () => {
    const response = await call(adminUser.action, actor, `/admin/users/${formerStaff.id}`, {
      params: { userId: formerStaff.id },
      form: { intent: "reactivate" },
    });
    expect(response.status).toBe(404);
    expect((await reloadUser(formerStaff.id)).deactivatedAt).not.toBeNull();
  });
});

describe("the workspaces by role", () => {
  it.each(["admin", "coach", "therapist"] as const)("a %s gets 404 on /portal and /portal/check-in", async (role) => {
    const staff = await createUser({ role });
    expect((await load("/portal", staff)).status).toBe(404);
    expect((await load("/portal/check-in", staff)).status).toBe(404);
  });

  it.each(["/triage", "/check-ins", "/cases", "/saved-replies"])("a client gets 404 on %s", async (page) => {
    const client = await createUser({ role: "client" });
    expect((await load(page, client)).status).toBe(404);
  });

  it.each(["coach", "therapist"] as const)("a %s gets 200 on /triage and /cases", async (role) => {
    const staff = await createUser({ role });
    expect((await load("/triage", staff)).status).toBe(200);
    expect((await load("/cases", staff)).status).toBe(200);
  });

  it("a client gets 200 on /portal, greeted by name", async () => {
    const client = await createUser({ role: "client", name: "Jules Client" });
    const response = await load("/portal", client);
    expect(response.status).toBe(200);
    expect(await responseJson(response)).toMatchObject({ name: "Jules Client", plans: [] });
  });
});

describe("an admin", () => {
  it.each(["/admin", "/admin/users", "/admin/users/new", "/triage", "/check-ins", "/cases", "/saved-replies"])("gets 200 on %s", async (page) => {
    const admin = await createUser({ role: "admin" });
    expect((await load(page, admin)).status).toBe(200);
  });

  it("gets 200 on /admin/users/:id with that person's details", async () => {
    const admin = await createUser({ role: "admin" });
    const coach = await createUser({ role: "coach", name: "Dev Coach" });
    const response = await load("/admin/users/:id", admin, coach.id);
    expect(response.status).toBe(200);
    const { user } = await responseJson<{ user: { id: string; name: string; role: Role } }>(response);
    expect(user).toMatchObject({ id: coach.id, name: "Dev Coach", role: "coach" });
  });

  it("sees a newly added coach counted on the dashboard", async () => {
    const admin = await createUser({ role: "admin" });
    const count = async () => {
      const { byRole } = await responseJson<{ byRole: { role: Role; active: number }[] }>(await load("/admin", admin));
      return byRole.find((r) => r.role === "coach")!.active;
    };
    const before = await count();
    await createUser({ role: "coach" });
    expect(await count()).toBe(before + 1);
  });
});

describe("a signed-out visitor", () => {
  const target = "00000000-0000-4000-8000-000000000000";

  it.each(Object.keys(loaders))("is sent to sign in from %s and brought back afterwards", async (page) => {
    const path = page.replace(":id", target);
    const response = await load(page, null, target);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
  });

  it("keeps the search params in redirectTo", async () => {
    const response = await call(adminUsers.loader, null, "/admin/users?role=coach&page=2");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fusers%3Frole%3Dcoach%26page%3D2");
  });

  it("is sent to sign in when posting an admin form, and nothing changes", async () => {
    const coach = await createUser({ role: "coach" });
    const response = await call(adminUser.action, null, `/admin/users/${coach.id}`, {
      params: { userId: coach.id },
      form: { intent: "deactivate" },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    expect((await reloadUser(coach.id)).deactivatedAt).toBeNull();
  });

  it("is treated as signed out with a made-up session cookie", async () => {
    const request = new Request("http://localhost:3000/admin", { headers: { Cookie: "cairn_session=forged-token-value" } });
    const response = await respond(() => adminDashboard.loader({ request, params: {}, context: testContext }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin");
  });

  it("a deactivated admin's leftover session no longer opens /admin", async () => {
    const admin = await createUser({ role: "admin", deactivated: true });
    const response = await load("/admin", admin);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin");
  });
});

describe("navigation and landing pages", () => {
  it("homePath sends each role to its own screen", () => {
    expect(homePath("admin")).toBe("/admin");
    expect(homePath("coach")).toBe("/triage");
    expect(homePath("therapist")).toBe("/cases");
    expect(homePath("client")).toBe("/portal");
  });

  it("navigationFor lists exactly the pages of each role", () => {
    const paths = (role: Role) => navigationFor(role).map((item) => item.to);
    expect(paths("admin")).toEqual([
      "/admin",
      "/triage",
      "/check-ins",
      "/cases",
      "/plans/templates",
      "/saved-replies",
      "/admin/users",
      "/admin/settings",
      "/admin/audit",
      "/account",
    ]);
    expect(paths("coach")).toEqual(["/triage", "/check-ins", "/cases", "/plans/templates", "/saved-replies", "/account"]);
    expect(paths("therapist")).toEqual(["/triage", "/check-ins", "/cases", "/plans/templates", "/saved-replies", "/account"]);
    expect(paths("client")).toEqual(["/portal", "/portal/check-in", "/portal/progress", "/portal/questions", "/account"]);
    expect(navigationFor("coach")).toContainEqual({ to: "/check-ins", label: "Check-ins" });
    expect(navigationFor("client")).toContainEqual({ to: "/portal/check-in", label: "Check in" });
    expect(navigationFor("client")).toContainEqual({ to: "/portal", label: "My plan" });
    expect(navigationFor("admin")).toContainEqual({ to: "/admin/users", label: "Users" });
    expect(navigationFor("coach")).toContainEqual({ to: "/saved-replies", label: "Saved replies" });
  });

  it.each(["admin", "coach", "therapist", "client"] as const)(
    "every link a %s is shown, and their landing page, opens for them; the rest answer 404",
    async (role) => {
      const person = await createUser({ role });
      const shown = new Set([...navigationFor(role).map((item) => item.to), homePath(role)]);
      expect(shown.has(homePath(role))).toBe(true);
      for (const page of [
        "/admin",
        "/admin/users",
        "/admin/settings",
        "/triage",
        "/check-ins",
        "/cases",
        "/plans/templates",
        "/saved-replies",
        "/portal",
        "/portal/check-in",
        "/portal/progress",
        "/portal/questions",
        "/account",
      ]) {
        const response = await load(page, person);
        expect({ page, status: response.status }).toEqual({ page, status: shown.has(page) ? 200 : 404 });
      }
    },
  );
});
