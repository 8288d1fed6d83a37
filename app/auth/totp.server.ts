import { createTOTPKeyURI, generateHOTP, verifyHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";

// Time-based one-time passwords (RFC 6238) as authenticator apps compute them: HMAC-SHA1 over
// the number of 30-second steps since the Unix epoch, truncated to 6 digits. @oslojs/otp does the
// HOTP arithmetic (RFC 4226); this module picks the time steps, so that the step a code matched
// can be remembered and the same code refused a second time.

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of the current one that are still accepted (clock drift, slow typing). */
export const TOTP_WINDOW_STEPS = 1;
const KEY_BYTES = 20;
const ISSUER = "Cairn";

/** A new random shared secret, base32 as people type it into an app (32 characters). */
export function generateTotpSecret(): string {
  const key = new Uint8Array(KEY_BYTES);
  crypto.getRandomValues(key);
  return encodeBase32UpperCaseNoPadding(key);
}

/** The secret's bytes, or null when it isn't base32 of the length we issue. */
export function decodeTotpSecret(secret: string): Uint8Array | null {
  try {
    const key = decodeBase32IgnorePadding(secret.replace(/\s+/g, "").toUpperCase());
    return key.length === KEY_BYTES ? key : null;
  } catch {
    return null;
  }
}

/** The 30-second step a moment falls in. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for the step `at` falls in. `digits` is 6 except for the RFC's test vectors (8). */
export function totpCode(key: Uint8Array, at: Date, digits = TOTP_DIGITS): string {
  return generateHOTP(key, BigInt(totpStep(at)), digits);
}

/**
 * The step `code` belongs to, within one step either side of `at`, or null. A step at or before
 * `lastUsedStep` never matches: a code that was accepted once can't be replayed.
 */
export function matchTotpStep(key: Uint8Array, code: string, at: Date, lastUsedStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = totpStep(at);
  for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step++) {
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    if (verifyHOTP(key, BigInt(step), TOTP_DIGITS, code)) return step;
  }
  return null;
}

/** The otpauth:// address an authenticator app reads (from a QR code, or pasted). */
export function totpKeyUri(key: Uint8Array, accountName: string): string {
  return createTOTPKeyURI(ISSUER, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The secret in groups of four, easier to copy by hand: "ABCD EFGH …". */
export function formatTotpSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}
