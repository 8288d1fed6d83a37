import fs from "node:fs";
import type { QueryPool } from "./connect";

// The benchmark's view of the database traffic (bench/run.ts): with CAIRN_QUERY_LOG set, every
// statement the app sends to Postgres is appended to that file as one JSON line. Never set in
// normal use: it writes every parameter, which includes private data.
//
// Each line carries `tick`, the event-loop turn the statement was sent in. Statements sent in
// the same turn were issued without waiting for one another (a Promise.all); a statement that
// needed an earlier one's result is sent in a later turn. The benchmark's floor server replays
// them grouped the same way.

export type LoggedQuery = { seq: number; tick: number; connection: number; query: string; parameters: unknown[]; pool: QueryPool };

export function queryLogWriter(file: string) {
  let seq = 0;
  let tick = 0;
  let turnEnding = false;
  return (connection: number, query: string, parameters: unknown[], pool: QueryPool) => {
    if (!turnEnding) {
      turnEnding = true;
      setImmediate(() => {
        tick++;
        turnEnding = false;
      });
    }
    // Connection numbers count per pool; the lookup pool's are told apart (they never hold a
    // transaction, which is what the floor groups by connection).
    const line: LoggedQuery = { seq: seq++, tick, connection: pool === "lookup" ? -1 - connection : connection, query, parameters, pool };
    // Synchronous, so lines are in the order the statements were sent.
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
}
