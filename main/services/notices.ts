/** Messages for the learner that must not be missed (a recovered database, a failed save): kept until dismissed. */
import type { Notice } from '../contract';

export class NoticeBoard {
  readonly #notices = new Map<string, Notice>();
  readonly #onAdd: (n: Notice) => void;

  constructor(onAdd: (n: Notice) => void = () => {}) {
    this.#onAdd = onAdd;
  }

  add(notice: Notice): void {
    this.#notices.set(notice.id, notice);
    this.#onAdd(notice);
  }

  list(): Notice[] {
    return [...this.#notices.values()];
  }

  dismiss(id: string): void {
    this.#notices.delete(id);
  }
}
