import cluster from "node:cluster";
import fs from "node:fs";
import http from "node:http";
import postgres from "postgres";
import { DEFAULT_POOL_SIZE, LOOKUP_SETTINGS, SESSION_SETTINGS, type QueryPool } from "../db/connect";
import type { LoggedQuery } from "../db/query-log";

// The floor: the least any server could do to answer the benchmark's pages. A bare node:http
// server and postgres.js that, for each page, runs exactly the statements the app ran for it
// (captured from the app with CAIRN_QUERY_LOG, parameters included), in the same order and with
// the same concurrency, and answers the rows as JSON. No routing, sessions, React or HTML: the
// gap between the app and this is what the app's own code costs.
//
//   node --import tsx bench/floor.ts <plan.json> <port> <database url>

export type FloorStatement = { query: string; parameters: unknown[] };
/** One statement, or a transaction's statements (run in order inside BEGIN … COMMIT), on the pool the app used. */
export type FloorTask = { transaction: boolean; statements: FloorStatement[]; pool: QueryPool };
/** Per page path: groups run one after the other; the tasks of a group run at once. */
export type FloorPlan = Record<string, FloorTask[][]>;

const BEGIN = /^\s*begin\b/i;
const END = /^\s*(commit|rollback)\b/i;

/** Turns a page's logged statements into the groups the floor replays. */
export function planFromLog(lines: LoggedQuery[]): FloorTask[][] {
  const groups = new Map<number, FloorTask[]>();
  const open = new Map<number, FloorTask>();
  const add = (tick: number, task: FloorTask) => {
    const group = groups.get(tick) ?? [];
    group.push(task);
    groups.set(tick, group);
  };
  for (const line of [...lines].sort((a, b) => a.seq - b.seq)) {
    const inTransaction = open.get(line.connection);
    if (BEGIN.test(line.query)) {
      const task: FloorTask = { transaction: true, statements: [], pool: line.pool ?? "default" };
      open.set(line.connection, task);
      add(line.tick, task);
    } else if (inTransaction) {
      if (END.test(line.query)) open.delete(line.connection);
      else inTransaction.statements.push({ query: line.query, parameters: line.parameters });
    } else {
      add(line.tick, { transaction: false, statements: [{ query: line.query, parameters: line.parameters }], pool: line.pool ?? "default" });
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, tasks]) => tasks);
}

/** How many statements a page sends, BEGIN and COMMIT included. */
export function statementCount(plan: FloorTask[][]) {
  return plan.flat().reduce((n, task) => n + task.statements.length + (task.transaction ? 2 : 0), 0);
}

type Sql = postgres.Sql;

async function runTask(pools: Record<QueryPool, Sql>, task: FloorTask) {
  const sql = pools[task.pool];
  // Parameters are passed as the app's client passes them (postgres.js' unsafe, prepared:
  // db/connect.ts), so statements are prepared and typed by the server the same way.
  const one = (db: Sql | postgres.TransactionSql, s: FloorStatement) =>
    db.unsafe(s.query, s.parameters as postgres.ParameterOrJSON<never>[], { prepare: true });
  if (!task.transaction) return one(sql, task.statements[0]!);
  return sql.begin(async (tx) => {
    const results = [];
    for (const s of task.statements) results.push(await one(tx, s));
    return results;
  });
}

async function main() {
  const [planFile, port, url, processes = "1"] = process.argv.slice(2);
  if (!planFile || !port || !url) throw new Error("usage: floor.ts <plan.json> <port> <database url> [processes]");
  // As many processes as the app runs (WEB_CONCURRENCY), sharing the port the same way.
  if (Number(processes) > 1 && cluster.isPrimary) {
    for (let i = 0; i < Number(processes); i++) cluster.fork();
    const stopAll = () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
      cluster.on("exit", () => Object.keys(cluster.workers ?? {}).length === 0 && process.exit(0));
    };
    process.on("SIGTERM", stopAll);
    process.on("SIGINT", stopAll);
    return;
  }
  const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as FloorPlan;
  // The app's pools, their sizes (DATABASE_POOL_SIZE, which the app has checked) and session
  // settings: the same server doing the same work.
  const max = Number(process.env.DATABASE_POOL_SIZE) || DEFAULT_POOL_SIZE;
  const pools: Record<QueryPool, Sql> = {
    default: postgres(url, { max, onnotice: () => {}, connection: SESSION_SETTINGS }),
    lookup: postgres(url, { max, onnotice: () => {}, connection: LOOKUP_SETTINGS }),
  };

  const server = http.createServer(async (req, res) => {
    const groups = plan[req.url ?? ""];
    if (!groups) {
      res.writeHead(404).end();
      return;
    }
    try {
      const results: unknown[] = [];
      for (const group of groups) results.push(...(await Promise.all(group.map((task) => runTask(pools, task)))));
      const body = JSON.stringify(results);
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }).end(body);
    } catch (error) {
      res.writeHead(500, { "Content-Type": "text/plain" }).end(error instanceof Error ? error.message : String(error));
    }
  });
  server.listen(Number(port), "127.0.0.1", () => console.log(`floor listening on ${port}`));
  const stop = () => server.close(() => void Promise.all([pools.default.end(), pools.lookup.end()]).then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] === import.meta.filename) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
