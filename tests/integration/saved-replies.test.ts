import type { LoaderFunctionArgs } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  createSavedReply,
  deleteSavedReply,
  getSavedReply,
  listSavedRepliesForActor,
  updateSavedReply,
} from "~/models/saved-replies.server";
import * as savedRepliesRoute from "~/routes/saved-replies";
import { db } from "../../db/client";
import { auditEvents, savedReplies } from "../../db/schema";
import { createUser, requestAs, respond, responseJson, testContext } from "../support/factories";

// Saved replies: each practitioner's own snippets plus practice-wide ones that admins manage.
// Someone else's personal reply is 404 (admins included), a practice-wide one is 403 to change
// for anyone but an admin, and clients have no saved replies at all (404).

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type FormAnswer = { ok: false; intent: string; errors: Record<string, string>; values: Record<string, string> };
type PageData = Awaited<ReturnType<typeof listSavedRepliesForActor>>;

async function call(fn: RouteFunction, user: { id: string } | null, form?: Record<string, string>) {
  const { request } = await requestAs(user, "/saved-replies", { form });
  return respond(() => fn({ request, params: {}, context: testContext }));
}

const post = (user: { id: string }, form: Record<string, string>) => call(savedRepliesRoute.action, user, form);

async function rowOf(id: string) {
  const [row] = await db.select().from(savedReplies).where(eq(savedReplies.id, id));
  return row;
}

async function people() {
  const coach = await createUser({ role: "coach", name: "Casey Coach" });
  const colleague = await createUser({ role: "therapist", name: "Theo Therapist" });
  const admin = await createUser({ role: "admin", name: "Ada Admin" });
  const client = await createUser({ role: "client", name: "Riley Client" });
  return { coach, colleague, admin, client };
}

describe("whose replies are listed", () => {
  let p: Awaited<ReturnType<typeof people>>;
  let coachReply: Awaited<ReturnType<typeof createSavedReply>>;
  let colleagueReply: Awaited<ReturnType<typeof createSavedReply>>;
  let practiceReply: Awaited<ReturnType<typeof createSavedReply>>;

  beforeAll(async () => {
    p = await people();
    coachReply = await createSavedReply(p.coach, { title: "thanks for writing", body: "Thank you for trusting me with this." });
    colleagueReply = await createSavedReply(p.colleague, { title: "Slow down", body: "There's no rush to decide anything today." });
    practiceReply = await createSavedReply(p.admin, {
      title: "Crisis lines",
      body: "If you feel unsafe right now, please call your local emergency number.",
      scope: "practice",
    });
  });

  it("staff see their own replies first, then the practice-wide ones, never a colleague's own", async () => {
    const own2 = await createSavedReply(p.coach, { title: "A gentle check-in", body: "How are the two of you doing this week?" });
    const list = await listSavedRepliesForActor(p.coach);
    const ids = list.map((r) => r.id);
    expect(ids).not.toContain(colleagueReply.id);
    // Own ones by title (case-insensitive), then the practice's.
    expect(ids.indexOf(own2.id)).toBeLessThan(ids.indexOf(coachReply.id));
    expect(ids.indexOf(coachReply.id)).toBeLessThan(ids.indexOf(practiceReply.id));
    expect(list.find((r) => r.id === coachReply.id)).toMatchObject({
      title: "thanks for writing",
      body: "Thank you for trusting me with this.",
      scope: "mine",
      canManage: true,
    });
    expect(list.find((r) => r.id === practiceReply.id)).toMatchObject({ scope: "practice", canManage: false });
  });

  it("an admin sees their own and the practice's, and may manage the practice's, but not a coach's own", async () => {
    const list = await listSavedRepliesForActor(p.admin);
    const ids = list.map((r) => r.id);
    expect(ids).toContain(practiceReply.id);
    expect(ids).not.toContain(coachReply.id);
    expect(list.find((r) => r.id === practiceReply.id)?.canManage).toBe(true);
  });

  it("getSavedReply: own and practice-wide open; a colleague's own, a missing or malformed id are 404", async () => {
    expect((await getSavedReply(p.coach, coachReply.id)).title).toBe("thanks for writing");
    expect((await getSavedReply(p.coach, practiceReply.id)).scope).toBe("practice");
    for (const id of [colleagueReply.id, crypto.randomUUID(), "not-an-id"]) {
      await expect(getSavedReply(p.coach, id)).rejects.toMatchObject({ status: 404 });
    }
    await expect(getSavedReply(p.admin, coachReply.id)).rejects.toMatchObject({ status: 404 });
  });

  it("the page shows the same list and says whether the viewer is an admin", async () => {
    const response = await call(savedRepliesRoute.loader, p.coach);
    expect(response.status).toBe(200);
    const data = await responseJson<{ replies: PageData; isAdmin: boolean }>(response);
    expect(data.isAdmin).toBe(false);
    expect(data.replies.map((r) => r.id)).toContain(practiceReply.id);
    expect(data.replies.map((r) => r.id)).not.toContain(colleagueReply.id);
  });

  it("a client gets 404 everywhere: model, page and posted forms", async () => {
    await expect(listSavedRepliesForActor(p.client)).rejects.toMatchObject({ status: 404 });
    await expect(getSavedReply(p.client, practiceReply.id)).rejects.toMatchObject({ status: 404 });
    await expect(createSavedReply(p.client, { title: "Mine", body: "Hello" })).rejects.toMatchObject({ status: 404 });
    expect((await call(savedRepliesRoute.loader, p.client)).status).toBe(404);
    const created = await post(p.client, { intent: "create", title: "Sneaky", body: "Hello", scope: "mine" });
    expect(created.status).toBe(404);
    const deleted = await post(p.client, { intent: "delete", replyId: practiceReply.id });
    expect(deleted.status).toBe(404);
    expect(await rowOf(practiceReply.id)).toBeDefined();
  });
});

