import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect, type DatabaseHandle } from "../../db/connect";
import { DataDirLockedError, lockDataDir, lockPathFor } from "../../db/lock";

// PGlite has no lock of its own: a second process on the same folder would silently lose
// writes. db/lock.ts makes the second one refuse to start, naming who holds the folder.

const lockModule = path.resolve(import.meta.dirname, "../../db/lock.ts");
const projectRoot = path.resolve(import.meta.dirname, "../..");

let tmp: string;
let dataDir: string;
const children: ChildProcess[] = [];
const handles: DatabaseHandle[] = [];

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-lock-"));
  dataDir = path.join(tmp, "pglite");
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const handle of handles.splice(0)) await handle.close().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Another Node process that takes the lock with the real lockDataDir and keeps running. */
async function otherProcessHolding(folder: string): Promise<ChildProcess> {
  const code = `const { lockDataDir } = await import(${JSON.stringify(lockModule)});
lockDataDir(${JSON.stringify(folder)});
process.stdout.write("locked\\n");
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`the child did not take the lock in time: ${stderr}`)), 15_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("locked")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (status) => {
      clearTimeout(timer);
      reject(new Error(`the child exited (${status}) before taking the lock: ${stderr}`));
    });
  });
  return child;
}

async function killHard(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

function lockHolder(folder: string): { pid: number; host: string } | undefined {
  const file = lockPathFor(folder);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected it to throw");
}

describe("lockDataDir", () => {
  it("refuses a folder that another live process holds, naming that process", async () => {
    const other = await otherProcessHolding(dataDir);
    expect(lockHolder(dataDir)?.pid).toBe(other.pid);

    const error = thrownBy(() => lockDataDir(dataDir));
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).message).toContain(`in use by process ${other.pid} `);
    expect((error as DataDirLockedError).message).toContain(dataDir);
    expect((error as DataDirLockedError).holder.pid).toBe(other.pid);

    // The server's own path to the folder is refused the same way, before PGlite opens it.
    await expect(connect({ dataDir })).rejects.toThrow(`in use by process ${other.pid} `);
    // Being refused doesn't disturb the holder's lock.
    expect(lockHolder(dataDir)?.pid).toBe(other.pid);
  });

  it("takes over the lock a crashed process left behind", async () => {
    const crashed = await otherProcessHolding(dataDir);
    await killHard(crashed);
    // SIGKILL gives no chance to clean up: the file still names the dead process.
    expect(lockHolder(dataDir)?.pid).toBe(crashed.pid);

    const release = lockDataDir(dataDir);
    expect(lockHolder(dataDir)).toMatchObject({ pid: process.pid, host: os.hostname() });
    release();
    expect(fs.existsSync(lockPathFor(dataDir))).toBe(false);
  });

  it("takes over an empty or garbled lock file", () => {
    fs.mkdirSync(tmp, { recursive: true });
    for (const content of ["", "{not json"]) {
      fs.writeFileSync(lockPathFor(dataDir), content);
      const release = lockDataDir(dataDir);
      expect(lockHolder(dataDir)?.pid).toBe(process.pid);
      release();
    }
  });

  it("removes the lock file on release, so the folder can be opened again", () => {
    const release = lockDataDir(dataDir);
    expect(fs.existsSync(lockPathFor(dataDir))).toBe(true);
    release();
    expect(fs.existsSync(lockPathFor(dataDir))).toBe(false);
    const again = lockDataDir(dataDir);
    again();
  });

  it("refuses a second lock in the same process while the first is held", () => {
    const release = lockDataDir(dataDir);
    const error = thrownBy(() => lockDataDir(dataDir));
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as Error).message).toContain(`in use by process ${process.pid} `);
    release();
  });

  it("never deletes a lock it doesn't own when releasing", async () => {
    const release = lockDataDir(dataDir);
    const other = { pid: process.pid + 100_000, host: os.hostname(), command: "other", startedAt: new Date().toISOString() };
    fs.writeFileSync(lockPathFor(dataDir), JSON.stringify(other));
    release();
    expect(lockHolder(dataDir)?.pid).toBe(other.pid);
  });

  // Known bug (reported to the lead): after an unclean stop, a restarted server that happens to
  // get the same pid (usual in containers, where the process tree starts the same way each time)
  // finds a lock naming its own pid and refuses to start, blaming itself. Flip to `it` once
  // lockDataDir tells its own live locks from a leftover of an earlier process.
  it("takes over a leftover lock from an earlier process that had the same pid", () => {
    fs.mkdirSync(tmp, { recursive: true });
    const leftover = { pid: process.pid, host: os.hostname(), command: "tsx index.ts", startedAt: "2020-01-01T00:00:00.000Z" };
    fs.writeFileSync(lockPathFor(dataDir), JSON.stringify(leftover));
    const release = lockDataDir(dataDir);
    release();
  });
});

describe("connect() on a PGlite folder", () => {
  it("refuses a second handle on the same folder while the first is open, then allows it after close", async () => {
    const first = await connect({ dataDir });
    handles.push(first);
    await first.db.execute("create table notes (body text)");
    await first.db.execute("insert into notes values ('written by the first handle')");

    const refused = await connect({ dataDir }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`in use by process ${process.pid} `);

    // The first handle is untouched by the refused attempt and still holds the lock.
    expect(lockHolder(dataDir)?.pid).toBe(process.pid);
    const before = await first.db.execute("select count(*)::int as n from notes");
    expect(JSON.stringify(before)).toContain('"n":1');

    await first.close();
    handles.splice(handles.indexOf(first), 1);
    expect(fs.existsSync(lockPathFor(dataDir))).toBe(false);

    const second = await connect({ dataDir });
    handles.push(second);
    const rows = await second.db.execute("select body from notes");
    expect(JSON.stringify(rows)).toContain("written by the first handle");
  }, 60_000);

  it("releases the lock when PGlite can't open the folder", async () => {
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(dataDir, "this is a file, not a database folder");
    await expect(connect({ dataDir })).rejects.toThrow();
    expect(fs.existsSync(lockPathFor(dataDir))).toBe(false);
  }, 60_000);
});
