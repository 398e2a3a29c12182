/**
 * The process as the command line sees it: arguments, the {@link CliIo} (stdout, stderr, the
 * variables it reads, the working directory), signals and exit. Under Deno, Deno's own APIs (the
 * first `node:` module a Deno process imports costs it several milliseconds of start-up);
 * elsewhere (Bun, Node), `node:process` and `node:fs`.
 *
 * @module
 */

import { denoHost } from "./host_deno.ts";
import type { CliHost } from "./cli_host.ts";

export type { CliHost };

/**
 * The current process.
 *
 * @returns Its host.
 */
export async function currentHost(): Promise<CliHost> {
  if ("Deno" in globalThis) return denoHost();
  return (await import("./host_node.ts")).nodeHost();
}
