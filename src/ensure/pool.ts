/**
 * Running tasks a few at a time: pulls go at most `pull_concurrency` at once per server.
 *
 * @module
 */

/**
 * Runs `task` for every item, at most `limit` at once, in the items' order, and settles when
 * every started task has. Once `signal` is aborted no further task starts; those running see
 * the signal themselves. Never rejects: each outcome is returned in the items' order.
 *
 * @param items The inputs.
 * @param limit Most tasks at once (at least 1).
 * @param task The work for one item.
 * @param signal Stops starting new tasks.
 * @returns One settled result per item; `undefined` for items never started.
 */
export async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<(PromiseSettledResult<R> | undefined)[]> {
  const results: (PromiseSettledResult<R> | undefined)[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && signal?.aborted !== true) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await task(items[index], index) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
