/**
 * One blob downloaded from a registry the way Ollama's server does it, shared by every pull
 * that needs it: the size from a `HEAD`, the data URL from the blob's redirect (retried with
 * backoff for 30 s), then ranged `GET`s of its parts (16 at most at once, 100 MB to 1 GB each)
 * with up to six tries per part (waiting 1, 2, 4... s between them), a part that received
 * nothing for 30 s restarted from where it stood when the try began, and the whole download
 * cancelled when the last pull waiting for it goes away. Bytes are counted as they arrive;
 * a cut keeps them, a short body (`EOF`) does not. Nothing is stored but the blob's first bytes.
 *
 * @module
 */

import { delay } from "./delay.ts";
import { KEPT_BYTES, type ModelStore, type PartialBlob } from "./model_store.ts";
import { RegistryError, type RegistryRequest } from "./registry_access.ts";

const MAX_PARTS = 16;
const MIN_PART = 100_000_000;
const MAX_PART = 1_000_000_000;
const MAX_TRIES = 6;
const STALL_MS = 30_000;
const WATCHDOG_MS = 1_000;
const REDIRECT_DEADLINE_MS = 30_000;
const REDIRECT_BACKOFF_MAX_MS = 10_000;
const MAX_SAME_HOST_REDIRECTS = 10;

/** What a download needs from the fake. */
export interface DownloadContext {
  store: ModelStore;
  request: RegistryRequest;
  /** Multiplies Ollama's durations (`timeScale`). */
  scale: number;
  /** Headers of every request to the registry (the `User-Agent`). */
  headers: Record<string, string>;
}

interface Part {
  offset: number;
  size: number;
  completed: number;
  lastUpdated: number;
}

/** The outcome of one try of a part. */
type Attempt = "done" | "stalled" | "canceled" | { error: string };

/** A blob being downloaded; pulls wait on it with {@link BlobDownload.acquire}. */
export class BlobDownload {
  readonly digest: string;
  readonly total: number;
  /** Bytes received so far (a try that ends short gives its bytes back). */
  completed: number;
  /** Settles when the download ends; `error` then says why, if it failed. */
  readonly done: Promise<void>;
  error: string | undefined;
  finished = false;
  readonly #parts: Part[];
  readonly #context: DownloadContext;
  readonly #cancel = new AbortController();
  readonly #kept: Uint8Array;
  readonly #listeners = new Set<() => void>();
  #references = 0;
  #resolve!: () => void;

