/**
 * A pipe between two stages of a pipeline (`kubectl get pods -w | grep web`). The producer writes into it while it
 * runs; the consumer either streams it chunk by chunk (commands with `streamsStdin`, like grep) or, like most
 * commands here, takes the whole text once the producer exited — the buffered model the shell used before, kept
 * for every command that reads `ctx.stdin` as one string.
 */
import type { OutputStream } from './types';

export class Pipe implements OutputStream, AsyncIterable<string> {
  #chunks: string[] = [];
  #closed = false;
  /** Readers waiting for the next write or for the end. */
  #waiters: (() => void)[] = [];

  write(text: string): void {
    if (this.#closed || text === '') return;
    this.#chunks.push(text);
    this.#wake();
  }

  /** The producer exited (or was interrupted): readers see the end of input. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Everything the producer wrote, once it exited. */
  async text(): Promise<string> {
    while (!this.#closed) await this.#next();
    return this.#chunks.join('');
  }

  /** Chunks in the order they were written, each as soon as it is; ends when the producer exited. */
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    let i = 0;
    for (;;) {
      while (i < this.#chunks.length) yield this.#chunks[i++]!;
      if (this.#closed) return;
      await this.#next();
    }
  }
}
