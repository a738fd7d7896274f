/**
 * Holds a terminal resize back while keystrokes are on their way to the shell. The shell lays out the echo of a key
 * (the line editor's cursor moves, the wrap it forces at a row's end) for the width it knows when the key arrives;
 * drawn by a terminal that changed width in between, those moves land on the wrong cells and the redraw the shell
 * sends on the resize starts from a row it did not expect. So the width changes only between echoes: a fit asked for
 * while keys are in flight runs once the last of them has been answered and what it printed is on screen.
 */
export class ResizeGate {
  #keysInFlight = 0;
  #fitDeferred = false;
  readonly #fit: () => void;

  constructor(fit: () => void) {
    this.#fit = fit;
  }

  /** The terminal's container changed size (or its font did): fit now, or when no key is in flight. */
  requestFit(): void {
    if (this.#keysInFlight > 0) this.#fitDeferred = true;
    else this.#fit();
  }

  /** A key is sent to the shell. Call the result once its answer came and the output before that answer is drawn. */
  keySent(): () => void {
    this.#keysInFlight++;
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      this.#keysInFlight--;
      if (this.#keysInFlight === 0 && this.#fitDeferred) {
        this.#fitDeferred = false;
        this.#fit();
      }
    };
  }
}