  constructor(context: DownloadContext, digest: string, partial: PartialBlob) {
    this.#context = context;
    this.digest = digest;
    this.total = partial.total;
    this.#parts = partial.parts.map((part) => ({ ...part, lastUpdated: 0 }));
    this.completed = this.#parts.reduce((sum, part) => sum + part.completed, 0);
    this.#kept = context.store.kept(digest) ?? new Uint8Array(Math.min(this.total, KEPT_BYTES));
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** A pull starts waiting on it. */
  acquire(): void {
    this.#references++;
  }

  /** A pull stops waiting; the last one leaving cancels the download. */
  release(): void {
    if (--this.#references <= 0 && !this.finished) this.cancel();
  }

  /** Stops the download (what was received stays, for a later resume). */
  cancel(): void {
    this.#cancel.abort();
  }

  /** Calls `listener` whenever `completed` changes or the download ends; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Downloads the blob from the registry (`blobUrl` answers with a redirect to the data). */
  async run(blobUrl: URL): Promise<void> {
    try {
      const dataUrl = await this.#dataUrl(blobUrl);
      await this.#downloadParts(dataUrl);
      this.#context.store.keep(this.digest, this.#kept);
      this.#context.store.setWhole(this.digest, this.total);
    } catch (error) {
      this.error = this.#cancel.signal.aborted
        ? "context canceled"
        : error instanceof RegistryError
        ? error.message
        : String(error);
      this.#save();
    } finally {
      this.finished = true;
      this.#resolve();
      this.#changed();
    }
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #save(): void {
    const parts = this.#parts.map(({ offset, size, completed }) => ({ offset, size, completed }));
    this.#context.store.setPartial(this.digest, { total: this.total, parts });
    if (this.#kept.length > 0) this.#context.store.keep(this.digest, this.#kept);
  }

  #ms(ms: number): number {
    return ms * this.#context.scale;
  }

  /**
   * The data URL: `GET` the blob without following a redirect to another host (one to the same
   * host is followed, as Go's client does); retried with backoff until 30 s have passed.
   */
  async #dataUrl(blobUrl: URL): Promise<URL> {
    // A timer of our own (not AbortSignal.timeout), so that it is cleared once the URL is known.
    const expiry = new AbortController();
    const deadline = expiry.signal;
    const timer = setTimeout(() => expiry.abort(), this.#ms(REDIRECT_DEADLINE_MS));
    try {
      return await this.#dataUrlUntil(blobUrl, deadline);
    } finally {
      clearTimeout(timer);
    }
  }

  async #dataUrlUntil(blobUrl: URL, deadline: AbortSignal): Promise<URL> {
    const signal = AbortSignal.any([this.#cancel.signal, deadline]);
    const timedOut = () => new RegistryError("context deadline exceeded");
    for (let tries = 1;; tries++) {
      let response: Response | undefined;
      try {
        response = await this.#getFollowingSameHost(blobUrl, signal);
      } catch (error) {
        if (deadline.aborted) throw timedOut();
        if (this.#cancel.signal.aborted) throw error;
      }
      if (response !== undefined) {
        await response.body?.cancel().catch(() => {});
        if (response.status < 400) {
          if (response.status !== 307 && response.status !== 200) {
            throw new RegistryError(`unexpected status code ${response.status}`);
          }
          const location = response.headers.get("location");
          if (location === null) throw new RegistryError("http: no Location header in response");
          return new URL(location, blobUrl);
        }
      }
      const backoff = Math.min(tries * tries * 10, REDIRECT_BACKOFF_MAX_MS) * (Math.random() + 0.5);
      if (!await delay(this.#ms(backoff), signal)) {
        if (deadline.aborted) throw timedOut();
        throw new RegistryError("context canceled");
      }
    }
  }

  async #getFollowingSameHost(url: URL, signal: AbortSignal): Promise<Response> {
    let target = url;
    for (let hops = 0;; hops++) {
      const response = await this.#context.request("GET", target, {
        headers: this.#context.headers,
        signal,
      });
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || location === null) return response;
      const next = new URL(location, target);
      if (next.hostname !== url.hostname) return response;
      if (hops >= MAX_SAME_HOST_REDIRECTS) {
        throw new RegistryError("maximum redirects exceeded (10) for directURL");
      }
      await response.body?.cancel().catch(() => {});
      target = next;
    }
  }

  /** The parts, at most 16 at once; the first that fails stops the others. */
  async #downloadParts(dataUrl: URL): Promise<void> {
    const failed = new AbortController();
    const signal = AbortSignal.any([this.#cancel.signal, failed.signal]);
    const queue = this.#parts.filter((part) => part.completed < part.size);
    let failure: unknown;
    const worker = async () => {
      for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
        try {
          await this.#downloadPart(part, dataUrl, signal);
        } catch (error) {
          failure ??= error;
          failed.abort();
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_PARTS, queue.length) }, worker));
    if (failure !== undefined) throw failure;
  }

