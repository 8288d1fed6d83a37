import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { checkRequestOrigin } from "../app/auth/origin.server";

// Random bytes for nonces and request ids, drawn from the system's generator 4 KB at a time and
// each used once: asking it for a few bytes twice per request showed up in profiles as a system
// call per request.
const RANDOM_POOL_SIZE = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function freshRandomBytes(size: number): Buffer {
  if (randomOffset + size > randomPool.length) {
    randomPool = crypto.randomBytes(RANDOM_POOL_SIZE);
    randomOffset = 0;
  }
  const bytes = randomPool.subarray(randomOffset, randomOffset + size);
  randomOffset += size;
  return bytes;
}

/** A fresh nonce per response; only scripts carrying it (Remix's own) may run. */
export function securityHeaders({ dev }: { dev: boolean }) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const nonce = freshRandomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.locals.requestId = freshRandomBytes(6).toString("hex");
    res.setHeader("X-Request-Id", res.locals.requestId as string);
    const directives = [
      "default-src 'self'",
      `script-src 'nonce-${nonce}' 'strict-dynamic'`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self'",
      dev ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ];
    res.setHeader("Content-Security-Policy", directives.join("; "));
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    next();
  };
}

/** Refuses every state-changing request that did not come from this site's own pages. */
export function sameOriginOnly({ appUrl }: { appUrl: string | undefined }) {
  const configured = appUrl ? new URL(appUrl).origin : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    const own = `${req.protocol}://${req.get("host")}`;
    const allowed = configured ? [own, configured] : [own];
    const result = checkRequestOrigin(req.method, { get: (name) => req.get(name) ?? null }, allowed);
    if (result.ok) return next();
    res.status(403).type("text/plain").send("Cross-site request refused.");
  };
}
