import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { connect } from "../../db/connect";

// Migrates one template database per run; every test file then starts from its own copy:
// on Postgres a `CREATE DATABASE … TEMPLATE`, on PGlite an in-memory copy of a dumped folder.

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: { kind: "postgres"; serverUrl: string; template: string } | { kind: "pglite"; dump: string };
  }
}

export function adminUrl(databaseUrl: string, database = "postgres") {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const databaseUrl = process.env.DATABASE_URL;

  if (databaseUrl) {
    const template = `cairn_test_tpl_${runId}`;
    const admin = postgres(adminUrl(databaseUrl), { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE "${template}"`);
    const handle = await connect({ url: adminUrl(databaseUrl, template), maxConnections: 1 });
    await handle.migrate();
    await handle.close();
    project.provide("testDatabase", { kind: "postgres", serverUrl: databaseUrl, template });
    return async () => {
      const leftovers = await admin<{ datname: string }[]>`
        select datname from pg_database where datname like ${`cairn_test_%${runId}%`}`;
      for (const { datname } of leftovers) await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      await admin.end();
    };
  }

  const handle = await connect({ dataDir: "memory://" });
  await handle.migrate();
  const dumpDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-test-"));
  const dump = path.join(dumpDir, "template.tar.gz");
  fs.writeFileSync(dump, Buffer.from(await (await handle.dumpDataDir!()).arrayBuffer()));
  await handle.close();
  project.provide("testDatabase", { kind: "pglite", dump });
  return () => fs.rmSync(dumpDir, { recursive: true, force: true });
}
