import { describe, expect, it } from "vitest";
import {
  decodeTotpSecret,
  formatTotpSecret,
  generateTotpSecret,
  matchTotpStep,
  totpCode,
  totpKeyUri,
  totpStep,
} from "~/auth/totp.server";
import { describeUserAgent } from "~/auth/user-agent";

// RFC 6238, appendix B: the SHA-1 test vectors (8 digits, key "12345678901234567890").
const RFC_KEY = new TextEncoder().encode("12345678901234567890");
const RFC_VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const at = (seconds: number) => new Date(seconds * 1000);

describe("TOTP codes", () => {
  it.each(RFC_VECTORS)("matches RFC 6238 at %i seconds: %s", (seconds, code) => {
    expect(totpCode(RFC_KEY, at(seconds), 8)).toBe(code);
  });

  it("gives 6-digit codes, the last six digits of the RFC's 8-digit ones", () => {
    for (const [seconds, code] of RFC_VECTORS) expect(totpCode(RFC_KEY, at(seconds))).toBe(code.slice(2));
  });

  it("changes every 30 seconds", () => {
    expect(totpStep(at(59))).toBe(1);
    expect(totpStep(at(60))).toBe(2);
    expect(totpCode(RFC_KEY, at(60))).toBe(totpCode(RFC_KEY, at(89)));
    expect(totpCode(RFC_KEY, at(60))).not.toBe(totpCode(RFC_KEY, at(90)));
  });
});

describe("checking a code", () => {
  const now = at(1111111111);
  const step = totpStep(now);

  it("accepts the current code and one step either side, answering the step it matched", () => {
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, now), now, null)).toBe(step);
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, at(1111111111 - 30)), now, null)).toBe(step - 1);
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, at(1111111111 + 30)), now, null)).toBe(step + 1);
  });

  it("refuses a code two steps old or ahead", () => {
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, at(1111111111 - 60)), now, null)).toBeNull();
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, at(1111111111 + 60)), now, null)).toBeNull();
  });

  it("refuses a code whose step was already used, and any earlier one", () => {
    const code = totpCode(RFC_KEY, now);
    expect(matchTotpStep(RFC_KEY, code, now, step)).toBeNull();
    expect(matchTotpStep(RFC_KEY, totpCode(RFC_KEY, at(1111111111 - 30)), now, step - 1)).toBeNull();
    expect(matchTotpStep(RFC_KEY, code, now, step - 1)).toBe(step);
  });

  it("refuses anything that isn't six digits, and a wrong code", () => {
    const code = totpCode(RFC_KEY, now);
    expect(matchTotpStep(RFC_KEY, `${code}0`, now, null)).toBeNull();
    expect(matchTotpStep(RFC_KEY, code.slice(1), now, null)).toBeNull();
    expect(matchTotpStep(RFC_KEY, "abcdef", now, null)).toBeNull();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    expect(matchTotpStep(RFC_KEY, wrong, at(1111111111 + 3600), null)).toBeNull();
  });
});

describe("secrets", () => {
  it("are 20 random bytes in base32, different each time", () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(decodeTotpSecret(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
  });

  it("decode as typed (spaces, lower case) and refuse anything else", () => {
    const secret = generateTotpSecret();
    expect(decodeTotpSecret(formatTotpSecret(secret).toLowerCase())).toEqual(decodeTotpSecret(secret));
    expect(decodeTotpSecret("AAAA")).toBeNull();
    expect(decodeTotpSecret("not base32 at all!")).toBeNull();
  });

  it("make an otpauth:// address an authenticator app reads", () => {
    const secret = generateTotpSecret();
    const uri = new URL(totpKeyUri(decodeTotpSecret(secret)!, "coach@example.test"));
    expect(uri.protocol).toBe("otpauth:");
    expect(decodeURIComponent(uri.pathname)).toContain("Cairn:coach@example.test");
    expect(uri.searchParams.get("secret")).toBe(secret);
    expect(uri.searchParams.get("issuer")).toBe("Cairn");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
  });
});

describe("describeUserAgent", () => {
  it.each([
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Windows"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone"],
    ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome on Linux"],
    ["curl/8.5.0", "Unknown browser"],
    [null, "Unknown device"],
  ])("%s → %s", (userAgent, expected) => {
    expect(describeUserAgent(userAgent)).toBe(expected);
  });
});