describe("creating", () => {
  it("saves a personal reply from the page and records it without its text or a case", async () => {
    const { coach } = await people();
    const response = await post(coach, { intent: "create", title: "Owning it", body: "Owning what happened, **without excuses**, matters.", scope: "mine" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/saved-replies");
    const [reply] = await listSavedRepliesForActor(coach);
    expect(reply).toMatchObject({ title: "Owning it", scope: "mine" });
    expect((await rowOf(reply!.id))?.ownerId).toBe(coach.id);
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.targetId, reply!.id));
    expect(event).toMatchObject({ action: "saved_reply.created", actorId: coach.id, caseId: null, targetType: "saved_reply", ip: testContext.clientIp });
    expect(JSON.stringify(event)).not.toContain("excuses");
  });

  it("practice-wide replies are for admins: 403 for other staff (model and page), nothing saved", async () => {
    const { coach, admin } = await people();
    await expect(createSavedReply(coach, { title: "For all", body: "Shared words", scope: "practice" })).rejects.toMatchObject({ status: 403 });
    const response = await post(coach, { intent: "create", title: "For all", body: "Shared words", scope: "practice" });
    expect(response.status).toBe(403);
    expect((await listSavedRepliesForActor(coach)).filter((r) => r.title === "For all")).toEqual([]);

    const ok = await post(admin, { intent: "create", title: "Welcome", body: "Welcome to the practice.", scope: "practice" });
    expect(ok.status).toBe(302);
    const shared = (await listSavedRepliesForActor(coach)).find((r) => r.title === "Welcome");
    expect(shared).toMatchObject({ scope: "practice", canManage: false });
    expect((await rowOf(shared!.id))?.ownerId).toBeNull();
  });

  it("refuses an empty or overlong reply with messages beside the fields, keeping what was typed", async () => {
    const { coach } = await people();
    const empty = await post(coach, { intent: "create", title: "  ", body: "", scope: "mine" });
    expect(empty.status).toBe(400);
    const answer = await responseJson<FormAnswer>(empty);
    expect(answer.intent).toBe("create");
    expect(answer.errors).toMatchObject({ title: "Give the reply a short title.", body: "Write the text of the reply." });

    const long = await post(coach, { intent: "create", title: "Long one", body: "x".repeat(5_001), scope: "mine" });
    expect(long.status).toBe(400);
    const longAnswer = await responseJson<FormAnswer>(long);
    expect(longAnswer.errors.body).toMatch(/under 5,000/);
    expect(longAnswer.values.title).toBe("Long one");
    expect((await listSavedRepliesForActor(coach)).filter((r) => r.scope === "mine")).toEqual([]);
  });

  it("the model checks input too, whoever calls it", async () => {
    const { coach } = await people();
    await expect(createSavedReply(coach, { title: "", body: "Text" })).rejects.toMatchObject({ field: "title" });
  });
});

