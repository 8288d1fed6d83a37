import fs from "node:fs";
import http from "node:http";
import { once } from "node:events";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type ConnectOptions } from "../../db/connect";
import { closeDatabase } from "../../db/handle";
import { posts } from "../../db/schema";
import { ensureBuild, freePort, startAppServer, type AppServer } from "./support/app-server";
import { Browser, formBody, parseForms } from "./support/browser";
import { createMigratedDatabase, findPostgresServer, type TestDatabase } from "./support/postgres";
import { makePractice, type Practice } from "./support/practice";

// A deploy or a process manager stops the server with SIGTERM while people are using it. A form
// being sent at that moment must be saved and answered; then the server exits cleanly (0).
// The slow request is a real one: a reply whose body arrives in two parts, SIGTERM in between.
// On the machine's Postgres when there is one, else on the embedded database.

const port = await freePort(4120, 4129);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when a new connection to the port is refused (nothing listens any more). */
function refused(portNumber: number) {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(portNumber, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

describe("stopping the server with SIGTERM", () => {
  let app: AppServer;
  let practice: Practice;
  let database: TestDatabase | undefined;
  let folder: string | undefined;
  let connectOptions: ConnectOptions;

  beforeAll(async () => {
    await ensureBuild();
    const server = await findPostgresServer();
    if (server) {
      database = await createMigratedDatabase(server, "cairn_stop");
      connectOptions = { url: database.url, maxConnections: 1 };
    } else {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-stop-"));
      connectOptions = { dataDir: path.join(folder, "pglite") };
      const handle = await connect(connectOptions);
      await handle.migrate();
      await handle.close();
    }
    practice = await makePractice(connectOptions, { coaches: 1, clients: 1 });
    // The embedded database allows one process at a time: the server's, from here on.
    await closeDatabase();
    app = await serve();
  }, 180_000);

  const serve = () => startAppServer({ port, databaseUrl: database?.url, dataDir: folder && path.join(folder, "pglite") });

  afterAll(async () => {
    await app?.stop();
    await database?.drop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("finishes the request in flight, saves what it sent, refuses new connections and exits with 0", async () => {
    const client = practice.clients[0]!;
    const browser = new Browser(app.url);
    expect((await browser.signIn(client.email, practice.password)).status).toBe(302);
    const page = await browser.get(`/portal/questions/${client.threadId}`);
    const form = parseForms(page.html, page.url).find((f) => f.controls.some((c) => c.name === "body") && f.buttons.some((b) => b.value === "reply"));
    expect(form).toBeDefined();
    const marker = `sent-during-shutdown-${Date.now()}`;
    const body = formBody(form!, { body: `A reply ${marker}` }, { name: "intent", value: "reply" }).toString();

    // The first bytes of the body go now, the rest only after SIGTERM.
    let answered: (value: { status: number; location: string | undefined }) => void;
    const answer = new Promise<{ status: number; location: string | undefined }>((resolve) => (answered = resolve));
    // A keep-alive connection, as browsers use: once answered it sits idle, and must not hold the stop up.
    const agent = new http.Agent({ keepAlive: true });
    const request = http.request(form!.action, {
      method: "POST",
      agent,
      headers: {
        Origin: app.url,
        "Sec-Fetch-Site": "same-origin",
        Cookie: browser.cookieHeader(),
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": Buffer.byteLength(body),
      },
    });
    request.once("response", (response) => {
      response.resume();
      response.once("end", () => answered({ status: response.statusCode ?? 0, location: response.headers.location }));
    });
    // A connection cut short answers status 0, which fails the test below.
    request.once("error", (error) => answered({ status: 0, location: error.message }));
    request.write(body.slice(0, 10));
    await sleep(500);

    app.process.kill("SIGTERM");
    let closed = false;
    for (let i = 0; i < 60 && !closed; i++) {
      closed = await refused(port);
      if (!closed) await sleep(50);
    }
    expect(closed).toBe(true);
    // Still running: it waits for the request in flight.
    await sleep(300);
    expect(app.process.exitCode).toBeNull();

    request.end(body.slice(10));
    const response = await answer;
    expect(response.status).toBe(302);
    expect(response.location).toContain(`/portal/questions/${client.threadId}`);

    const answeredAt = Date.now();
    const { code } = await app.exited;
    agent.destroy();
    expect(code).toBe(0);
    // The connection, idle once answered, was closed rather than waited out (Node keeps one 5 s).
    expect(Date.now() - answeredAt).toBeLessThan(4_000);
    expect(app.output()).toContain("SIGTERM: stopped");

    const handle = await connect(connectOptions);
    try {
      const saved = await handle.db.select({ id: posts.id }).from(posts).where(eq(posts.body, `A reply ${marker}`));
      expect(saved).toHaveLength(1);
    } finally {
      await handle.close();
    }
  });

  it("doesn't wait forever: a request still unfinished after 10 s has its connection closed, and the server exits with 0", async () => {
    app = await serve();
    // A sign-in whose body never arrives in full.
    const socket = net.connect(port, "127.0.0.1");
    await once(socket, "connect");
    const closed = once(socket, "close");
    socket.on("error", () => {});
    socket.write(
      `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${app.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=`,
    );
    await sleep(300);

    const signalled = Date.now();
    app.process.kill("SIGTERM");
    const { code } = await app.exited;
    const waited = Date.now() - signalled;
    expect(code).toBe(0);
    expect(waited).toBeGreaterThanOrEqual(9_500);
    expect(waited).toBeLessThan(20_000);
    await closed;
    expect(app.output()).toContain("requests still running after 10 s");
  }, 60_000);
});
