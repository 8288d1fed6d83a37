import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "~/auth/password.server";
import { getSetting } from "~/models/settings.server";
import { startThread } from "~/models/threads.server";
import { inviteUser, requestPasswordReset } from "~/models/users.server";
import * as accountPage from "~/routes/account";
import * as userPage from "~/routes/admin.users.$userId";
import * as userList from "~/routes/admin.users._index";
import * as newUser from "~/routes/admin.users.new";
import * as settingsPage from "~/routes/admin.settings";
import * as caseList from "~/routes/cases._index";
import * as forgotPage from "~/routes/forgot-password";
import * as invitePage from "~/routes/invite.$token";
import * as loginPage from "~/routes/login";
import * as notificationsPage from "~/routes/notifications";
import * as checkInPage from "~/routes/portal.check-in";
import * as resetPage from "~/routes/reset-password.$token";
import * as staffThread from "~/routes/threads.$threadId";
import * as triagePage from "~/routes/triage";
import { db } from "../../db/client";
import { emailOutbox, users } from "../../db/schema";
import { createUser, insertCase, reloadUser, TEST_PASSWORD, tokenFromLink, uniqueEmail } from "../support/factories";
import {
  expectLimitShownInForm,
  expectNoLiveInjection,
  expectShownAsText,
  HOSTILE_EMAILS,
  HOSTILE_SAMPLE,
  keptAsTyped,
  sendAllThrough,
  type FieldUnderTest,
} from "../support/hostile-input";
import { renderInShell, renderPage, type PageModule } from "../support/render-page";

// Hostile text through the account fields: signing in, asking for and using a reset link,
// accepting an invitation, the account page, the admin's invitation form, and the practice's
// crisis message. Each value is posted through the route's action; the pages that show it are
// rendered. No answer is an error, what was typed is stored as typed (NUL removed; names
// trimmed, passwords exactly as typed), over-long text gets the limit message beside the field,
// and no page carries live markup. Every submission here hashes or checks a password, so each
// field takes the sample: one string per kind of trouble.
//
// | route module         | path                   | intent   | field                         | other fields                   |
// |----------------------|------------------------|----------|-------------------------------|--------------------------------|
// | login                | /login                 | –        | email                         | password                       |
// | login                | /login                 | –        | password                      | email                          |
// | forgot-password      | /forgot-password       | –        | email                         | –                              |
// | reset-password.$token| /reset-password/:token | –        | password (and confirmPassword)| –                              |
// | invite.$token        | /invite/:token         | –        | name                          | password, confirmPassword      |
// | invite.$token        | /invite/:token         | –        | password (and confirmPassword)| name                           |
// | account              | /account               | profile  | name                          | –                              |
// | account              | /account               | password | currentPassword               | newPassword, confirmPassword   |
// | account              | /account               | password | newPassword (and confirm)     | currentPassword                |
// | admin.users.new      | /admin/users/new       | –        | name                          | email, role                    |
// | admin.users.new      | /admin/users/new       | –        | email                         | name, role                     |
// | admin.settings       | /admin/settings        | –        | crisis_message                | first_response_target_hours    |
// | admin.settings       | /admin/settings        | –        | first_response_target_hours   | crisis_message                 |

const page = (module: unknown) => module as PageModule;
const isEmail = (value: string) => z.email().safeParse(value).success;
/** The rules of a new password, on the text as typed (passwords aren't trimmed). */
const goodPassword = (_: string, typed: string) => keptAsTyped(typed).length >= 10 && keptAsTyped(typed).length <= 256;
const MATCHES = "the password matches";
/** Whether the person can now sign in with what was typed. */
const passwordOf = (id: string) => async (typed: string) =>
  (await verifyPassword((await reloadUser(id)).passwordHash ?? "", keptAsTyped(typed))) ? MATCHES : "the password does not match";

async function latestLinkTo(address: string) {
  const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, address)).orderBy(desc(emailOutbox.createdAt)).limit(1);
  return row?.link;
}

