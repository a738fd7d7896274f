/**
 * Routes `terminal:output` pushes to the terminal that owns the session. A shell may print (its banner, its
 * prompt) while `terminal:open` is still answering, before the renderer knows the new session's id; those writes
 * are held and replayed once the id is known, so nothing the shell printed is lost.
 */
import type { TerminalOutputEvent } from '../../../main/contract';

export class OutputRouter {
  #sessionId: string | null = null;
  #held: TerminalOutputEvent[] = [];
  readonly #write: (data: string) => void;

  constructor(write: (data: string) => void) {
    this.#write = write;
  }

  /** Call for every push event, from before `terminal:open` is sent. */
  push(e: TerminalOutputEvent): void {
    if (this.#sessionId === null) this.#held.push(e);
    else if (e.sessionId === this.#sessionId) this.#write(e.data);
  }

  /**
   * The session is open: write `first` (the initial prompt, which a shell session does not emit itself), then
   * replay what it printed meanwhile; output of other sessions is dropped.
   */
  attach(sessionId: string, first = ''): void {
    this.#sessionId = sessionId;
    const held = this.#held;
    this.#held = [];
    if (first) this.#write(first);
    for (const e of held) if (e.sessionId === sessionId) this.#write(e.data);
  }

  get sessionId(): string | null {
    return this.#sessionId;
  }
}
