import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { hashPassword } from "~/auth/password.server";
import { createSession } from "~/auth/session.server";
import { db } from "../../db/client";
import {
  auditEvents,
  caseMembers,
  cases,
  emailOutbox,
  planTemplates,
  planTemplateSteps,
  sessions,
  users,
  type CaseStatus,
  type Role,
} from "../../db/schema";

// Each test makes the people it needs, with unique emails, so tests never share data.

export const TEST_PASSWORD = "correct horse battery staple";
let passwordHash: Promise<string> | undefined;

export function uniqueEmail(prefix = "user") {
  return `${prefix}-${crypto.randomBytes(5).toString("hex")}@example.test`;
}

export async function createUser(input: { role?: Role; name?: string; email?: string; password?: string; deactivated?: boolean } = {}) {
  const role = input.role ?? "client";
  const hash = input.password ? hashPassword(input.password) : (passwordHash ??= hashPassword(TEST_PASSWORD));
  const [user] = await db
    .insert(users)
    .values({
      email: input.email ?? uniqueEmail(role),
      name: input.name ?? `Test ${role}`,
      role,
      passwordHash: await hash,
      deactivatedAt: input.deactivated ? new Date() : null,
    })
    .returning();
  return user!;
}

export async function reloadUser(id: string) {
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return user!;
}

/** A request as the browser would send it, signed in as `user` when given. */
export async function requestAs(
  user: { id: string } | null,
  path: string,
  init: { method?: string; form?: Record<string, string> } = {},
) {
  const headers = new Headers({ Origin: "http://localhost:3000", "Sec-Fetch-Site": "same-origin" });
  let token: string | undefined;
  if (user) {
    token = (await createSession(user.id)).token;
    headers.set("Cookie", `cairn_session=${token}`);
  }
  const body = init.form ? new URLSearchParams(init.form) : undefined;
  if (body) headers.set("Content-Type", "application/x-www-form-urlencoded");
  const request = new Request(`http://localhost:3000${path}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
  return { request, token };
}

export const testContext = { clientIp: "203.0.113.7", cspNonce: "test-nonce", requestId: "test-request" };

/** Runs a loader or action and returns what it threw or returned, as a Response. */
export async function respond(fn: () => Promise<unknown>): Promise<Response> {
  try {
    const result = await fn();
    if (result instanceof Response) return result;
    return new Response(JSON.stringify(result), { status: 200 });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/**
 * A browser request carrying `token` as its session cookie (or no cookie when null), so a test
 * can replay the same cookie on later requests. `origin` switches to e.g. "https://cairn.example".
 */
export function requestWithSession(
  token: string | null,
  path: string,
  init: { method?: string; form?: Record<string, string>; origin?: string } = {},
) {
  const origin = init.origin ?? "http://localhost:3000";
  const headers = new Headers({ Origin: origin, "Sec-Fetch-Site": "same-origin" });
  if (token) headers.set("Cookie", `cairn_session=${token}`);
  const body = init.form ? new URLSearchParams(init.form) : undefined;
  if (body) headers.set("Content-Type", "application/x-www-form-urlencoded");
  return new Request(`${origin}${path}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
}

/** The Set-Cookie header a response sets for `name`, or undefined. */
export function setCookieFor(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
}

/** The session token a response hands the browser, or undefined when it sets none (or clears it). */
export function sessionTokenFrom(response: Response): string | undefined {
  const cookie = setCookieFor(response, "cairn_session");
  const value = cookie?.slice("cairn_session=".length).split(";")[0];
  return value ? decodeURIComponent(value) : undefined;
}

/** The attributes of a Set-Cookie header, lower-cased names: { path: "/", httponly: true, … }. */
export function cookieAttributes(cookie: string): Record<string, string | true> {
  const attributes: Record<string, string | true> = {};
  for (const part of cookie.split(";").slice(1)) {
    const [name, ...value] = part.trim().split("=");
    attributes[name!.toLowerCase()] = value.length ? value.join("=") : true;
  }
  return attributes;
}

/** The token at the end of an emailed link such as https://…/invite/<token>. */
export function tokenFromLink(link: string | null | undefined, prefix: "/invite/" | "/reset-password/"): string {
  const match = link ? new RegExp(`${prefix}([^/?#\\s]+)$`).exec(new URL(link).pathname) : null;
  if (!match) throw new Error(`no ${prefix} link in ${String(link)}`);
  return decodeURIComponent(match[1]!);
}

/** The JSON body of a loader or action response (json() data, or a 400 with field errors). */
export async function responseJson<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.clone().json()) as T;
}

/** How many session rows (signed-in devices) a user has. */
export async function sessionCountFor(userId: string) {
  return (await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).length;
}

/** The audit events about one record, oldest first. */
export async function auditEventsAbout(targetId: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.targetId, targetId));
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** Puts an email straight into the outbox, e.g. already due (`nextAttemptAt` in the past) or not yet. */
export async function queueOutboxEmail(input: { to?: string; subject?: string; nextAttemptAt?: Date; attempts?: number } = {}) {
  const [row] = await db
    .insert(emailOutbox)
    .values({
      toAddress: input.to ?? uniqueEmail("mail"),
      subject: input.subject ?? "A test email",
      textBody: "Hello from the test suite.",
      nextAttemptAt: input.nextAttemptAt ?? new Date(Date.now() - 60_000),
      attempts: input.attempts ?? 0,
    })
    .returning();
  return row!;
}

/**
 * A case inserted straight into the database (no audit rows), with `lead` as its lead and any
 * `support` members; a new client is made when none is given.
 */
export async function insertCase(input: {
  lead?: { id: string };
  support?: { id: string }[];
  client?: { id: string };
  status?: CaseStatus;
  title?: string;
}) {
  const client = input.client ?? (await createUser({ role: "client" }));
  const [row] = await db
    .insert(cases)
    .values({
      clientId: client.id,
      title: input.title ?? "Rebuilding trust together",
      concernCategory: "trust_repair",
      status: input.status ?? "active",
      createdBy: input.lead?.id ?? null,
    })
    .returning();
  const members = [
    ...(input.lead ? [{ caseId: row!.id, userId: input.lead.id, role: "lead" as const }] : []),
    ...(input.support ?? []).map((s) => ({ caseId: row!.id, userId: s.id, role: "support" as const })),
  ];
  if (members.length) await db.insert(caseMembers).values(members);
  return { case: row!, client };
}

/** A plan template inserted straight into the database, its steps in the order given. */
export async function insertTemplate(input: {
  title?: string;
  summary?: string;
  ownerId?: string | null;
  archived?: boolean;
  steps?: { title: string; guidance?: string; resourceUrl?: string | null; suggestedDays?: number | null }[];
}) {
  const [template] = await db
    .insert(planTemplates)
    .values({
      title: input.title ?? "Rebuilding trust",
      summary: input.summary ?? "",
      ownerId: input.ownerId ?? null,
      archivedAt: input.archived ? new Date() : null,
    })
    .returning();
  const steps = input.steps ?? [{ title: "Own it fully" }, { title: "Apologise without excuses" }];
  if (steps.length) {
    await db.insert(planTemplateSteps).values(
      steps.map((step, i) => ({
        templateId: template!.id,
        position: i + 1,
        title: step.title,
        guidance: step.guidance ?? "",
        resourceUrl: step.resourceUrl ?? null,
        suggestedDays: step.suggestedDays ?? null,
      })),
    );
  }
  return template!;
}
