import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { db, lookupDb } from "../../db/client";
import { practiceSettings, type Role } from "../../db/schema";
import { can } from "~/auth/permissions";
import { recordAudit } from "./audit.server";
import { notFound } from "./errors.server";

// Practice-wide settings. Defaults live in a migration (0006), so a new practice has them;
// reading falls back to the same defaults should a row be missing.

export const settingsSchema = z.object({
  /** The first-response target of the triage queue, in hours. */
  first_response_target_hours: z.coerce
    .number({ error: "Enter a number of hours." })
    .int({ error: "Use whole hours." })
    .min(1, { error: "Use at least 1 hour." })
    .max(24 * 14, { error: "Use at most 336 hours (two weeks)." }),
  /** Shown to a client whose message matched a risk rule. */
  crisis_message: z
    .string()
    .trim()
    .min(20, { error: "Write at least a sentence or two." })
    .max(2000, { error: "Use at most 2000 characters." }),
  /** Every staff member must sign in with a code from an authenticator app as well. */
  require_staff_two_factor: z
    .union([z.boolean(), z.enum(["on", "true", "false"])])
    .optional()
    .transform((value) => value === true || value === "on" || value === "true"),
});

export type PracticeSettings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: PracticeSettings = {
  first_response_target_hours: 24,
  crisis_message:
    "If you are in danger right now, or thinking about harming yourself or someone else, please call your local emergency number straight away.",
  require_staff_two_factor: false,
};

export async function getPracticeSettings(): Promise<PracticeSettings> {
  const rows = await db.select().from(practiceSettings);
  const raw: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const row of rows) raw[row.key] = row.value;
  const parsed = settingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

/** Admins only (others: 404). Saves every setting in one transaction and audits the change. */
export async function savePracticeSettings(actor: { id: string; role: Role }, values: PracticeSettings, ip: string | null) {
  if (!can(actor, "settings.manage")) throw notFound();
  const now = new Date();
  const before = await getPracticeSettings();
  // The audit names what changed, and the new value of the sign-in rule, a security decision.
  const changed = Object.keys(values).filter(
    (key) => JSON.stringify(values[key as keyof PracticeSettings]) !== JSON.stringify(before[key as keyof PracticeSettings]),
  );
  const details: Record<string, unknown> = { keys: changed };
  if (changed.includes("require_staff_two_factor")) details.require_staff_two_factor = values.require_staff_two_factor;
  await db.transaction(async (tx) => {
    for (const [key, value] of Object.entries(values)) {
      await tx
        .insert(practiceSettings)
        .values({ key, value, updatedBy: actor.id, updatedAt: now })
        .onConflictDoUpdate({ target: practiceSettings.key, set: { value, updatedBy: actor.id, updatedAt: now } });
    }
    await recordAudit({ actorId: actor.id, action: "settings.changed", ip, details }, tx);
  });
}

/** getSetting's statement, built once (triage reads a setting on every view). */
const settingByKey = lookupDb.select().from(practiceSettings).where(eq(practiceSettings.key, sql.placeholder("key"))).prepare("setting_by_key");

export async function getSetting<K extends keyof PracticeSettings>(key: K): Promise<PracticeSettings[K]> {
  const [row] = await settingByKey.execute({ key });
  const parsed = settingsSchema.shape[key].safeParse(row?.value);
  return (parsed.success ? parsed.data : DEFAULT_SETTINGS[key]) as PracticeSettings[K];
}
