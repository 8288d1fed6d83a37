import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { recordAudit } from "~/models/audit.server";
import { db } from "../../db/client";
import { auditEvents } from "../../db/schema";
import { auditEventsAbout, createUser } from "../support/factories";

// The audit trail is append-only in the database itself (migration 0001): even a bug in the app,
// or someone with the app's SQL access, can't rewrite or erase who did what.

async function recordOne() {
  const actor = await createUser({ role: "admin" });
  const target = await createUser({ role: "coach" });
  await recordAudit({ actorId: actor.id, action: "user.role_changed", target: { type: "user", id: target.id }, ip: "198.51.100.4", details: { from: "client", to: "coach" } });
  const [event] = await auditEventsAbout(target.id);
  return { actor, target, event: event! };
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("the statement succeeded, but the database should have refused it");
}

/** The database's own message, whichever driver wrapped it. */
function databaseMessage(error: Error) {
  const cause = (error as Error & { cause?: Error }).cause;
  return `${error.message} ${cause?.message ?? ""}`;
}

describe("audit_events", () => {
  it("refuses an UPDATE, and the event reads as before", async () => {
    const { actor, target, event } = await recordOne();
    const error = await errorOf(db.update(auditEvents).set({ actorId: target.id, ip: "0.0.0.0" }).where(eq(auditEvents.id, event.id)));
    expect(databaseMessage(error)).toContain("audit_events is append-only");

    const [after] = await auditEventsAbout(target.id);
    expect(after).toEqual(event);
    expect(after!.actorId).toBe(actor.id);
  });

  it("refuses a DELETE of one event, and the event is still there", async () => {
    const { target, event } = await recordOne();
    const error = await errorOf(db.delete(auditEvents).where(eq(auditEvents.id, event.id)));
    expect(databaseMessage(error)).toContain("audit_events is append-only");
    expect(await auditEventsAbout(target.id)).toEqual([event]);
  });

  it("refuses to wipe the whole trail with raw SQL", async () => {
    await recordOne();
    const count = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(auditEvents))[0]!.n;
    const before = await count();
    expect(before).toBeGreaterThan(0);
    const error = await errorOf(db.execute(sql`delete from audit_events`));
    expect(databaseMessage(error)).toContain("audit_events is append-only");
    const rewrite = await errorOf(db.execute(sql`update audit_events set action = 'nothing.happened'`));
    expect(databaseMessage(rewrite)).toContain("audit_events is append-only");
    expect(await count()).toBe(before);
  });

  it("still accepts new events", async () => {
    const { target } = await recordOne();
    await recordAudit({ actorId: null, action: "auth.sign_in_failed", target: { type: "user", id: target.id }, ip: "198.51.100.9" });
    expect((await auditEventsAbout(target.id)).map((e) => e.action)).toEqual(["user.role_changed", "auth.sign_in_failed"]);
  });

  // TRUNCATE skips row triggers; migration 0002's statement trigger refuses it.
  it("refuses TRUNCATE, and the trail is still all there", async () => {
    await recordOne();
    const count = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(auditEvents))[0]!.n;
    const before = await count();
    const error = await errorOf(db.execute(sql`truncate audit_events`));
    expect(databaseMessage(error)).toContain("audit_events is append-only");
    expect(await count()).toBe(before);
  });
});

describe("the app's code", () => {
  // The database is the guard; this keeps the app honest too: no model or route even tries.
  it("has no statement that updates or deletes audit events", async () => {
    const root = path.resolve(import.meta.dirname, "../../app");
    const files = (await readdir(root, { recursive: true })).filter((f) => /\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(20);
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(root, file), "utf8");
      if (/\.(update|delete)\(\s*auditEvents\b|\b(update|delete\s+from|truncate)\s+"?audit_events\b/i.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
