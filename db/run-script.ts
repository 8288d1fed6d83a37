import { EnvError, loadDotEnv } from "../app/env.server";
import { closeDatabase } from "./handle";
import { DataDirLockedError } from "./lock";

/** Runs a db command-line script: reads .env, reports known failures in one plain line. */
export async function runScript(main: () => Promise<void>) {
  try {
    loadDotEnv();
    await main();
    await closeDatabase();
  } catch (error) {
    const known = error instanceof EnvError || error instanceof DataDirLockedError;
    console.error(known ? error.message : error);
    process.exit(1);
  }
}
