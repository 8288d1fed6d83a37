import { sql } from "drizzle-orm";
import { hashPassword } from "../app/auth/password.server";
import { DEMO_PASSWORD, demoAccounts } from "./demo-accounts";
import { databaseHandle } from "./handle";
import { runScript } from "./run-script";
import { users } from "./schema";

/**
 * Seeds the demo practice. Idempotent: accounts are matched by email and left alone when they
 * exist, so running it twice changes nothing.
 */
export async function seedDemo() {
  const { db } = await databaseHandle();
  let created = 0;
  for (const account of demoAccounts) {
    const [existing] = await db
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = ${account.email}`);
    if (existing) continue;
    await db
      .insert(users)
      .values({ email: account.email, name: account.name, role: account.role, passwordHash: await hashPassword(DEMO_PASSWORD) })
      .onConflictDoNothing();
    created++;
  }
  return { created };
}

if (process.argv[1] === import.meta.filename) {
  await runScript(async () => {
    const handle = await databaseHandle();
    await handle.migrate();
    const { created } = await seedDemo();
    console.log(created ? `Demo practice seeded: ${created} accounts created.` : "Demo practice already seeded: nothing to do.");
    console.log(`\nDemo sign-ins (password: ${DEMO_PASSWORD}):`);
    for (const a of demoAccounts) console.log(`  ${a.email.padEnd(24)} ${a.name} (${a.roleLabel})`);
  });
}
