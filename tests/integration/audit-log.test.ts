import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { navigationFor } from "~/auth/permissions";
import { listAuditEvents, parseAuditLogQuery } from "~/models/audit-log.server";
import * as auditPage from "~/routes/admin.audit";
import * as auditCsv from "~/routes/admin.audit[.]csv";
import { db } from "../../db/client";
import { auditEvents, type User } from "../../db/schema";
import { countQueries } from "../support/query-counter";
import { createUser, insertCase, requestAs, respond, responseJson, testContext } from "../support/factories";
import { renderPage, type PageModule } from "../support/render-page";

// The admin's audit log /admin/audit: filters, paging and the CSV download of the filtered rows.
// Each test writes events for people of its own, then filters by them, so events other tests
// write never get in the way.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type LogRow = {
  id: string;
  at: string;
  actor: { id: string; name: string; roleLabel: string } | null;
  action: string;
  actionLabel: string;
  case: { id: string; title: string } | null;
  target: { type: string; id: string | null; name: string | null } | null;
  ip: string | null;
  details: string;
};
type LogData = { rows: LogRow[]; total: number; errors: Record<string, string>; invalid: boolean; csvHref: string; query: { page: number; perPage: number } };

async function call(fn: RouteFunction, user: { id: string } | null, path: string) {
  const { request } = await requestAs(user, path);
  return respond(() => fn({ request, params: {}, context: testContext }));
}

async function loadLog(user: { id: string }, search: string) {
  const response = await call(auditPage.loader, user, `/admin/audit${search}`);
  expect(response.status).toBe(200);
  return responseJson<LogData>(response);
}

async function downloadCsv(user: { id: string }, search: string) {
  return call(auditCsv.loader, user, `/admin/audit.csv${search}`);
}

