import { getSession } from "~/auth/guard.server";
import { readSessionToken, sessionCookie } from "~/auth/session.server";
import { env } from "~/env.server";
import { readFlash } from "~/flash.server";

/** What every page needs: who is signed in, a one-shot message, and whether this is the demo. */
export async function rootData(request: Request) {
  const session = await getSession(request);
  const { flash, clear } = readFlash(request);
  const headers = new Headers();
  if (clear) headers.append("Set-Cookie", clear);
  // Sliding expiry: when the session was extended, the cookie is extended with it.
  if (session?.refreshed) {
    const token = readSessionToken(request);
    if (token) headers.append("Set-Cookie", sessionCookie(request, token, session.expiresAt));
  }
  return {
    data: { user: session?.user ?? null, flash, demo: env().CAIRN_DEMO },
    headers,
  };
}
