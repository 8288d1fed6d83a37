import { redirect } from "@remix-run/node";
import { notFound } from "~/models/errors.server";
import { oncePerRequest } from "~/request-scope.server";
import { can, homePath, type Permission } from "./permissions";
import {
  readSessionToken,
  sessionStage,
  validateSessionToken,
  type SessionStage,
  type SessionUser,
  type ValidSession,
} from "./session.server";

// Every loader and action starts here: who is asking, and may they be here at all?
//
// A session that has only got past the password (the code from the authenticator app is still
// owed, or the practice requires a second factor the person hasn't set up) is not signed in:
// getUser and requireUser treat it as nobody, and send it on to the one page it may use. Only
// the two-factor pages (requireSessionAt) and signing out look at such a session.

const sessionCache = new WeakMap<Request, Promise<ValidSession | null>>();

export const TWO_FACTOR_PATH = "/login/two-factor";
export const TWO_FACTOR_SETUP_PATH = "/account/two-factor";

/** The session this request carries, at whatever stage, or null. Validated once per request. */
export function getSession(request: Request): Promise<ValidSession | null> {
  let pending = sessionCache.get(request);
  if (!pending) {
    const token = readSessionToken(request);
    // The page's other loaders (each with its own copy of the request) share the lookup.
    pending = token ? oncePerRequest(`session:${token}`, () => validateSessionToken(token)) : Promise.resolve(null);
    sessionCache.set(request, pending);
  }
  return pending;
}

/** The fully signed-in session, or null (none, or a second step still owed). */
export async function getSignedInSession(request: Request): Promise<ValidSession | null> {
  const session = await getSession(request);
  return session && sessionStage(session) === "signed_in" ? session : null;
}

export async function getUser(request: Request): Promise<SessionUser | null> {
  return (await getSignedInSession(request))?.user ?? null;
}

function backPath(request: Request) {
  const url = new URL(request.url);
  return url.pathname + url.search;
}

/** Where a session that isn't fully signed in must go first. */
function pathFor(stage: Exclude<SessionStage, "signed_in">, back: string) {
  if (stage === "two_factor_setup") return TWO_FACTOR_SETUP_PATH;
  return back === "/" ? TWO_FACTOR_PATH : `${TWO_FACTOR_PATH}?redirectTo=${encodeURIComponent(back)}`;
}

/** The signed-in session; anyone else is sent to sign in (or to finish signing in) and brought back afterwards. */
export async function requireSignedInSession(request: Request): Promise<ValidSession> {
  const session = await getSession(request);
  const back = backPath(request);
  if (!session) throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
  const stage = sessionStage(session);
  if (stage !== "signed_in") throw redirect(pathFor(stage, back));
  return session;
}

export async function requireUser(request: Request): Promise<SessionUser> {
  return (await requireSignedInSession(request)).user;
}

/** A page outside the user's role answers 404, exactly like a page that doesn't exist. */
export async function requirePermission(request: Request, permission: Permission): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!can(user, permission)) throw notFound();
  return user;
}

/**
 * For the two-factor pages only: the session when it is at one of `stages`. Without a session the
 * visitor is sent to sign in; a session at another stage goes where that stage belongs.
 */
export async function requireSessionAt(request: Request, stages: readonly SessionStage[]): Promise<ValidSession & { stage: SessionStage }> {
  const session = await getSession(request);
  if (!session) throw redirect("/login");
  const stage = sessionStage(session);
  if (stages.includes(stage)) return { ...session, stage };
  if (stage === "signed_in") throw redirect(homePath(session.user.role));
  throw redirect(pathFor(stage, "/"));
}

/** Only same-site paths: "/cases?x=1" yes, "//evil.example" or "https://…" no. */
export function safeRedirectPath(to: FormDataEntryValue | string | null | undefined, fallback: string): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  // Read as a browser reads a Location (tabs and newlines dropped, "\" as "/"), it must stay on
  // this site; written back percent-encoded, it is always a valid header value.
  const base = "http://cairn.invalid";
  const url = URL.canParse(to, base) ? new URL(to, base) : null;
  return url && url.origin === base ? url.pathname + url.search + url.hash : fallback;
}