describe("editing and deleting", () => {
  it("the owner edits and deletes their own reply; unchanged text records nothing", async () => {
    const { coach } = await people();
    const reply = await createSavedReply(coach, { title: "Before", body: "First words." });
    const edited = await post(coach, { intent: "update", replyId: reply.id, title: "After", body: "Better words." });
    expect(edited.status).toBe(302);
    expect(await rowOf(reply.id)).toMatchObject({ title: "After", body: "Better words." });
    expect(await updateSavedReply(coach, reply.id, { title: " After ", body: "Better words." })).toBe(false);
    const edits = await db.select().from(auditEvents).where(eq(auditEvents.targetId, reply.id));
    expect(edits.map((e) => e.action).sort()).toEqual(["saved_reply.created", "saved_reply.edited"]);

    const deleted = await post(coach, { intent: "delete", replyId: reply.id });
    expect(deleted.status).toBe(302);
    expect(await rowOf(reply.id)).toBeUndefined();
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, "saved_reply.deleted"));
    expect(event).toMatchObject({ targetId: reply.id, caseId: null, actorId: coach.id });
  });

  it("a failed edit answers 400 for that reply, keeping the typed text", async () => {
    const { coach } = await people();
    const reply = await createSavedReply(coach, { title: "Keep", body: "Original." });
    const response = await post(coach, { intent: "update", replyId: reply.id, title: "Keep", body: "" });
    expect(response.status).toBe(400);
    const answer = await responseJson<FormAnswer>(response);
    expect(answer).toMatchObject({ intent: "update", values: { replyId: reply.id, body: "" }, errors: { body: "Write the text of the reply." } });
    expect((await rowOf(reply.id))?.body).toBe("Original.");
  });

  it("someone else's personal reply is 404 to edit or delete, for colleagues and admins alike", async () => {
    const { coach, colleague, admin } = await people();
    const reply = await createSavedReply(coach, { title: "Private", body: "Mine alone." });
    for (const actor of [colleague, admin]) {
      await expect(updateSavedReply(actor, reply.id, { title: "Taken", body: "Changed" })).rejects.toMatchObject({ status: 404 });
      await expect(deleteSavedReply(actor, reply.id)).rejects.toMatchObject({ status: 404 });
      expect((await post(actor, { intent: "update", replyId: reply.id, title: "Taken", body: "Changed" })).status).toBe(404);
      expect((await post(actor, { intent: "delete", replyId: reply.id })).status).toBe(404);
    }
    expect(await rowOf(reply.id)).toMatchObject({ title: "Private", body: "Mine alone." });
  });

  it("practice-wide replies: 403 for other staff to change, admins edit and delete them", async () => {
    const { coach, admin } = await people();
    const shared = await createSavedReply(admin, { title: "Shared", body: "For everyone.", scope: "practice" });
    await expect(updateSavedReply(coach, shared.id, { title: "Mine now", body: "x" })).rejects.toMatchObject({ status: 403 });
    await expect(deleteSavedReply(coach, shared.id)).rejects.toMatchObject({ status: 403 });
    expect((await post(coach, { intent: "delete", replyId: shared.id })).status).toBe(403);
    expect(await rowOf(shared.id)).toMatchObject({ title: "Shared", ownerId: null });

    expect(await updateSavedReply(admin, shared.id, { title: "Shared, kinder", body: "For everyone, gently." })).toBe(true);
    expect((await rowOf(shared.id))?.title).toBe("Shared, kinder");
    // Another admin manages them too.
    const otherAdmin = await createUser({ role: "admin" });
    await deleteSavedReply(otherAdmin, shared.id);
    expect(await rowOf(shared.id)).toBeUndefined();
  });

  it("an unknown intent is a 400, not a change", async () => {
    const { coach } = await people();
    const response = await post(coach, { intent: "explode" });
    expect(response.status).toBe(400);
  });
});