describe("signing in and resetting a password", () => {
  it("answers every hostile email and password with a message, never an error", { timeout: 90_000 }, async () => {
    const person = await createUser({ role: "coach" });
    const email: FieldUnderTest = {
      route: "login",
      action: loginPage.action,
      path: "/login",
      field: "email",
      others: { password: TEST_PASSWORD, redirectTo: "" },
      as: null,
      max: 254,
      required: true,
      // No such account: "don't match" sits above the form (or the pause, once there were many tries).
      valid: () => false,
      refusedOn: () => "form",
    };
    await sendAllThrough(email, [...HOSTILE_EMAILS, ...HOSTILE_SAMPLE]);
    const password: FieldUnderTest = {
      ...email,
      field: "password",
      others: { email: person.email, redirectTo: "" },
      max: 256,
      required: false,
      refusedOn: (_, typed) => (keptAsTyped(typed) === "" ? "password" : "form"),
      secret: true,
    };
    await sendAllThrough(password, HOSTILE_SAMPLE);
    expectNoLiveInjection(await renderPage(page(loginPage), "/login", null, "/login", [["email", HOSTILE_SAMPLE[0]!.value], ["password", "x"]]), "login page");

    const forgot: FieldUnderTest = {
      route: "forgot-password",
      action: forgotPage.action,
      path: "/forgot-password",
      field: "email",
      others: {},
      as: null,
      max: 254,
      required: true,
      valid: isEmail,
      acceptedStatus: 200,
    };
    await sendAllThrough(forgot, [...HOSTILE_EMAILS, ...HOSTILE_SAMPLE]);
    // The page has no loader of its own; the answer it shows repeats the address typed.
    const forgotView = page({ ...forgotPage, loader: async () => null });
    for (const input of HOSTILE_EMAILS) {
      expectNoLiveInjection(await renderPage(forgotView, "/forgot-password", null, "/forgot-password", [["email", input.value]]), `forgot page ← ${input.label}`);
    }
    await expectLimitShownInForm(forgot, { module: forgotView, pattern: "/forgot-password" });

    const reset: FieldUnderTest = {
      route: "reset-password.$token",
      action: resetPage.action,
      path: "/reset-password/:token",
      field: "password",
      alsoIn: ["confirmPassword"],
      others: {},
      as: null,
      max: 256,
      required: false,
      secret: true,
      valid: goodPassword,
      before: async () => {
        await requestPasswordReset(person.email, null);
        const token = tokenFromLink(await latestLinkTo(person.email), "/reset-password/");
        return { path: `/reset-password/${token}`, params: { token } };
      },
      read: passwordOf(person.id),
      storedAs: () => MATCHES,
    };
    await sendAllThrough(reset, HOSTILE_SAMPLE);
  });
});

describe("accepting an invitation", () => {
  it("keeps the name as typed and any allowed password exactly as typed", { timeout: 90_000 }, async () => {
    const admin = await createUser({ role: "admin" });
    let invitee = "";
    const before = async () => {
      const user = await inviteUser(admin, { name: "Invited Person", email: uniqueEmail("invitee"), role: "client" }, null);
      invitee = user.id;
      const token = tokenFromLink(await latestLinkTo(user.email), "/invite/");
      return { path: `/invite/${token}`, params: { token } };
    };
    const name: FieldUnderTest = {
      route: "invite.$token",
      action: invitePage.action,
      path: "/invite/:token",
      field: "name",
      others: { password: "a long and unusual passphrase", confirmPassword: "a long and unusual passphrase" },
      as: null,
      max: 120,
      required: true,
      before,
      read: async () => (await reloadUser(invitee)).name,
    };
    await sendAllThrough(name, HOSTILE_SAMPLE);
    await sendAllThrough(
      { ...name, field: "password", alsoIn: ["confirmPassword"], others: { name: "Sam Newcomer" }, max: 256, required: false, secret: true, valid: goodPassword, read: (typed) => passwordOf(invitee)(typed), storedAs: () => MATCHES },
      HOSTILE_SAMPLE,
    );
    await expectLimitShownInForm(name, { module: page(invitePage), pattern: "/invite/:token" });
  });
});

describe("the account page", () => {
  it("keeps the name as typed and shows it inert wherever the person appears", { timeout: 90_000 }, async () => {
    const lead = await createUser({ role: "therapist", name: "Theo Lead" });
    const client = await createUser({ role: "client", name: "Jordan Client" });
    const { case: c } = await insertCase({ lead, client });
    const { thread } = await startThread(client, c.id, { title: "Where do we start?", body: "It feels like a lot." });
    const name: FieldUnderTest = {
      route: "account",
      action: accountPage.action,
      path: "/account",
      intent: "profile",
      field: "name",
      others: {},
      as: client,
      max: 120,
      required: true,
      read: async () => (await reloadUser(client.id)).name,
    };
    for (const input of HOSTILE_SAMPLE) {
      const [kept] = await sendAllThrough(name, [input]);
      if (kept === undefined) continue;
      const pages = {
        "the client's own header": await renderInShell(client, "/portal"),
        "the client's account page": await renderPage(page(accountPage), "/account", client, "/account"),
        "the staff thread page": await renderPage(page(staffThread), "/threads/:threadId", lead, `/threads/${thread.id}`),
        "the triage queue": await renderPage(page(triagePage), "/triage", lead, "/triage"),
        "the case list": await renderPage(page(caseList), "/cases", lead, "/cases"),
      };
      for (const [where, html] of Object.entries(pages)) {
        expectNoLiveInjection(html, `${where} ← ${input.label}`);
        expectShownAsText(html, [kept], `${where} ← ${input.label}`);
      }
    }
    // A notification names the person who wrote.
    await startThread(client, c.id, { title: "Another question", body: "Some words." });
    expectNoLiveInjection(await renderPage(page(notificationsPage), "/notifications", lead, "/notifications"), "notifications");
    await expectLimitShownInForm(name, { module: page(accountPage), pattern: "/account" });
  });

  it("refuses a wrong or hostile current password and keeps an allowed new one exactly as typed", { timeout: 90_000 }, async () => {
    const person = await createUser({ role: "coach" });
    const original = await hashPassword(TEST_PASSWORD);
    const restore = async () => {
      await db.update(users).set({ passwordHash: original }).where(eq(users.id, person.id));
    };
    const current: FieldUnderTest = {
      route: "account",
      action: accountPage.action,
      path: "/account",
      intent: "password",
      field: "currentPassword",
      others: { newPassword: "a long and unusual passphrase", confirmPassword: "a long and unusual passphrase" },
      as: person,
      max: 256,
      required: false,
      secret: true,
      valid: () => false,
    };
    await sendAllThrough(current, HOSTILE_SAMPLE);
    const next: FieldUnderTest = {
      ...current,
      field: "newPassword",
      alsoIn: ["confirmPassword"],
      others: { currentPassword: TEST_PASSWORD },
      valid: goodPassword,
      freshSession: true,
      before: async () => {
        await restore();
        return { path: "/account", params: {} };
      },
      read: passwordOf(person.id),
      storedAs: () => MATCHES,
    };
    await sendAllThrough(next, HOSTILE_SAMPLE);
  });
});

