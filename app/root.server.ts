import { getSession, getUser } from "~/auth/guard.server";
import { readSessionToken, sessionCookie } from "~/auth/session.server";
import { env } from "~/env.server";
import { readFlash } from "~/flash.server";

/**
 * What every page needs: who is signed in, how many notifications they haven't read (the bell;
 * counted by the session lookup itself), a one-shot message, and whether this is the demo.
 */
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
  // Half signed in (a second step still owed) counts as signed out: no navigation, no bell.
  const user = await getUser(request);
  const unread = user && session ? session.unreadNotifications : 0;
  return {
    data: { user, unread, flash, demo: env().CAIRN_DEMO },
    headers,
  };
}
