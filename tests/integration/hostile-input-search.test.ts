import type { LoaderFunctionArgs } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { startThread } from "~/models/threads.server";
import * as casePage from "~/routes/cases.$caseId";
import * as notesPage from "~/routes/cases.$caseId.notes";
import * as caseThreads from "~/routes/cases.$caseId.threads";
import * as timelinePage from "~/routes/cases.$caseId.timeline";
import * as caseList from "~/routes/cases._index";
import * as userList from "~/routes/admin.users._index";
import * as reviewQueue from "~/routes/check-ins._index";
import * as loginPage from "~/routes/login";
import * as notificationsPage from "~/routes/notifications";
import * as templateList from "~/routes/plans.templates._index";
import * as checkInPage from "~/routes/portal.check-in";
import * as progressPage from "~/routes/portal.progress";
import * as portalQuestion from "~/routes/portal.questions.$threadId";
import * as portalQuestions from "~/routes/portal.questions._index";
import * as staffThread from "~/routes/threads.$threadId";
import * as triagePage from "~/routes/triage";
import {
  createUser,
  insertCase,
  insertTemplate,
  requestAs,
  requestWithSession,
  respond,
  responseJson,
  TEST_PASSWORD,
  testContext,
} from "../support/factories";
import { asSent, escapeLikeReact, expectNoLiveInjection, hostile, HOSTILE_INPUTS, stored } from "../support/hostile-input";
import { renderPage, type PageModule } from "../support/render-page";

// Hostile search and filter parameters on every list, and hostile values in the other query
// parameters pages read: none is an error, a search matches only what contains the text typed
// (LIKE wildcards and the escape character taken literally, SQL taken as words), an over-long
// search is shortened rather than refused or ignored, and the page showing the search box stays
// inert. Redirect targets taken from a form (`redirectTo`, `back`) never leave the site and are
// always a valid Location header.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
const page = (module: unknown) => module as PageModule;

const tokens = new Map<string, string>();

/** Runs a loader as `user` (one session per person), answering its Response. */
async function load(fn: RouteFunction, user: { id: string }, path: string, params: Record<string, string> = {}) {
  if (!tokens.has(user.id)) tokens.set(user.id, (await requestAs(user, "/")).token!);
  const request = requestWithSession(tokens.get(user.id)!, path);
  return respond(() => fn({ request, params, context: testContext }));
}

/** A value in a query string, as a browser writes it (lone surrogates become U+FFFD). */
const encode = (value: string) => encodeURIComponent(asSent(value));
const q = (value: string) => `q=${encode(value)}`;

/** Names that each hold one of the characters a LIKE pattern treats specially. */
const SPECIAL = ["Alpha trust", "Beta 100% honest", "Gamma under_score", "Delta back\\slash"];

describe("searching the case list, the user list and the template list", () => {
  it("takes wildcards, the escape character and SQL as plain text", { timeout: 90_000 }, async () => {
    const admin = await createUser({ role: "admin" });
    const lead = await createUser({ role: "coach" });
    for (const title of SPECIAL) {
      await insertCase({ lead, title });
      await createUser({ role: "client", name: title });
      await insertTemplate({ title });
    }
    const lists = [
      { name: "case list", loader: caseList.loader, path: "/cases", as: lead, titles: (d: { rows: { title: string }[] }) => d.rows.map((r) => r.title) },
      { name: "user list", loader: userList.loader, path: "/admin/users", as: admin, titles: (d: { rows: { name: string }[] }) => d.rows.map((r) => r.name) },
      { name: "template list", loader: templateList.loader, path: "/plans/templates", as: lead, titles: (d: { rows: { title: string }[] }) => d.rows.map((r) => r.title) },
    ] as const;
    const expected: [string, string[]][] = [
      ["%", ["Beta 100% honest"]],
      ["_", ["Gamma under_score"]],
      ["\\", ["Delta back\\slash"]],
      ["%_", []],
      ["' OR 1=1 --", []],
      ['"; DROP TABLE users; --', []],
      ["a%a", []],
      ["00%", ["Beta 100% honest"]],
      ["TRUST", ["Alpha trust"]],
      ["\u0000", SPECIAL],
      ["  ", SPECIAL],
    ];
    for (const list of lists) {
      for (const [search, want] of expected) {
        const response = await load(list.loader, list.as, `${list.path}?${q(search)}&perPage=100`);
        expect(response.status, `${list.name} ?q=${search}`).toBe(200);
        const found = list.titles(await responseJson(response)).filter((t) => SPECIAL.includes(t));
        expect(found.sort(), `${list.name} ?q=${search}`).toEqual([...want].sort());
      }
      // Broken percent-encoding reads as the replacement character: a search like any other.
      for (const raw of ["%", "%ZZ", "%E0%A4%A", "%C0%AF", "%00", "a&q=b", "q"]) {
        const response = await load(list.loader, list.as, `${list.path}?q=${raw}`);
        expect(response.status, `${list.name} ?q=${raw}`).toBe(200);
      }
      // Longer than the search box allows: shortened, so it still finds nothing rather than everything.
      const long = await load(list.loader, list.as, `${list.path}?${q("Alpha".repeat(100))}`);
      expect(long.status).toBe(200);
      expect(list.titles(await responseJson(long)).filter((t) => SPECIAL.includes(t)), `${list.name} with a long search`).toEqual([]);
    }
  });

  it("answers every corpus string in the search box with a page that shows it inert", { timeout: 90_000 }, async () => {
    const admin = await createUser({ role: "admin" });
    await insertCase({ lead: admin, title: "Alpha trust" });
    await insertTemplate({ title: "Alpha trust" });
    const pages = [
      { module: caseList, pattern: "/cases" },
      { module: userList, pattern: "/admin/users" },
      { module: templateList, pattern: "/plans/templates" },
    ];
    for (const input of HOSTILE_INPUTS) {
      for (const { module, pattern } of pages) {
        const where = `${pattern}?q ← ${input.label}`;
        const html = await renderPage(page(module), pattern, admin, `${pattern}?${q(input.value)}`);
        expectNoLiveInjection(html, where);
        // The search box shows what is being searched for (at most 200 characters of it).
        const shown = stored(input.value).slice(0, 200).replace(/[\ud800-\udbff]$/, "");
        if (shown) expect(html.includes(`value="${escapeLikeReact(shown)}"`), where).toBe(true);
      }
    }
  });
});

