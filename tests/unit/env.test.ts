import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "~/env.server";

// The server refuses to start on a bad setting, with a message that names the variable, rather
// than starting half-configured (server/index.ts prints the EnvError's message and exits).

function failure(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return error as EnvError;
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(source)}`);
}

describe("parseEnv", () => {
  it("runs with nothing set, on the embedded database, port 3000", () => {
    expect(parseEnv({})).toEqual({
      NODE_ENV: "development",
      CAIRN_DATA_DIR: ".data/pglite",
      PORT: 3000,
      HOST: "0.0.0.0",
      MAIL_FROM: "Cairn <no-reply@cairn.local>",
      CAIRN_DEMO: false,
      SESSION_COOKIE_SECURE: "auto",
      TRUST_PROXY: false,
      WEB_CONCURRENCY: 1,
    });
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.APP_URL).toBeUndefined();
    expect(env.SMTP_URL).toBeUndefined();
  });

  it("reads good values, turning PORT into a number", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://cairn:pw@db.internal:5432/cairn",
      PORT: "8080",
      APP_URL: "https://cairn.example.org",
      SMTP_URL: "smtps://mailer:pw@smtp.example.org:465",
      SESSION_COOKIE_SECURE: "always",
    });
    expect(env).toMatchObject({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://cairn:pw@db.internal:5432/cairn",
      PORT: 8080,
      APP_URL: "https://cairn.example.org",
      SMTP_URL: "smtps://mailer:pw@smtp.example.org:465",
      SESSION_COOKIE_SECURE: "always",
    });
    expect(parseEnv({ DATABASE_URL: "postgresql://localhost/cairn" }).DATABASE_URL).toBe("postgresql://localhost/cairn");
    expect(parseEnv({ SMTP_URL: "smtp://localhost:1025" }).SMTP_URL).toBe("smtp://localhost:1025");
  });

  it("treats an empty DATABASE_URL or SMTP_URL as unset", () => {
    const env = parseEnv({ DATABASE_URL: "", SMTP_URL: "" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SMTP_URL).toBeUndefined();
  });

  it.each(["abc", "0", "-1", "65536", "80.5", "3000tcp"])("refuses PORT=%s, naming PORT", (port) => {
    const error = failure({ PORT: port });
    expect(error.message).toMatch(/^\s*PORT: /m);
  });

  it.each(["mysql://root@db/cairn", "localhost:5432/cairn", "not a url", "http://db.internal/cairn"])(
    "refuses DATABASE_URL=%s, naming DATABASE_URL",
    (url) => {
      expect(failure({ DATABASE_URL: url }).message).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    },
  );

  it("runs several server processes only on Postgres, and refuses a count that isn't one", () => {
    expect(parseEnv({ WEB_CONCURRENCY: "4", DATABASE_URL: "postgres://localhost/cairn" }).WEB_CONCURRENCY).toBe(4);
    expect(failure({ WEB_CONCURRENCY: "2" }).message).toContain("WEB_CONCURRENCY: more than one server process needs DATABASE_URL");
    expect(failure({ WEB_CONCURRENCY: "2", DATABASE_URL: "" }).message).toMatch(/^\s*WEB_CONCURRENCY: /m);
    for (const count of ["0", "1.5", "many", "65"]) {
      expect(failure({ WEB_CONCURRENCY: count, DATABASE_URL: "postgres://localhost/cairn" }).message).toMatch(/^\s*WEB_CONCURRENCY: /m);
    }
  });

  it("reads the Postgres pool size, leaving the default to the client when unset", () => {
    expect(parseEnv({ DATABASE_POOL_SIZE: "6" }).DATABASE_POOL_SIZE).toBe(6);
    expect(parseEnv({ DATABASE_POOL_SIZE: "" }).DATABASE_POOL_SIZE).toBeUndefined();
    expect(parseEnv({}).DATABASE_POOL_SIZE).toBeUndefined();
    for (const size of ["0", "2.5", "lots", "101"]) {
      expect(failure({ DATABASE_POOL_SIZE: size }).message).toMatch(/^\s*DATABASE_POOL_SIZE: /m);
    }
  });

  it("doesn't print the database password when DATABASE_URL is refused", () => {
    expect(failure({ DATABASE_URL: "mysql://root:hunter2@db/cairn" }).message).not.toContain("hunter2");
  });

  it.each(["cairn.example.org", "ftp://cairn.example.org", "javascript:alert(1)"])("refuses APP_URL=%s, naming APP_URL", (url) => {
    expect(failure({ APP_URL: url }).message).toContain("APP_URL: must be an http:// or https:// URL");
  });

  it.each(["http://smtp.example.org", "smtp.example.org:587", "mailto:ops@example.org"])("refuses SMTP_URL=%s, naming SMTP_URL", (url) => {
    expect(failure({ SMTP_URL: url }).message).toContain("SMTP_URL: must be an smtp:// or smtps:// URL");
  });

  it("names every bad variable at once, and only those", () => {
    const message = failure({ PORT: "http", APP_URL: "nope", SMTP_URL: "nope", HOST: "localhost" }).message;
    expect(message).toMatch(/PORT: /);
    expect(message).toMatch(/APP_URL: /);
    expect(message).toMatch(/SMTP_URL: /);
    expect(message).not.toMatch(/HOST|DATABASE_URL|CAIRN_DEMO/);
  });

  it("refuses an unknown NODE_ENV or SESSION_COOKIE_SECURE, naming it", () => {
    expect(failure({ NODE_ENV: "staging" }).message).toMatch(/NODE_ENV: /);
    expect(failure({ SESSION_COOKIE_SECURE: "sometimes" }).message).toMatch(/SESSION_COOKIE_SECURE: /);
  });
});

describe("CAIRN_DEMO and other on/off flags", () => {
  it.each(["1", "true", "yes"])("CAIRN_DEMO=%s turns demo mode on", (value) => {
    expect(parseEnv({ CAIRN_DEMO: value }).CAIRN_DEMO).toBe(true);
  });

  it.each([undefined, "", "0", "false", "no"])("CAIRN_DEMO=%s leaves demo mode off", (value) => {
    expect(parseEnv({ CAIRN_DEMO: value }).CAIRN_DEMO).toBe(false);
  });

  it.each(["on", "TRUE", "2", "enabled"])("CAIRN_DEMO=%s is refused rather than guessed", (value) => {
    expect(failure({ CAIRN_DEMO: value }).message).toMatch(/CAIRN_DEMO: /);
  });

  it("TRUST_PROXY is read the same way, independently of CAIRN_DEMO", () => {
    expect(parseEnv({ TRUST_PROXY: "1" })).toMatchObject({ TRUST_PROXY: true, CAIRN_DEMO: false });
    expect(parseEnv({ TRUST_PROXY: "no", CAIRN_DEMO: "yes" })).toMatchObject({ TRUST_PROXY: false, CAIRN_DEMO: true });
    expect(failure({ TRUST_PROXY: "maybe" }).message).toMatch(/TRUST_PROXY: /);
  });
});
