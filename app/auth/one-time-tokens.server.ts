import { and, eq, gt, isNull } from "drizzle-orm";
import { db, type Database } from "../../db/client";
import { oneTimeTokens, users, type TokenPurpose } from "../../db/schema";
import { generateToken, hashToken } from "./tokens.server";

// Single-use links sent by email (invitations, password resets). Only the SHA-256 is stored;
// issuing a new token of a purpose revokes the user's earlier ones of that purpose.

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

type Tx = Pick<Database, "insert" | "update">;

export async function issueToken(
  input: { userId: string; purpose: TokenPurpose; ttlMs: number; createdBy?: string | null; now?: Date },
  executor: Tx = db,
): Promise<string> {
  const now = input.now ?? new Date();
  await executor
    .update(oneTimeTokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(oneTimeTokens.userId, input.userId),
        eq(oneTimeTokens.purpose, input.purpose),
        isNull(oneTimeTokens.usedAt),
        isNull(oneTimeTokens.revokedAt),
      ),
    );
  const token = generateToken();
  await executor.insert(oneTimeTokens).values({
    id: hashToken(token),
    userId: input.userId,
    purpose: input.purpose,
    createdBy: input.createdBy ?? null,
    expiresAt: new Date(now.getTime() + input.ttlMs),
    createdAt: now,
  });
  return token;
}

function usable(purpose: TokenPurpose, now: Date) {
  return and(
    eq(oneTimeTokens.purpose, purpose),
    isNull(oneTimeTokens.usedAt),
    isNull(oneTimeTokens.revokedAt),
    gt(oneTimeTokens.expiresAt, now),
    isNull(users.deactivatedAt),
  );
}

/** The user a still-usable token belongs to, without using it up (to render the form). */
export async function peekToken(token: string, purpose: TokenPurpose, now = new Date()) {
  const [row] = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: users.role })
    .from(oneTimeTokens)
    .innerJoin(users, eq(users.id, oneTimeTokens.userId))
    .where(and(eq(oneTimeTokens.id, hashToken(token)), usable(purpose, now)));
  return row ?? null;
}

/** Marks the token used, atomically: of two concurrent uses only one gets the user id back. */
export async function consumeToken(token: string, purpose: TokenPurpose, executor: Tx = db, now = new Date()) {
  const [row] = await executor
    .update(oneTimeTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(oneTimeTokens.id, hashToken(token)),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        isNull(oneTimeTokens.revokedAt),
        gt(oneTimeTokens.expiresAt, now),
      ),
    )
    .returning({ userId: oneTimeTokens.userId });
  return row?.userId ?? null;
}

export async function revokeTokens(userId: string, purpose: TokenPurpose, executor: Tx = db, now = new Date()) {
  await executor
    .update(oneTimeTokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(oneTimeTokens.userId, userId),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        isNull(oneTimeTokens.revokedAt),
      ),
    );
}
