/** Listener plumbing shared by long-lived services: `onX(listener) → Disposable`. */

export interface Disposable {
  dispose(): void;
}

export class Emitter<T> {
  #listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): Disposable => {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.#listeners]) l(value);
  }

  get size(): number {
    return this.#listeners.size;
  }

  dispose(): void {
    this.#listeners.clear();
  }
}
