import { describe, expect, it } from "vitest";
import { checkRequestOrigin } from "~/auth/origin.server";

const SITE = "https://cairn.example";
const ALLOWED = [SITE, "http://localhost:3000"];

function check(method: string, headers: Record<string, string>) {
  return checkRequestOrigin(method, new Headers(headers), ALLOWED);
}

describe("checkRequestOrigin", () => {
  it.each(["GET", "get", "HEAD", "OPTIONS"])("lets a %s through whatever its headers say", (method) => {
    expect(check(method, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site", Cookie: "cairn_session=x" })).toEqual({
      ok: true,
    });
  });

  it("accepts a POST from our own origin", () => {
    expect(check("POST", { Origin: SITE, "Sec-Fetch-Site": "same-origin", Cookie: "cairn_session=x" })).toEqual({ ok: true });
    expect(check("POST", { Origin: "http://localhost:3000", Cookie: "cairn_session=x" })).toEqual({ ok: true });
  });

  it("accepts a POST the user typed or bookmarked (Sec-Fetch-Site: none) without an Origin", () => {
    expect(check("POST", { "Sec-Fetch-Site": "none", Cookie: "cairn_session=x" })).toEqual({ ok: true });
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])("refuses a %s from another site's Origin", (method) => {
    const result = check(method, { Origin: "https://evil.example", Cookie: "cairn_session=x" });
    expect(result.ok).toBe(false);
  });

  it("refuses an Origin that only looks like ours", () => {
    for (const origin of ["https://cairn.example.evil.example", "http://cairn.example", "https://cairn.example:8443", "https://evilcairn.example"]) {
      expect(check("POST", { Origin: origin }).ok, origin).toBe(false);
    }
  });

  it("refuses Sec-Fetch-Site: cross-site even when the Origin header claims to be ours", () => {
    expect(check("POST", { "Sec-Fetch-Site": "cross-site", Cookie: "cairn_session=x" }).ok).toBe(false);
    expect(check("POST", { "Sec-Fetch-Site": "cross-site", Origin: SITE }).ok).toBe(false);
  });

  it("refuses a sibling subdomain (Sec-Fetch-Site: same-site)", () => {
    expect(check("POST", { "Sec-Fetch-Site": "same-site", Origin: "https://blog.cairn.example", Cookie: "cairn_session=x" }).ok).toBe(
      false,
    );
    expect(check("POST", { "Sec-Fetch-Site": "same-site", Cookie: "cairn_session=x" }).ok).toBe(false);
    expect(check("POST", { Origin: "https://blog.cairn.example" }).ok).toBe(false);
  });

  it('refuses the opaque "null" origin (sandboxed iframes, data: pages)', () => {
    expect(check("POST", { Origin: "null", Cookie: "cairn_session=x" }).ok).toBe(false);
    expect(check("POST", { Origin: "null", "Sec-Fetch-Site": "same-origin" }).ok).toBe(false);
  });

  it("refuses a cookie-carrying POST that has neither Origin nor Sec-Fetch-Site", () => {
    const result = check("POST", { Cookie: "cairn_session=x" });
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(/origin/i);
  });

  it("lets a cookie-less POST without either header through (curl, health checks)", () => {
    expect(check("POST", {})).toEqual({ ok: true });
  });
});
