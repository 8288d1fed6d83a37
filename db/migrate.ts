import { databaseHandle } from "./handle";
import { runScript } from "./run-script";

/** Applies the committed migrations in `migrations/` that have not run on this database yet. */
export async function migrateDatabase() {
  const handle = await databaseHandle();
  await handle.migrate();
  return handle.kind;
}

if (process.argv[1] === import.meta.filename) {
  await runScript(async () => {
    const kind = await migrateDatabase();
    console.log(`Migrations applied (${kind === "postgres" ? "DATABASE_URL" : "embedded database"}).`);
  });
}
