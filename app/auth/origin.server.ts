// Cross-site request forgery defence: every request that can change something must come
// from our own pages. Browsers send Sec-Fetch-Site on all requests and Origin on non-GET ones.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type OriginCheck = { ok: true } | { ok: false; reason: string };

/**
 * `allowedOrigins` are the origins the app is served from (the request's own host and APP_URL).
 * A request without either header is not from a browser page (curl, server-to-server) and is
 * let through only when it carries no cookies, since CSRF needs the victim's cookies.
 */
export function checkRequestOrigin(
  method: string,
  headers: { get(name: string): string | null },
  allowedOrigins: readonly string[],
): OriginCheck {
  if (SAFE_METHODS.has(method.toUpperCase())) return { ok: true };
  const fetchSite = headers.get("Sec-Fetch-Site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") {
    return { ok: false, reason: `Sec-Fetch-Site is ${fetchSite}` };
  }
  const origin = headers.get("Origin");
  if (origin) {
    if (origin === "null" || !allowedOrigins.includes(origin)) {
      return { ok: false, reason: `Origin ${origin} is not this site` };
    }
    return { ok: true };
  }
  if (fetchSite) return { ok: true };
  if (headers.get("Cookie")) return { ok: false, reason: "no Origin or Sec-Fetch-Site header" };
  return { ok: true };
}
