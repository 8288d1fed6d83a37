import type { NextFunction, Request, Response } from "express";
import { describe, expect, it } from "vitest";
import { securityHeaders } from "../../server/security";

// Every response gets its own CSP nonce (only scripts carrying it run) and request id. They come
// from the system's random generator through a pool (server/security.ts): no two responses may
// ever share one, across the pool's refills too.

function respond() {
  const headers = new Map<string, string>();
  const res = { locals: {} as Record<string, unknown>, setHeader: (name: string, value: string) => headers.set(name, value) };
  let called = false;
  securityHeaders({ dev: false })({} as Request, res as unknown as Response, (() => (called = true)) as NextFunction);
  expect(called).toBe(true);
  return { nonce: res.locals.cspNonce as string, requestId: res.locals.requestId as string, headers };
}

describe("securityHeaders", () => {
  it("gives every response its own 128-bit nonce, in its CSP, and its own request id", () => {
    const nonces = new Set<string>();
    const ids = new Set<string>();
    // 2,000 responses draw 44 KB: the 4 KB pool is refilled about ten times on the way.
    for (let i = 0; i < 2000; i++) {
      const { nonce, requestId, headers } = respond();
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      expect(requestId).toMatch(/^[0-9a-f]{12}$/);
      expect(headers.get("Content-Security-Policy")).toContain(`script-src 'nonce-${nonce}' 'strict-dynamic'`);
      expect(headers.get("X-Request-Id")).toBe(requestId);
      nonces.add(nonce);
      ids.add(requestId);
    }
    expect(nonces.size).toBe(2000);
    expect(ids.size).toBe(2000);
  });
});
