import fs from "node:fs";
import { z } from "zod";

/** Reads `.env` from the working directory when there is one; real environment variables win. */
export function loadDotEnv(file = ".env") {
  if (fs.existsSync(file)) process.loadEnvFile(file);
}

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  CAIRN_DATA_DIR: z.string().min(1).default(".data/pglite"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  APP_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  MAIL_FROM: z.string().min(3).default("Cairn <no-reply@cairn.local>"),
  CAIRN_DEMO: flag,
  SESSION_COOKIE_SECURE: z.enum(["auto", "always", "never"]).default("auto"),
  TRUST_PROXY: flag,
  // Server processes answering requests (server/index.ts). More than one needs DATABASE_URL: the
  // embedded database belongs to a single process.
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  // Connections in each of a process's two Postgres pools (db/connect.ts: 2 when unset).
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).optional().or(z.literal("").transform(() => undefined)),
  // Benchmark only (bench/run.ts): a file to append every SQL statement to. Postgres only.
  CAIRN_QUERY_LOG: z.string().min(1).optional().or(z.literal("").transform(() => undefined)),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema
    .refine((e) => e.WEB_CONCURRENCY === 1 || e.DATABASE_URL, {
      path: ["WEB_CONCURRENCY"],
      error: "more than one server process needs DATABASE_URL (the embedded database allows one process)",
    })
    .safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new EnvError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The public origin, e.g. for links in emails. */
export function appUrl(): string {
  const e = env();
  return (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
}
