import type { LoaderFunctionArgs } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getPracticeSettings, getSetting } from "~/models/settings.server";
import * as adminDashboard from "~/routes/admin._index";
import * as settingsPage from "~/routes/admin.settings";
import { db } from "../../db/client";
import { auditEvents } from "../../db/schema";
import { createUser, requestAs, respond, responseJson, testContext } from "../support/factories";
import { renderPage } from "../support/render-page";

// The admin's practice settings: the first-response target and the crisis message. Admins save
// them (audited); a bad value answers 400 with the message beside the field and the input kept;
// everyone else gets 404, as if the page didn't exist.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type FormAnswer = { ok: false; errors: Record<string, string>; values: Record<string, string> };

const CRISIS =
  "If you are in danger right now, call 999 (or 112). Samaritans answer at any hour on 116 123. We will read your message as soon as we can.";

async function call(fn: RouteFunction, user: { id: string } | null, form?: Record<string, string>) {
  const { request } = await requestAs(user, "/admin/settings", { form });
  return respond(() => fn({ request, params: {}, context: testContext }));
}

describe("practice settings", () => {
  it("shows an admin the current settings, starting from the practice's defaults", async () => {
    const admin = await createUser({ role: "admin" });
    const response = await call(settingsPage.loader, admin);
    expect(response.status).toBe(200);
    const body = await responseJson<{ settings: Awaited<ReturnType<typeof getPracticeSettings>> }>(response);
    expect(body.settings).toEqual(await getPracticeSettings());
    expect(body.settings.first_response_target_hours).toBe(24);
  });

  it("lets an admin save both settings, audits the change and says so", async () => {
    const admin = await createUser({ role: "admin" });
    const response = await call(settingsPage.action, admin, { first_response_target_hours: "8", crisis_message: `  ${CRISIS}  ` });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/settings");
    expect(response.headers.getSetCookie().join(";")).toContain("cairn_flash=");

    expect(await getSetting("first_response_target_hours")).toBe(8);
    expect(await getSetting("crisis_message")).toBe(CRISIS);

    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, admin.id), eq(auditEvents.action, "settings.changed")));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ip: testContext.clientIp, details: { keys: ["first_response_target_hours", "crisis_message"] } });
  });

  it.each([
    [{ first_response_target_hours: "0", crisis_message: CRISIS }, "first_response_target_hours", "Use at least 1 hour."],
    [{ first_response_target_hours: "2.5", crisis_message: CRISIS }, "first_response_target_hours", "Use whole hours."],
    [{ first_response_target_hours: "400", crisis_message: CRISIS }, "first_response_target_hours", "Use at most 336 hours (two weeks)."],
    [{ first_response_target_hours: "12", crisis_message: "Call us." }, "crisis_message", "Write at least a sentence or two."],
    [{ first_response_target_hours: "12", crisis_message: "x".repeat(2001) }, "crisis_message", "Use at most 2000 characters."],
  ])("answers 400 with a message beside the field and keeps what was typed (%j)", async (form, field, message) => {
    const admin = await createUser({ role: "admin" });
    const before = await getPracticeSettings();
    const response = await call(settingsPage.action, admin, form);
    expect(response.status).toBe(400);
    const body = await responseJson<FormAnswer>(response);
    expect(body.errors).toEqual({ [field]: message });
    expect(body.values).toEqual(form);
    expect(await getPracticeSettings()).toEqual(before);
  });

  it("answers 404 to everyone but admins, reading or saving, and changes nothing", async () => {
    const before = await getPracticeSettings();
    for (const role of ["coach", "therapist", "client"] as const) {
      const person = await createUser({ role });
      expect((await call(settingsPage.loader, person)).status).toBe(404);
      const saved = await call(settingsPage.action, person, { first_response_target_hours: "1", crisis_message: CRISIS.toUpperCase() });
      expect(saved.status).toBe(404);
      const audited = await db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.actorId, person.id), eq(auditEvents.action, "settings.changed")));
      expect(audited).toEqual([]);
    }
    expect(await getPracticeSettings()).toEqual(before);
  });

  it("sends someone signed out to sign in", async () => {
    const response = await call(settingsPage.loader, null);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fsettings");
  });

  it("has labelled fields holding the current values, under a heading", async () => {
    const admin = await createUser({ role: "admin" });
    const html = await renderPage(settingsPage, "/admin/settings", admin, "/admin/settings");
    expect(html).toContain("<h1>Practice settings</h1>");
    const settings = await getPracticeSettings();
    const hours = /<label for="([^"]+)"[^>]*>First-response target \(hours\)<\/label><input id="\1" name="first_response_target_hours" type="number"[^>]*value="(\d+)"/.exec(html);
    expect(hours?.[2]).toBe(String(settings.first_response_target_hours));
    const crisis = /<label for="([^"]+)"[^>]*>Crisis message<\/label><textarea id="\1" name="crisis_message"/.exec(html);
    expect(crisis).not.toBeNull();
    expect(html).toMatch(/<button type="submit"[^>]*>Save settings<\/button>/);
  });

  it("is linked from the admin dashboard", async () => {
    const admin = await createUser({ role: "admin" });
    const html = await renderPage(adminDashboard, "/admin", admin, "/admin");
    expect(html).toMatch(/<a[^>]*href="\/admin\/settings"[^>]*>Settings<\/a>/);
  });
});
