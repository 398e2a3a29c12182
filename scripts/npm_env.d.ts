// Ambient types for the npm build (tsconfig.npm.json) that no package provides for Node 20.

/** Deno, Bun and Node 24+ set it on the entry module; Node 20 leaves it undefined. */
interface ImportMeta {
  readonly main?: boolean;
}
