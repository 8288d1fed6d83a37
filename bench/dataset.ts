import { uuidFor } from "./prng";

// What the benchmark's seed creates and the runner relies on: sizes, the people it signs in as
// and the records it opens. Both scripts import this, so they can't disagree.

export const BENCH_PASSWORD = "bench-password-1";

export const SIZES = {
  staff: 50,
  clients: 5_000,
  planSteps: 60_000,
  threads: 100_000,
  posts: 1_000_000,
  checkIns: 250_000,
} as const;

/** Which table an id belongs to (uuidFor's first argument). */
export const KIND = {
  user: 1,
  case: 2,
  template: 3,
  templateStep: 4,
  plan: 5,
  step: 6,
  thread: 7,
  post: 8,
  checkIn: 9,
  notification: 10,
  audit: 11,
} as const;

/** Users by index: 0 the admin, 1–30 coaches, 31–49 therapists, then the clients. */
export const COACHES = 30;
export const FIRST_CLIENT = SIZES.staff;

export const staffEmail = (index: number) =>
  index === 0
    ? "admin@bench.cairn.test"
    : index <= COACHES
      ? `coach${String(index).padStart(2, "0")}@bench.cairn.test`
      : `therapist${String(index - COACHES).padStart(2, "0")}@bench.cairn.test`;
export const clientEmail = (client: number) => `client${String(client + 1).padStart(4, "0")}@bench.cairn.test`;

/**
 * The people the benchmark signs in as: the admin, the busiest coach (leads the most cases) and
 * the client whose case is the busiest; that case, and a thread on it with exactly 200 posts.
 */
export const PERSONAS = {
  admin: staffEmail(0),
  coach: staffEmail(1),
  client: clientEmail(0),
} as const;
export const BUSY_CASE_ID = uuidFor(KIND.case, 0);
export const LONG_THREAD_ID = uuidFor(KIND.thread, 0);
export const LONG_THREAD_POSTS = 200;

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Benchmark databases get plain lower-case names, so they never need quoting surprises. */
export function checkDatabaseName(name: string | undefined): string {
  if (!name || !NAME.test(name)) {
    throw new Error("Name the benchmark database: lower-case letters, digits and underscores, e.g. cairn_bench.");
  }
  return name;
}

/**
 * The Postgres server to use: BENCH_DATABASE_SERVER, else DATABASE_URL's server, else the local
 * default. Only the server part matters; the database in the path is replaced.
 */
export function benchServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_DATABASE_SERVER || env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
}

export function databaseUrl(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(benchServerUrl(env));
  url.pathname = `/${name}`;
  return url.toString();
}

/** Marks a database as made by the benchmark seed: only such a database may be replaced. */
export const SEED_MARK = "cairn benchmark data set (bench/seed.ts)";
