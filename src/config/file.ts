/**
 * What reading a config file can give, as plain data, so that each runtime's reader
 * (`read_deno.ts`, `read_node.ts`) stays small and `load.ts` words every outcome the same way
 * whatever the runtime. No I/O here.
 *
 * Internal to the config modules; not part of the package's API.
 *
 * @module
 */

/** The result of reading one path. */
export type ReadOutcome =
  /** A regular file's contents, at most the byte limit. */
  | { kind: "bytes"; bytes: Uint8Array }
  /** Nothing there (`ENOENT`), or a part of the path is not a directory (`ENOTDIR`). */
  | { kind: "missing"; cause: unknown }
  /** Something other than a regular file: `what` is "a directory", "a FIFO (named pipe)", ... */
  | { kind: "not-regular"; what: string }
  /** Larger than the byte limit. */
  | { kind: "too-large" }
  /** The runtime's sandbox said no (Deno without `--allow-read` for the path). */
  | { kind: "not-allowed"; cause: unknown }
  /** Any other failure; `code` is the system error code when there is one (`EACCES`, `ELOOP`). */
  | { kind: "failed"; cause: unknown; code: string | undefined };

/** One runtime's way to read a config file without ever blocking on it. */
export interface ConfigFileReader {
  /**
   * Reads the regular file at `path`, at most `maxBytes` of it. Looks before it opens: a FIFO, a
   * device or a directory is never opened, so nothing waits for a writer.
   */
  read(path: string, maxBytes: number): Promise<ReadOutcome>;
  /** The absolute form of `path`, for messages. */
  absolute(path: string): string;
}

/** How much one read asks for. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads with `read` (which fills a buffer and returns how many bytes it wrote, 0 at the end)
 * until the end, or until more than `maxBytes` arrived: a file that grows while it is read, or
 * a special file that reports size 0, stays bounded too.
 */
export async function readAtMost(
  read: (buffer: Uint8Array) => Promise<number>,
  maxBytes: number,
): Promise<Uint8Array | "too-large"> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const buffer = new Uint8Array(Math.min(CHUNK_BYTES, maxBytes - total + 1));
    const count = await read(buffer);
    if (count === 0) break;
    total += count;
    if (total > maxBytes) return "too-large";
    chunks.push(buffer.subarray(0, count));
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** What a file that is not a regular one is, in words, from its stat flags. */
export function kindOfFile(flags: {
  directory?: boolean | null;
  fifo?: boolean | null;
  charDevice?: boolean | null;
  blockDevice?: boolean | null;
  socket?: boolean | null;
}): string {
  if (flags.directory) return "a directory";
  if (flags.fifo) return "a FIFO (named pipe)";
  if (flags.charDevice) return "a character device";
  if (flags.blockDevice) return "a block device";
  if (flags.socket) return "a socket";
  return "a special file";
}

/** The system error code of an error (`ENOENT`), when it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** Whether a path is absolute, on POSIX (`/etc`) or Windows (`C:\x`, `\\server\share`). */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path);
}

/** `path` taken from `directory` (unchanged when it is absolute); a leading `./` is dropped. */
export function joinPath(directory: string, path: string): string {
  if (isAbsolutePath(path)) return path;
  const rest = path.replace(/^(\.[\\/])+/, "");
  return /[\\/]$/.test(directory) ? `${directory}${rest}` : `${directory}/${rest}`;
}