  async #downloadPart(part: Part, dataUrl: URL, signal: AbortSignal): Promise<void> {
    let last = "";
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const outcome = await this.#try(part, dataUrl, signal);
      if (outcome === "done") return;
      if (outcome === "canceled") throw new RegistryError("context canceled");
      if (outcome === "stalled") {
        tries--; // a stalled part does not use up a try
        continue;
      }
      last = outcome.error;
      if (!await delay(this.#ms(1000 * 2 ** tries), signal)) {
        throw new RegistryError("context canceled");
      }
    }
    throw new RegistryError(`max retries exceeded: ${last}`);
  }

  /** One ranged `GET` of what the part still lacks, watched for a stall. */
  async #try(part: Part, dataUrl: URL, outer: AbortSignal): Promise<Attempt> {
    const started = Date.now();
    const stall = new AbortController();
    const signal = AbortSignal.any([outer, stall.signal]);
    const watchdog = setInterval(() => {
      if (Date.now() - Math.max(part.lastUpdated, started) > this.#ms(STALL_MS)) stall.abort();
    }, this.#ms(Math.min(WATCHDOG_MS, STALL_MS / 2)));
    const start = part.offset + part.completed;
    const wanted = part.size - part.completed;
    let received = 0;
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const keep = (outcome: Attempt): Attempt => {
      part.completed += received;
      this.#save();
      return outcome;
    };
    const giveBack = (outcome: Attempt): Attempt => {
      this.completed -= received;
      this.#changed();
      return outcome;
    };
    try {
      let response: Response;
      try {
        response = await this.#context.request("GET", dataUrl, {
          headers: { range: `bytes=${start}-${part.offset + part.size - 1}` },
          signal,
        });
      } catch (error) {
        if (stall.signal.aborted) return "stalled";
        if (outer.aborted) return "canceled";
        return { error: error instanceof Error ? error.message : String(error) };
      }
      // Ollama does not look at the status: whatever body comes is taken as the data.
      if (response.body === null) return giveBack({ error: "EOF" });
      reader = response.body.getReader();
      const onAbort = () => reader?.cancel().catch(() => {});
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        while (received < wanted) {
          const { done, value } = await reader.read();
          if (signal.aborted) break;
          if (done) return giveBack({ error: "EOF" });
          const take = Math.min(value.length, wanted - received);
          this.#keepBytes(start + received, value.subarray(0, take));
          received += take;
          this.completed += take;
          part.lastUpdated = Date.now();
          this.#changed();
        }
      } catch {
        if (!signal.aborted) return keep({ error: "unexpected EOF" });
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
      if (stall.signal.aborted) return giveBack("stalled");
      if (outer.aborted) return keep("canceled");
      return keep("done");
    } finally {
      clearInterval(watchdog);
      reader?.cancel().catch(() => {});
    }
  }

  #keepBytes(offset: number, bytes: Uint8Array): void {
    if (offset >= this.#kept.length) return;
    this.#kept.set(bytes.subarray(0, this.#kept.length - offset), offset);
  }
}

/** The downloads under way, one per digest, shared by the pulls that need the blob. */
export class DownloadManager {
  readonly #downloads = new Map<string, BlobDownload>();
  readonly #context: DownloadContext;

  constructor(context: DownloadContext) {
    this.#context = context;
  }

  /**
   * The download of a blob: the one under way, or a new one (its size asked with a `HEAD`, or
   * taken from what an earlier download left), started in the background.
   *
   * @throws {RegistryError} When the `HEAD` fails.
   */
  async get(digest: string, blobUrl: URL, signal: AbortSignal): Promise<BlobDownload> {
    const running = this.#downloads.get(digest);
    if (running !== undefined) return running;
    const partial = this.#context.store.partial(digest) ??
      splitParts(await this.#size(blobUrl, signal));
    const again = this.#downloads.get(digest);
    if (again !== undefined) return again;
    const download = new BlobDownload(this.#context, digest, partial);
    this.#downloads.set(digest, download);
    download.run(blobUrl).finally(() => {
      if (this.#downloads.get(digest) === download) this.#downloads.delete(digest);
    });
    return download;
  }

  /** Cancels every download (the fake is closing). */
  cancelAll(): void {
    for (const download of this.#downloads.values()) download.cancel();
  }

  async #size(blobUrl: URL, signal: AbortSignal): Promise<number> {
    const response = await this.#context.request("HEAD", blobUrl, {
      headers: this.#context.headers,
      signal,
    });
    await registryStatus(response);
    return Number(response.headers.get("content-length") ?? 0) || 0;
  }
}

/**
 * What Ollama makes of a registry's status: 404 is `file does not exist`, 400 and above
 * `<status>: <body>`; anything else passes.
 *
 * @throws {RegistryError} For a status of 400 or more.
 */
export async function registryStatus(response: Response): Promise<void> {
  if (response.status < 400) return;
  const body = await response.text().catch((error) => String(error));
  if (response.status === 404) throw new RegistryError("file does not exist");
  throw new RegistryError(`${response.status}: ${body}`);
}

/** A new blob's parts: 1/16 of it each, but 100 MB to 1 GB. */
function splitParts(total: number): PartialBlob {
  const size = Math.min(MAX_PART, Math.max(MIN_PART, Math.floor(total / MAX_PARTS)));
  const parts: PartialBlob["parts"] = [];
  for (let offset = 0; offset < total; offset += size) {
    parts.push({ offset, size: Math.min(size, total - offset), completed: 0 });
  }
  return { total, parts };
}
