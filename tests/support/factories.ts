import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { hashPassword } from "~/auth/password.server";
import { createSession } from "~/auth/session.server";
import { db } from "../../db/client";
import { users, type Role } from "../../db/schema";

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
