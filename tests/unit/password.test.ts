import { describe, expect, it } from "vitest";
import { hashPassword, MIN_PASSWORD_LENGTH, newPasswordSchema, verifyPassword } from "~/auth/password.server";

function problem(password: unknown) {
  const result = newPasswordSchema.safeParse(password);
  return result.success ? null : result.error.issues[0]!.message;
}

describe("newPasswordSchema", () => {
  it("accepts a passphrase and a 10-character password", () => {
    expect(MIN_PASSWORD_LENGTH).toBe(10);
    expect(problem("correct horse battery staple")).toBeNull();
    expect(problem("Tq7!mz9#Lp")).toBeNull();
  });

  it("refuses fewer than 10 characters", () => {
    expect(problem("Tq7!mz9#L")).toMatch(/at least 10 characters/i);
    expect(problem("")).toMatch(/at least 10 characters/i);
  });

  it("refuses more than 256 characters", () => {
    expect(problem("a quiet lake ".repeat(20).slice(0, 256))).toBeNull();
    expect(problem("a quiet lake ".repeat(20).slice(0, 257))).toMatch(/at most 256/i);
  });

  it("refuses a missing password", () => {
    expect(problem(undefined)).toMatch(/enter a password/i);
  });

  it.each(["password123", "1234567890", "qwertyuiop", "PASSWORD123", " Password123 ", "iloveyou123"])(
    "refuses the common password %j",
    (password) => {
      expect(problem(password)).toMatch(/too common/i);
    },
  );

  it.each(["xxxxxxxxxx", "abababababab", "1111111111111"])("refuses %j, a repeated pattern of one or two characters", (password) => {
    expect(problem(password)).toMatch(/too common/i);
  });
});

describe("hashPassword / verifyPassword", () => {
  it("stores an argon2id hash that accepts the password and nothing else", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(hash).not.toContain("correct horse battery staple");
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hash, "correct horse battery stapler")).toBe(false);
    expect(await verifyPassword(hash, "Correct horse battery staple")).toBe(false);
    expect(await verifyPassword(hash, "")).toBe(false);
  });

  it("salts every hash, so equal passwords don't give equal hashes", async () => {
    const [first, second] = await Promise.all([hashPassword("same passphrase here"), hashPassword("same passphrase here")]);
    expect(first).not.toBe(second);
  });

  it("answers false rather than throwing for a damaged hash", async () => {
    expect(await verifyPassword("not-a-hash", "anything at all")).toBe(false);
  });
});
