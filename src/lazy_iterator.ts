/**
 * An async iterator whose source is made (and its code loaded) on the first `next()`. A program
 * that only checks its models never pulls: `OllamaClient.pullModelStream` hands out one of these
 * so that the pull machinery is imported by the first pull, not at start-up.
 *
 * @module
 */

/**
 * Makes its source on the first {@link LazyIterator.next}, then passes every call through.
 * Closed before that, it never makes it.
 */
export class LazyIterator<T> implements AsyncIterableIterator<T> {
  readonly #make: () => Promise<AsyncIterator<T, unknown, undefined>>;
  #making: Promise<AsyncIterator<T, unknown, undefined>> | undefined;
  /** The source once made: from then on every call goes straight to it. */
  #source: AsyncIterator<T, unknown, undefined> | undefined;
  #closed = false;

  /**
   * Wraps the maker of a source.
   *
   * @param make Makes the source; called at most once, by the first `next()`.
   */
  constructor(make: () => Promise<AsyncIterator<T, unknown, undefined>>) {
    this.#make = make;
  }

  /**
   * The source's next item (the first call makes the source).
   *
   * @returns The item, or `done`.
   */
  next(): Promise<IteratorResult<T, undefined>> {
    const source = this.#source;
    if (source !== undefined) return source.next() as Promise<IteratorResult<T, undefined>>;
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    this.#making ??= this.#make().then((made) => this.#source = made);
    return this.#making.then((made) => made.next() as Promise<IteratorResult<T, undefined>>);
  }

  /**
   * Stops early: closes the source, if it was made.
   *
   * @returns `done`.
   */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.#closed = true;
    const source = this.#source ?? await this.#making?.catch(() => undefined);
    await source?.return?.();
    return { value: undefined, done: true };
  }

  /** This iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }
}
