/**
 * Writing all of a text to a file descriptor synchronously, whatever the runtime gives: partial
 * writes are continued, and a descriptor another process left non-blocking (EAGAIN) is waited
 * for, briefly and boundedly. Any other failure (EPIPE, ENOSPC, EBADF) is thrown, for the caller
 * to stop writing there.
 *
 * @module
 */

/** How long a write waits for a non-blocking descriptor to take bytes, in total. */
export const WRITE_WAIT_MS = 30_000;

const encoder = new TextEncoder();
let sleeper: Int32Array | undefined;

function sleepSync(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

function wouldBlock(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return code === "EAGAIN" || code === "EWOULDBLOCK" || name === "WouldBlock";
}

/**
 * Writes `text` with `writeOnce` until every byte is out.
 *
 * @param writeOnce Writes some of the bytes and returns how many.
 * @param text The text.
 * @throws What `writeOnce` throws, other than "would block"; an Error after
 *   {@link WRITE_WAIT_MS} of "would block".
 */
export function writeAllSync(writeOnce: (bytes: Uint8Array) => number, text: string): void {
  let bytes = encoder.encode(text);
  let waited = 0;
  while (bytes.length > 0) {
    let written: number;
    try {
      written = writeOnce(bytes);
    } catch (error) {
      if (!wouldBlock(error) || waited >= WRITE_WAIT_MS) throw error;
      const pause = Math.min(50, 1 + waited / 10);
      sleepSync(pause);
      waited += pause;
      continue;
    }
    bytes = bytes.subarray(written);
  }
}
