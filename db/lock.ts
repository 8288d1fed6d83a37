import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// PGlite takes no lock of its own: two processes on one data folder silently lose writes.
// This lock file beside the folder makes the second process refuse to start instead.

type Holder = { pid: number; host: string; command: string; startedAt: string };

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: Holder,
    readonly lockPath: string,
  ) {
    super(
      `The embedded database folder ${dataDir} is in use by process ${holder.pid} on ${holder.host} ` +
        `(${holder.command}, started ${holder.startedAt}). ` +
        `Stop that process first, or point CAIRN_DATA_DIR at another folder. ` +
        `If that process is certainly gone, delete ${lockPath}.`,
    );
    this.name = "DataDirLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(lockPath: string): Holder | undefined {
  try {
    return JSON.parse(fs.readFileSync(lockPath, "utf8")) as Holder;
  } catch {
    return undefined;
  }
}

// Locks this process holds now. A lock file naming our own pid that is not in here was left by
// an earlier process that happened to have the same pid (common after a container restart).
const heldByMe = new Set<string>();

export function lockPathFor(dataDir: string) {
  return `${path.resolve(dataDir)}.lock`;
}

/** Takes the lock on `dataDir` for this process; returns a function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = lockPathFor(dataDir);
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const me: Holder = {
    pid: process.pid,
    host: os.hostname(),
    command: process.argv.slice(1).map((a) => (path.isAbsolute(a) ? path.relative(process.cwd(), a) : a)).join(" ") || "node",
    startedAt: new Date().toISOString(),
  };

  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(me), { flag: "wx" });
      heldByMe.add(lockPath);
      const release = () => {
        if (!heldByMe.delete(lockPath)) return;
        if (readHolder(lockPath)?.pid === process.pid) fs.rmSync(lockPath, { force: true });
        process.off("exit", release);
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(lockPath);
      const stale =
        holder !== undefined &&
        holder.host === me.host &&
        (holder.pid === process.pid ? !heldByMe.has(lockPath) : !isAlive(holder.pid));
      if (holder && !stale) throw new DataDirLockedError(path.resolve(dataDir), holder, lockPath);
      // The holder died without cleaning up (or the file is unreadable): take the lock over.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}
