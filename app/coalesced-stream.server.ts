import { Transform, type TransformCallback } from "node:stream";

/**
 * A pass-through stream that gathers everything written to it during one turn of the event
 * loop into a single chunk. React writes a page in pieces of about 2 KB; a long page (a thread
 * of 200 posts is over half a megabyte) would otherwise reach the socket as hundreds of small
 * writes, each its own trip through the web stream Remix wraps it in and its own system call.
 * Streaming is unchanged: what React writes later (after a suspended part resolves) follows in
 * a later chunk.
 */
export function coalescedStream() {
  let pending: Buffer[] = [];
  let scheduled = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending.push(chunk);
      if (!scheduled) {
        scheduled = true;
        setImmediate(release);
      }
      callback();
    },
    flush(callback: TransformCallback) {
      release();
      callback();
    },
  });
  function release() {
    scheduled = false;
    if (pending.length === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    stream.push(chunk);
  }
  return stream;
}
