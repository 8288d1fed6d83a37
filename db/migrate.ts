import { EnvError, loadDotEnv } from "../app/env.server";
import { closeDatabase, databaseHandle } from "./handle";

/** Applies the committed migrations in `migrations/` that have not run on this database yet. */
export async function migrateDatabase() {
  const handle = await databaseHandle();
  await handle.migrate();
  return handle.kind;
}

if (process.argv[1] === import.meta.filename) {
  try {
    loadDotEnv();
    const kind = await migrateDatabase();
    console.log(`Migrations applied (${kind === "postgres" ? "DATABASE_URL" : "embedded database"}).`);
    await closeDatabase();
  } catch (error) {
    console.error(error instanceof EnvError ? error.message : error);
    process.exit(1);
  }
}
