import { clearCookie, readCookie, serializeCookie } from "~/auth/cookies.server";

// One-shot messages shown after a redirect ("Invitation sent"). They hold no private data:
// only the wording of a confirmation, shown once and then cleared by the root loader.

const FLASH_COOKIE = "cairn_flash";

export type Flash = { kind: "success" | "error" | "info"; message: string };

export function flashCookie(request: Request, flash: Flash) {
  return serializeCookie(request, FLASH_COOKIE, JSON.stringify(flash), { maxAgeSeconds: 60 });
}

export function readFlash(request: Request): { flash: Flash | null; clear: string | null } {
  const raw = readCookie(request, FLASH_COOKIE);
  if (!raw) return { flash: null, clear: null };
  try {
    const parsed = JSON.parse(raw) as Partial<Flash>;
    const kind = parsed.kind === "error" || parsed.kind === "info" ? parsed.kind : "success";
    const message = typeof parsed.message === "string" ? parsed.message.slice(0, 300) : null;
    return { flash: message ? { kind, message } : null, clear: clearCookie(request, FLASH_COOKIE) };
  } catch {
    return { flash: null, clear: clearCookie(request, FLASH_COOKIE) };
  }
}

/** Post/redirect/get with a message for the next page. Extra cookies (a new session) ride along. */
export function redirectWithFlash(request: Request, to: string, flash: Flash, extraCookies: string[] = []) {
  const headers = new Headers({ Location: to });
  headers.append("Set-Cookie", flashCookie(request, flash));
  for (const cookie of extraCookies) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 302, headers });
}
