/**
 * An async iterator of items served from an async iterator of batches. A pull stream decodes a
 * whole network chunk at a time; handing its events out of an array, one resolved promise each,
 * costs about half of an async generator's `yield` per item, which at 130 000 events is a
 * measurable part of a pull's decoding time (see BENCHMARKS.md).
 *
 * @module
 */

/**
 * Serves the items of each batch in order, asking the source for the next batch only when the
 * current one is used up. Closing it early (`break` in `for await`) closes the source, so its
 * `finally` blocks run. One consumer, one `next()` at a time, as `for await` does; a call made
 * while another is pending waits for it.
 */
export class BatchedIterator<T> implements AsyncIterableIterator<T> {
  readonly #source: AsyncIterator<readonly T[], unknown, undefined>;
  readonly #onReturn: () => void;
  #batch: readonly T[] = [];
  #index = 0;
  #pending: Promise<IteratorResult<T, undefined>> | undefined;

  /**
   * Wraps a source of batches.
   *
   * @param source The batches. An empty batch is skipped.
   * @param options `onReturn` runs first thing when the consumer stops early, even while a
   *   `next()` is pending: a pull aborts its request there, so that the connection closes at
   *   once instead of when the pending read ends.
   */
  constructor(
    source: AsyncIterator<readonly T[], unknown, undefined>,
    options: { onReturn?: () => void } = {},
  ) {
    this.#source = source;
    this.#onReturn = options.onReturn ?? (() => {});
  }

  /**
   * The next item: at once from the current batch, else after the source's next batch.
   *
   * @returns The item, or `done` once the source is exhausted.
   */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#pending !== undefined) {
      return this.#pending.then(() => this.next());
    }
    if (this.#index < this.#batch.length) {
      return Promise.resolve({ value: this.#batch[this.#index++], done: false });
    }
    const pending = this.#refill();
    this.#pending = pending;
    const clear = () => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }

  /**
   * Stops early: drops what is buffered and closes the source.
   *
   * @returns `done`.
   */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.#onReturn();
    this.#batch = [];
    this.#index = 0;
    // A generator's return() waits for a pending next(): let that settle (aborted) first.
    await this.#pending?.catch(() => {});
    await this.#source.return?.();
    return { value: undefined, done: true };
  }

  /** This iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  async #refill(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      const result = await this.#source.next();
      if (result.done === true) {
        this.#batch = [];
        this.#index = 0;
        return { value: undefined, done: true };
      }
      if (result.value.length > 0) {
        this.#batch = result.value;
        this.#index = 1;
        return { value: result.value[0], done: false };
      }
    }
  }
}
