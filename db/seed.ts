import { sql } from "drizzle-orm";
import { hashPassword } from "../app/auth/password.server";
import { DEMO_PASSWORD, demoAccounts } from "./demo-accounts";
import { seedCases } from "./demo-cases";
import { seedCheckIns } from "./demo-check-ins";
import { seedThreads } from "./demo-threads";
import { seedTemplates } from "./demo-templates";
import { databaseHandle } from "./handle";
import { runScript } from "./run-script";
import { users } from "./schema";

/**
 * Seeds the demo practice: accounts, plan templates, cases with plans, notes and their
 * timelines, then the clients' questions and check-ins on those cases. Idempotent: accounts are
 * matched by email, templates by title, cases by client and title and threads by case and title,
 * and each is left alone when it exists; a case that has check-ins gets no more. Running it twice
 * changes nothing.
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
  // The practice's plan templates, owned by the demo admin.
  const adminEmail = demoAccounts.find((a) => a.role === "admin")!.email;
  const [admin] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${adminEmail}`);
  if (admin) await seedTemplates(db, admin.id);
  const { created: casesCreated } = await seedCases(db);
  const { created: threadsCreated } = await seedThreads(db);
  const { created: checkInsCreated } = await seedCheckIns(db);
  return { created, casesCreated, threadsCreated, checkInsCreated };
}

if (process.argv[1] === import.meta.filename) {
  await runScript(async () => {
    const handle = await databaseHandle();
    await handle.migrate();
    const { created, casesCreated, threadsCreated, checkInsCreated } = await seedDemo();
    console.log(
      created || casesCreated || threadsCreated || checkInsCreated
        ? `Demo practice seeded: ${created} accounts, ${casesCreated} cases, ${threadsCreated} questions and ${checkInsCreated} check-ins created.`
        : "Demo practice already seeded: nothing to do.",
    );
    console.log(`\nDemo sign-ins (password: ${DEMO_PASSWORD}):`);
    for (const a of demoAccounts) console.log(`  ${a.email.padEnd(24)} ${a.name} (${a.roleLabel})`);
  });
}
