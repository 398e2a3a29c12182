/**
 * Free disk where a server on this machine keeps its models: `OLLAMA_MODELS`, else
 * `~/.ollama/models`, or the nearest parent that exists (the directory appears with the first
 * pull). Measured with `node:fs` `statfs` (Deno 2, Bun 1, Node 20 all have it), loaded only when
 * asked, which the startup hook does only when a download is planned. Any doubt (no `statfs`, a
 * runtime permission refused, as under Deno without `--allow-sys`) gives `undefined`: the
 * warning it feeds is a courtesy, never a failure.
 *
 * @module
 */

/** Free bytes, and the directory they were measured at. */
export interface FreeDisk {
  /** Bytes available to an unprivileged user. */
  bytes: number;
  /** The directory measured. */
  path: string;
}

/** The part of `node:fs` used here. */
interface StatFs {
  promises?: {
    statfs?(path: string): Promise<{ bavail: number | bigint; bsize: number | bigint }>;
  };
}

/**
 * The models directory of a server on this machine, by Ollama's own rule.
 *
 * @param env `OLLAMA_MODELS`, `HOME`, `USERPROFILE`.
 * @returns The path, or `undefined` when neither is known.
 */
export function modelsDirectory(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const models = env.OLLAMA_MODELS?.trim();
  if (models) return models;
  const home = env.HOME?.trim() || env.USERPROFILE?.trim();
  return home ? `${home.replace(/[\\/]+$/, "")}/.ollama/models` : undefined;
}

/**
 * A `freeDisk` for the startup hook.
 *
 * @param env The variables the CLI read.
 * @param load Loads `node:fs` (for tests). Default: a dynamic import.
 * @returns Measures on each call; `undefined` when nothing could be measured.
 */
export function freeDiskProbe(
  env: Readonly<Record<string, string | undefined>>,
  load: () => Promise<StatFs> = () => import("node:fs"),
): () => Promise<FreeDisk | undefined> {
  return async () => {
    const start = modelsDirectory(env);
    if (start === undefined) return undefined;
    let statfs: NonNullable<StatFs["promises"]>["statfs"];
    try {
      const fs = await load();
      statfs = fs.promises?.statfs?.bind(fs.promises);
    } catch {
      return undefined;
    }
    if (statfs === undefined) return undefined;
    for (let path: string | undefined = start; path !== undefined; path = parent(path)) {
      try {
        const stats = await statfs(path);
        return { bytes: Number(stats.bavail) * Number(stats.bsize), path };
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (code !== "ENOENT" && code !== "ENOTDIR") return undefined;
      }
    }
    return undefined;
  };
}

/** The directory above `path`, or `undefined` at the root. */
function parent(path: string): string | undefined {
  const trimmed = path.replace(/[\\/]+$/, "");
  if (/^[A-Za-z]:$/.test(trimmed)) return undefined;
  const at = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  if (at < 0) return trimmed === "." || trimmed === "" ? undefined : ".";
  if (at === 0) return trimmed === "" ? undefined : "/";
  const up = trimmed.slice(0, at);
  return /^[A-Za-z]:$/.test(up) ? `${up}\\` : up;
}
