import crypto from "node:crypto";
import fs from "node:fs";
import postgres from "postgres";
import { afterAll, inject } from "vitest";
import { connect } from "../../db/connect";
import { closeDatabase, installDatabaseHandle } from "../../db/handle";
import { lookupStatements } from "../support/lookup-statements";
import { queryCounter } from "../support/query-counter";
import { adminUrl } from "./global-setup";

// Runs before each test file: gives the file a database of its own, copied from the migrated
// template, and installs it as the app's database before any model module is imported.

const config = inject("testDatabase");

if (config.kind === "postgres") {
  const name = `cairn_test_${crypto.randomBytes(4).toString("hex")}_${config.template.replace("cairn_test_tpl_", "")}`;
  const admin = postgres(adminUrl(config.serverUrl), { max: 1, onnotice: () => {} });
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${config.template}"`);
      break;
    } catch (error) {
      // Two files copying the template at the same instant can collide; try again shortly.
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  installDatabaseHandle(
    await connect({ url: adminUrl(config.serverUrl, name), maxConnections: 4, logger: queryCounter, lookupLogger: lookupStatements }),
  );
  afterAll(async () => {
    await closeDatabase();
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });
} else {
  const dump = new Blob([fs.readFileSync(config.dump)]);
  installDatabaseHandle(await connect({ dataDir: "memory://", loadDataDir: dump, logger: queryCounter }));
  afterAll(closeDatabase);
}