describe("the admin's invitation form and the practice settings", () => {
  it("keeps a new person's name as typed, refuses look-alike emails, and shows both inert", { timeout: 90_000 }, async () => {
    const admin = await createUser({ role: "admin" });
    await createUser({ role: "coach", email: "coach@cairn.test" });
    const newest = async () => (await db.select().from(users).orderBy(desc(users.createdAt)).limit(1))[0];
    const name: FieldUnderTest = {
      route: "admin.users.new",
      action: newUser.action,
      path: "/admin/users/new",
      field: "name",
      others: () => ({ email: uniqueEmail("invited"), role: "coach" }),
      as: admin,
      max: 120,
      required: true,
      read: async () => (await newest())?.name,
    };
    const names = await sendAllThrough(name, HOSTILE_SAMPLE);
    const email: FieldUnderTest = {
      ...name,
      field: "email",
      others: { name: "Sam Newcomer", role: "coach" },
      max: 254,
      // An address already in use (in any case) is refused as taken.
      valid: (value) => isEmail(value) && value.toLowerCase() !== "coach@cairn.test",
      read: async () => (await newest())?.email,
      storedAs: (value) => value.toLowerCase(),
    };
    const emails = await sendAllThrough(email, [...HOSTILE_EMAILS, ...HOSTILE_SAMPLE, { label: "existing account in capitals", value: " COACH@CAIRN.TEST " }]);
    // The NUL one reads as the address around it; no look-alike of an existing account was made.
    expect(emails).toEqual(["admin@cairn.test.evil.example", "ADMIN@CAIRN.TEST"]);
    expect(await db.select({ id: users.id }).from(users).where(eq(users.email, "c\u03bfach@cairn.test"))).toEqual([]);

    const list = await renderPage(page(userList), "/admin/users", admin, "/admin/users?perPage=100");
    expectNoLiveInjection(list, "user list");
    expectShownAsText(list, names, "user list");
    const invited = await db.select().from(users).where(eq(users.role, "coach"));
    for (const user of invited) {
      expectNoLiveInjection(await renderPage(page(userPage), "/admin/users/:userId", admin, `/admin/users/${user.id}`), `user page of ${user.email}`);
    }
    await expectLimitShownInForm(name, { module: page(newUser), pattern: "/admin/users/new" });
  });

  it("keeps the crisis message as typed and shows it inert to a client", { timeout: 90_000 }, async () => {
    const admin = await createUser({ role: "admin" });
    const client = await createUser({ role: "client" });
    await insertCase({ client });
    const crisis: FieldUnderTest = {
      route: "admin.settings",
      action: settingsPage.action,
      path: "/admin/settings",
      field: "crisis_message",
      others: { first_response_target_hours: "24" },
      as: admin,
      max: 2000,
      required: true,
      valid: (value) => value.length >= 20,
      read: async () => String(await getSetting("crisis_message")),
    };
    for (const input of HOSTILE_SAMPLE) {
      const [kept] = await sendAllThrough(crisis, [input]);
      if (kept === undefined) continue;
      const html = await renderPage(page(checkInPage), "/portal/check-in", client, "/portal/check-in?support=1");
      expectNoLiveInjection(html, `crisis message ← ${input.label}`);
      expectShownAsText(html, [kept], `crisis message ← ${input.label}`);
    }
    // The target in hours is a number: any text is refused with the number message.
    await sendAllThrough(
      { ...crisis, field: "first_response_target_hours", others: { crisis_message: "Call your local emergency number straight away." }, max: Infinity, valid: () => false, read: undefined },
      HOSTILE_SAMPLE,
    );
    expectNoLiveInjection(await renderPage(page(settingsPage), "/admin/settings", admin, "/admin/settings"), "settings page");
    await expectLimitShownInForm(crisis, { module: page(settingsPage), pattern: "/admin/settings" });
  });
});
