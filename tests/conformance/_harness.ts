// What the real-Ollama conformance tests share: the server address from the environment, the
// skip reason when there is none, and a fake registry per test on loopback. Not a test file.
import process from "node:process";
import {
  FakeRegistry,
  type FakeRegistryOptions,
  registryModelName,
  type RegistryModelSpec,
  serveFakeOllama,
} from "../../src/testing/mod.ts";

/** The real server under test, from `OLLAMA_CONFORMANCE_URL` (no trailing slash). */
export const CONFORMANCE_URL: string | undefined = process.env.OLLAMA_CONFORMANCE_URL?.trim()
  .replace(/\/+$/, "") || undefined;

/** `false` when a server is given; else why the suite is skipped (shown in the test name). */
export const SKIP: string | false = CONFORMANCE_URL === undefined
  ? "OLLAMA_CONFORMANCE_URL is not set; to run: OLLAMA_CONFORMANCE_URL=http://127.0.0.1:11434 " +
    "deno test -A tests/conformance/ (a real Ollama whose network is closed; see record.ts)"
  : false;

/** The server's address; only call inside tests that run (SKIP is false). */
export function serverUrl(): string {
  if (CONFORMANCE_URL === undefined) throw new Error("OLLAMA_CONFORMANCE_URL is not set");
  return CONFORMANCE_URL;
}

const RUN = Date.now().toString(36);
let counter = 0;

export interface RegistryHandle {
  registry: FakeRegistry;
  /** The registry's base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** `127.0.0.1:<port>`. */
  host: string;
  /** `127.0.0.1:<port>/library/<model>:<tag>`. */
  name(model: string): string;
  /** `http://127.0.0.1:<port>/library/<model>:<tag>` (the scheme implies insecure). */
  schemeName(model: string): string;
  /**
   * Publishes a model under a name unique to this test (so no blob of it is on the server yet),
   * returning that name (without host).
   */
  publish(spec: RegistryModelSpec): Promise<string>;
}

/** Starts a fake registry for one test and stops it afterwards. */
export async function withRegistry<T>(
  options: FakeRegistryOptions,
  fn: (handle: RegistryHandle) => Promise<T>,
): Promise<T> {
  const registry = new FakeRegistry({ models: [], ...options });
  const served = await serveFakeOllama(registry.handler);
  const host = new URL(served.url).host;
  const handle: RegistryHandle = {
    registry,
    url: served.url,
    host,
    name: (model) => registryModelName(served.url, model),
    schemeName: (model) => `http://${registryModelName(served.url, model)}`,
    async publish(spec) {
      const [base, tag] = spec.name.split(":");
      const unique = `${base}-${RUN}-${++counter}${tag ? `:${tag}` : ""}`;
      await registry.publish({ ...spec, name: unique, seed: `${RUN}/${unique}` });
      return unique;
    },
  };
  try {
    return await fn(handle);
  } finally {
    await served.close();
  }
}

/** Polls until `check` holds, failing after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The raw JSON of a GET on the real server. */
export async function getJson(path: string): Promise<unknown> {
  const response = await fetch(`${serverUrl()}${path}`);
  return await response.json();
}
