import { env } from "~/env.server";

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("Cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Secure when the request came over https (directly, or via a trusted proxy), or when forced. */
export function isSecureRequest(request: Request): boolean {
  const { SESSION_COOKIE_SECURE, TRUST_PROXY } = env();
  if (SESSION_COOKIE_SECURE !== "auto") return SESSION_COOKIE_SECURE === "always";
  if (new URL(request.url).protocol === "https:") return true;
  return TRUST_PROXY && request.headers.get("X-Forwarded-Proto")?.split(",")[0]?.trim() === "https";
}

export function serializeCookie(
  request: Request,
  name: string,
  value: string,
  options: { maxAgeSeconds?: number; httpOnly?: boolean } = {},
): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "SameSite=Lax"];
  if (options.httpOnly ?? true) parts.push("HttpOnly");
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (isSecureRequest(request)) parts.push("Secure");
  return parts.join("; ");
}

export function clearCookie(request: Request, name: string): string {
  return serializeCookie(request, name, "", { maxAgeSeconds: 0 });
}