/** A small RFC 4180 reader, enough to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

type NewEvent = typeof auditEvents.$inferInsert;

async function insertEvents(events: NewEvent[]) {
  for (let i = 0; i < events.length; i += 500) await db.insert(auditEvents).values(events.slice(i, i + 500));
}

let admin: User;
let coach: User;
let client: User;

beforeAll(async () => {
  admin = await createUser({ role: "admin", name: "Ada Admin" });
  coach = await createUser({ role: "coach", name: "Casey Filter" });
  client = await createUser({ role: "client", name: "Jordan Target" });
});

describe("who may read the audit log", () => {
  it("answers 404 to coaches, therapists and clients, for the page and the CSV, and records nothing", async () => {
    const therapist = await createUser({ role: "therapist" });
    for (const person of [coach, therapist, client]) {
      expect((await call(auditPage.loader, person, "/admin/audit")).status).toBe(404);
      expect((await downloadCsv(person, "")).status).toBe(404);
      const exported = await db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.actorId, person.id), eq(auditEvents.action, "audit.exported")));
      expect(exported).toEqual([]);
    }
    expect((await call(auditPage.loader, admin, "/admin/audit")).status).toBe(200);
  });

  it("is in the admin's navigation, and no one else's", () => {
    expect(navigationFor("admin")).toContainEqual({ to: "/admin/audit", label: "Audit log" });
    for (const role of ["coach", "therapist", "client"] as const) {
      expect(navigationFor(role).map((item) => item.to)).not.toContain("/admin/audit");
    }
  });
});

describe("the log", () => {
  it("lists events newest first with who, a readable action, the case, the target, the IP and the details", async () => {
    const actor = await createUser({ role: "therapist", name: "Theo Lister" });
    const { case: c } = await insertCase({ lead: actor, client, title: "Rebuilding trust after the phone" });
    await insertEvents([
      { actorId: actor.id, action: "case.status_changed", caseId: c.id, targetType: "case", targetId: c.id, ip: "198.51.100.1", details: { from: "intake", to: "active" }, createdAt: new Date("2025-01-02T10:00:00Z") },
      { actorId: actor.id, action: "user.role_changed", targetType: "user", targetId: client.id, ip: "198.51.100.2", details: { from: "client", to: "coach" }, createdAt: new Date("2025-01-03T10:00:00Z") },
    ]);
    const log = await loadLog(admin, `?actor=${actor.id}`);
    expect(log.total).toBe(2);
    expect(log.rows.map((r) => r.actionLabel)).toEqual(["Role changed", "Case status changed"]);
    const [role, status] = log.rows;
    expect(role!.actor).toEqual({ id: actor.id, name: "Theo Lister", roleLabel: "Therapist" });
    expect(role!.target).toEqual({ type: "user", id: client.id, name: "Jordan Target" });
    expect(role!.case).toBeNull();
    expect(status!.case).toEqual({ id: c.id, title: "Rebuilding trust after the phone" });
    expect(status!.ip).toBe("198.51.100.1");
    expect(status!.details).toBe("from: intake · to: active");

    const html = await renderPage(auditPage as unknown as PageModule, "/admin/audit", admin, `/admin/audit?actor=${actor.id}`);
    expect(html).toContain("<h1>Audit log</h1>");
    expect(html).toContain("Theo Lister");
    expect(html).toContain("Case status changed");
    expect(html).toContain(`href="/cases/${c.id}"`);
    expect(html).toContain(`href="/admin/audit.csv?actor=${actor.id}"`);
    expect(html).toContain("Download CSV");
  });

  it("filters by person, action, case and date range on the server", async () => {
    const actor = await createUser({ role: "coach" });
    const { case: first } = await insertCase({ lead: actor });
    const { case: second } = await insertCase({ lead: actor });
    await insertEvents([
      { actorId: actor.id, action: "case.viewed", caseId: first.id, details: { page: "overview" }, createdAt: new Date("2024-01-10T12:00:00Z") },
      { actorId: actor.id, action: "note.added", caseId: second.id, createdAt: new Date("2024-02-15T00:00:00Z") },
      { actorId: actor.id, action: "case.viewed", caseId: second.id, details: { page: "notes" }, createdAt: new Date("2024-03-20T23:59:00Z") },
      { actorId: actor.id, action: "auth.sign_in", createdAt: new Date("2024-03-21T00:00:00Z") },
    ]);
    const actions = async (search: string) => (await loadLog(admin, `?actor=${actor.id}${search}`)).rows.map((r) => `${r.action}@${r.at.slice(0, 10)}`);

    expect(await actions("")).toEqual(["auth.sign_in@2024-03-21", "case.viewed@2024-03-20", "note.added@2024-02-15", "case.viewed@2024-01-10"]);
    expect(await actions("&action=case.viewed")).toEqual(["case.viewed@2024-03-20", "case.viewed@2024-01-10"]);
    expect(await actions(`&case=${second.id}`)).toEqual(["case.viewed@2024-03-20", "note.added@2024-02-15"]);
    // Both ends of the range are whole days, included.
    expect(await actions("&from=2024-02-15&to=2024-03-20")).toEqual(["case.viewed@2024-03-20", "note.added@2024-02-15"]);
    expect(await actions("&from=2024-03-21")).toEqual(["auth.sign_in@2024-03-21"]);
    expect(await actions("&to=2024-01-10")).toEqual(["case.viewed@2024-01-10"]);
    expect(await actions(`&action=case.viewed&case=${first.id}&from=2024-01-01&to=2024-12-31`)).toEqual(["case.viewed@2024-01-10"]);
    // Empty fields (a form sent with "Any …") mean no filter.
    expect(await actions("&action=&case=&from=&to=")).toHaveLength(4);
  });

  it("finds events no one signed in did", async () => {
    const target = await createUser({ role: "client" });
    await insertEvents([{ actorId: null, action: "auth.sign_in_failed", targetType: "user", targetId: target.id, ip: "203.0.113.99" }]);
    const log = await loadLog(admin, "?actor=system&action=auth.sign_in_failed");
    const row = log.rows.find((r) => r.target?.id === target.id);
    expect(row).toMatchObject({ actor: null, actionLabel: "Sign-in failed", ip: "203.0.113.99" });
    expect(log.rows.every((r) => r.actor === null)).toBe(true);
  });

  it("pages through the filtered events, and a page past the end goes to the last one", async () => {
    const actor = await createUser({ role: "coach" });
    const base = Date.UTC(2023, 5, 1);
    await insertEvents(Array.from({ length: 60 }, (_, i) => ({ actorId: actor.id, action: "auth.sign_in", createdAt: new Date(base + i * 60_000) })));
    const page = (n: number) => loadLog(admin, `?actor=${actor.id}&perPage=25&page=${n}`);
    const [one, two, three] = [await page(1), await page(2), await page(3)];
    expect([one.total, one.rows.length, two.rows.length, three.rows.length]).toEqual([60, 25, 25, 10]);
    const all = [...one.rows, ...two.rows, ...three.rows];
    expect(new Set(all.map((r) => r.id)).size).toBe(60);
    const times = all.map((r) => new Date(r.at).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const beyond = await call(auditPage.loader, admin, `/admin/audit?actor=${actor.id}&perPage=25&page=9`);
    expect(beyond.status).toBe(302);
    expect(beyond.headers.get("Location")).toBe(`/admin/audit?actor=${actor.id}&perPage=25&page=3`);
  });

  it("reads a page in three queries, however many rows it shows", async () => {
    const actor = await createUser({ role: "coach" });
    const people = await Promise.all([createUser(), createUser(), createUser()]);
    await insertEvents(people.map((p) => ({ actorId: actor.id, action: "user.invited", targetType: "user", targetId: p.id })));
    const { query } = parseAuditLogQuery(new URLSearchParams({ actor: actor.id }));
    const { result, count } = await countQueries(() => listAuditEvents(admin, query));
    expect(result.rows.map((r) => r.target?.name).sort()).toEqual(people.map((p) => p.name).sort());
    expect(count).toBe(3);
  });
});

describe("filters that make no sense", () => {
  it("shows a message beside the date field, keeps what was typed and lists nothing", async () => {
    const bad = await loadLog(admin, "?from=2024-02-30&to=yesterday");
    expect(bad.errors).toEqual({
      from: "Enter a date as YYYY-MM-DD, for example 2025-03-31.",
      to: "Enter a date as YYYY-MM-DD, for example 2025-03-31.",
    });
    expect([bad.invalid, bad.rows, bad.total]).toEqual([true, [], 0]);

    const reversed = await loadLog(admin, "?from=2024-05-01&to=2024-04-01");
    expect(reversed.errors).toEqual({ to: "The end date can't be before the start date." });
    expect(reversed.rows).toEqual([]);

    const html = await renderPage(auditPage as unknown as PageModule, "/admin/audit", admin, "/admin/audit?from=2024-05-01&to=2024-04-01");
    expect(html).toContain("The end date can&#x27;t be before the start date.");
    const toInput = /<input[^>]*name="to"[^>]*>/.exec(html)?.[0] ?? "";
    expect(toInput).toContain('aria-invalid="true"');
    expect(toInput).toContain('value="2024-04-01"');
    expect(html).toContain("Fix the highlighted filters to see entries.");
    expect(html).not.toContain("Download CSV");
  });

  it("names the field for an unknown action, a person or case that isn't an id", async () => {
    const log = await loadLog(admin, "?action=case.deleted&actor=nobody&case=42");
    expect(Object.keys(log.errors).sort()).toEqual(["action", "actor", "case"]);
    expect(log.rows).toEqual([]);
  });

  it("refuses a CSV of nonsense filters with 400 and records no export", async () => {
    const checker = await createUser({ role: "admin" });
    const response = await downloadCsv(checker, "?from=2024-13-01");
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/YYYY-MM-DD/);
    expect(await db.select().from(auditEvents).where(eq(auditEvents.actorId, checker.id))).toEqual([]);
  });
});

describe("the CSV download", () => {
  it("holds exactly the filtered rows of every page, newest first, in batches that don't lose rows sharing a time", async () => {
    const actor = await createUser({ role: "coach" });
    const other = await createUser({ role: "coach" });
    const sameMoment = new Date("2024-06-01T08:00:00Z");
    // 1,203 events, 700 of them at the very same moment, so batches of 500 break inside a tie.
    await insertEvents([
      ...Array.from({ length: 700 }, () => ({ actorId: actor.id, action: "auth.sign_in", createdAt: sameMoment })),
      ...Array.from({ length: 503 }, (_, i) => ({ actorId: actor.id, action: "auth.sign_out", createdAt: new Date(Date.UTC(2024, 5, 2) + i * 1000) })),
      { actorId: other.id, action: "auth.sign_in", createdAt: sameMoment },
    ]);
    const response = await downloadCsv(admin, `?actor=${actor.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="cairn-audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await response.text();
    const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ""));
    expect(header).toEqual(["Time (UTC)", "Actor", "Actor role", "Actor id", "Action", "Action code", "Case", "Case id", "Target type", "Target id", "IP address", "Details"]);
    expect(rows).toHaveLength(1203);
    expect(rows.every((r) => r[3] === actor.id && r.length === 12)).toBe(true);
    expect(rows.slice(0, 503).every((r) => r[5] === "auth.sign_out" && r[4] === "Signed out")).toBe(true);
    expect(rows.slice(503).every((r) => r[5] === "auth.sign_in" && r[0] === sameMoment.toISOString())).toBe(true);

    const stored = await db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.actorId, actor.id));
    expect(stored).toHaveLength(1203);
  });

  it("quotes cells properly and defuses anything a spreadsheet would run as a formula", async () => {
    const actor = await createUser({ role: "coach", name: "=HYPERLINK(\"http://evil.example\",\"Click\")" });
    const { case: c } = await insertCase({ lead: actor, title: "+1 (555) call me, maybe" });
    await insertEvents([
      {
        actorId: actor.id,
        action: "note.edited",
        caseId: c.id,
        targetType: "case_note",
        targetId: "@SUM(A1:A9)",
        ip: "-2+3",
        details: { note: 'She said "fine",\nthen left' },
        createdAt: new Date("2024-07-01T09:00:00Z"),
      },
    ]);
    const text = await (await downloadCsv(admin, `?actor=${actor.id}`)).text();
    const [, row] = parseCsv(text.replace(/^\uFEFF/, ""));
    expect(row![1]).toBe(`'=HYPERLINK("http://evil.example","Click")`);
    expect(row![6]).toBe("'+1 (555) call me, maybe");
    expect(row![9]).toBe("'@SUM(A1:A9)");
    expect(row![10]).toBe("'-2+3");
    expect(JSON.parse(row![11]!)).toEqual({ note: 'She said "fine",\nthen left' });
    // In the file itself: the quoted forms, quotes doubled.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""Click"")"`);
    expect(text).toContain(`"'+1 (555) call me, maybe"`);
  });

  it("is itself recorded in the audit trail, with the filters, and the file leaves that event out", async () => {
    const exporter = await createUser({ role: "admin" });
    const response = await downloadCsv(exporter, `?actor=${exporter.id}&action=audit.exported&from=2020-01-01`);
    const rows = parseCsv((await response.text()).replace(/^\uFEFF/, ""));
    expect(rows).toHaveLength(1); // the header: nothing was exported by this admin before
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.actorId, exporter.id));
    expect(event).toMatchObject({
      action: "audit.exported",
      ip: testContext.clientIp,
      details: { format: "csv", filters: { actor: exporter.id, action: "audit.exported", from: "2020-01-01" } },
    });

    // The next export lists the first one.
    const again = parseCsv((await (await downloadCsv(exporter, `?actor=${exporter.id}`)).text()).replace(/^\uFEFF/, ""));
    expect(again.slice(1).map((r) => r[5])).toEqual(["audit.exported"]);
    const log = await loadLog(admin, `?actor=${exporter.id}&action=audit.exported`);
    expect(log.rows.map((r) => r.actionLabel)).toEqual(["Audit log exported", "Audit log exported"]);
  });
});