describe("other query parameters", () => {
  it("answers hostile filters, pages and ids on every list and page without an error", { timeout: 90_000 }, async () => {
    const admin = await createUser({ role: "admin" });
    const lead = await createUser({ role: "coach" });
    const client = await createUser({ role: "client" });
    const { case: c } = await insertCase({ lead, client });
    const { thread } = await startThread(client, c.id, { title: "Where do we start?", body: "It feels like a lot." });
    const values = [
      ...["script tag", "sql or-true", "like wildcards", "NUL byte inside", "lone surrogates", "CRLF header injection", "__proto__", "100,000 characters"].map(hostile),
      ...["1e20", "-1", "0", "NaN", "Infinity", "99999999999999999999", "1.5", "[]"],
    ];
    const targets: [RouteFunction, { id: string }, string, string[], Record<string, string>][] = [
      [caseList.loader, lead, "/cases", ["status", "risk", "lead", "checkIn", "scope", "sort", "dir", "page", "perPage"], {}],
      [userList.loader, admin, "/admin/users", ["role", "status", "sort", "dir", "page", "perPage"], {}],
      [templateList.loader, lead, "/plans/templates", ["status", "sort", "dir", "page", "perPage"], {}],
      [triagePage.loader, lead, "/triage", ["filter", "page", "perPage"], {}],
      [reviewQueue.loader, lead, "/check-ins", ["caseId", "lead", "page", "perPage"], {}],
      [notificationsPage.loader, lead, "/notifications", ["page", "perPage"], {}],
      [timelinePage.loader, lead, `/cases/${c.id}/timeline`, ["page", "perPage"], { caseId: c.id }],
      [notesPage.loader, lead, `/cases/${c.id}/notes`, ["page"], { caseId: c.id }],
      [caseThreads.loader, lead, `/cases/${c.id}/threads`, ["page"], { caseId: c.id }],
      [staffThread.loader, lead, `/threads/${thread.id}`, ["savedReply", "replyTo", "edit"], { threadId: thread.id }],
      [portalQuestions.loader, client, "/portal/questions", ["page"], {}],
      [portalQuestion.loader, client, `/portal/questions/${thread.id}`, ["support", "replyTo"], { threadId: thread.id }],
      [checkInPage.loader, client, "/portal/check-in", ["support"], {}],
      [progressPage.loader, client, "/portal/progress", ["page"], {}],
    ];
    for (const [loader, user, path, names, params] of targets) {
      for (const name of names) {
        for (const value of values) {
          const where = `${path}?${name}=${value.slice(0, 40)}`;
          let response: Response;
          try {
            response = await load(loader, user, `${path}?${name}=${encode(value)}`, params);
          } catch (error) {
            throw new Error(`${where}: ${String(error)}`);
          }
          // A page past the end redirects to the last one; anything else shows the page.
          expect([200, 302], where).toContain(response.status);
        }
      }
    }
    // A hostile path segment is "not found", like any unknown id.
    for (const value of ["' OR 1=1 --", "..%2F..%2Fetc%2Fpasswd", "%00", "__proto__"]) {
      expect((await load(staffThread.loader, lead, `/threads/${value}`, { threadId: decodeURIComponent(value) })).status).toBe(404);
      expect((await load(casePage.loader, lead, `/cases/${value}`, { caseId: decodeURIComponent(value) })).status).toBe(404);
    }
  });

  it("sends a person only to a page on this site, with a Location that is always a valid header", { timeout: 90_000 }, async () => {
    const lead = await createUser({ role: "coach" });
    const { case: c } = await insertCase({ lead });
    const targets = [
      "/cases\r\nSet-Cookie: pwned=1",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\\evil.example",
      "//evil.example",
      "https://evil.example",
      "javascript:alert(1)",
      "/cases/✓ «ok»",
      "/cases\u0000",
      `/cases/${c.id}/../../admin`,
      `/cases/${c.id}?tab=<script>alert(1)</script>`,
      `/cases/${c.id}#\u202Eevil`,
      `/cases/${"a".repeat(3_000)}`,
    ];
    for (const target of targets) {
      const { request } = await requestAs(null, "/login", { form: { email: lead.email, password: TEST_PASSWORD, redirectTo: target } });
      const response = await respond(() => loginPage.action({ request, params: {}, context: testContext }));
      expect(response.status, `sign in, redirectTo=${JSON.stringify(target)}`).toBe(302);
      const location = response.headers.get("Location")!;
      expect(location, JSON.stringify(target)).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);

      const back = await requestAs(lead, `/cases/${c.id}`, { form: { intent: "risk", risk: "watch", back: target } });
      const answer = await respond(() => casePage.action({ request: back.request, params: { caseId: c.id }, context: testContext }));
      expect(answer.status, `back=${JSON.stringify(target)}`).toBe(302);
      expect(answer.headers.get("Location"), JSON.stringify(target)).toMatch(new RegExp(`^/cases/${c.id}(?![^/?#])[\\x21-\\x7e]*$`));
    }
  });
});
