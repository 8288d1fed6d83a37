import { redirect } from "@remix-run/node";
import { notFound } from "~/models/errors.server";
import { can, type Permission } from "./permissions";
import { readSessionToken, validateSessionToken, type SessionUser, type ValidSession } from "./session.server";

// Every loader and action starts here: who is asking, and may they be here at all?

const sessionCache = new WeakMap<Request, Promise<ValidSession | null>>();

/** The signed-in session for this request, or null. Validated once per request. */
export function getSession(request: Request): Promise<ValidSession | null> {
  let pending = sessionCache.get(request);
  if (!pending) {
    const token = readSessionToken(request);
    pending = token ? validateSessionToken(token) : Promise.resolve(null);
    sessionCache.set(request, pending);
  }
  return pending;
}

export async function getUser(request: Request): Promise<SessionUser | null> {
  return (await getSession(request))?.user ?? null;
}

/** The signed-in user; anyone else is sent to sign in and brought back afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getUser(request);
  if (!user) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return user;
}

/** A page outside the user's role answers 404, exactly like a page that doesn't exist. */
export async function requirePermission(request: Request, permission: Permission): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!can(user, permission)) throw notFound();
  return user;
}

/** Only same-site paths: "/cases?x=1" yes, "//evil.example" or "https://…" no. */
export function safeRedirectPath(to: FormDataEntryValue | string | null | undefined, fallback: string): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}
