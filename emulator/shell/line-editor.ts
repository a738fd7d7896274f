/**
 * The editable input line (readline's job in a real terminal): a buffer, a cursor, a kill ring and history
 * navigation, and the terminal output that keeps the screen in step — including lines that wrap past the terminal
 * width. Pure state + escape sequences; the terminal session decides what keys mean.
 */

/** Longest prefix shared by all strings. */
export function commonPrefix(items: readonly string[]): string {
  if (items.length === 0) return '';
  let p = items[0]!;
  for (const s of items) {
    let i = 0;
    while (i < p.length && i < s.length && p[i] === s[i]) i++;
    p = p.slice(0, i);
  }
  return p;
}

export class LineEditor {
  buffer = '';
  cursor = 0;
  /** Columns taken by the prompt the line was drawn after. */
  #promptWidth = 0;
  #cols: number;
  #killed = '';
  #history: () => readonly string[];
  #histPos = -1;
  #draft = '';

  constructor(cols: number, history: () => readonly string[]) {
    this.#cols = Math.max(1, cols);
    this.#history = history;
  }

  /** A new width while the line is not on screen (a command is running): the next prompt is drawn with it. */
  set cols(cols: number) {
    this.#cols = Math.max(1, cols);
  }

  /**
   * The terminal became `cols` wide while the line is on screen: returns what redraws `prompt` + buffer for that
   * width, as readline does on SIGWINCH. xterm.js leaves the rows of the cursor's line as drawn (it does not reflow
   * them, `reflowCursorLine` being off): narrower cuts them, wider leaves holes where the old width wrapped, and the
   * cursor stays as many rows below the prompt's first row as it was at the old width. So: up those rows, clear,
   * draw again. A line that fits one row at both widths is untouched by the resize and is left alone.
   */
  resize(cols: number, prompt: string): string {
    const width = Math.max(1, cols);
    if (width === this.#cols) return '';
    const rowsUp = this.#row(this.cursor);
    const wrapsAtEitherWidth = this.#promptWidth + this.buffer.length >= Math.min(this.#cols, width);
    this.#cols = width;
    if (!wrapsAtEitherWidth) return '';
    return (rowsUp > 0 ? `\x1b[${rowsUp}A` : '') + '\r\x1b[J' + this.drawAll(prompt);
  }

  /**
   * Start a fresh line after a prompt of `promptWidth` columns (already written by the caller). Returns what to
   * write so that a prompt that exactly fills the row leaves the cursor on the next one.
   */
  reset(promptWidth: number): string {
    this.buffer = '';
    this.cursor = 0;
    this.#promptWidth = promptWidth;
    this.#histPos = -1;
    this.#draft = '';
    return this.#wrapFix(0, true);
  }

  /** Output that redraws prompt + buffer from scratch (after the screen was cleared or a listing printed). */
  drawAll(prompt: string): string {
    this.#promptWidth = prompt.length;
    return prompt + this.buffer + this.#wrapFix(this.buffer.length, true) + this.#move(this.buffer.length, this.cursor);
  }

  // -------------------------------------------------------------- editing

  insert(text: string): string {
    if (text === '') return '';
    const tail = this.buffer.slice(this.cursor);
    this.buffer = this.buffer.slice(0, this.cursor) + text + tail;
    this.cursor += text.length;
    if (tail === '') return text + this.#wrapFix(this.cursor);
    return this.#redrawFrom(this.cursor - text.length, this.cursor);
  }

  backspace(): string {
    if (this.cursor === 0) return '\x07';
    const at = this.cursor - 1;
    this.buffer = this.buffer.slice(0, at) + this.buffer.slice(this.cursor);
    if (this.cursor === this.buffer.length + 1 && this.#col(this.cursor) !== 0) {
      this.cursor = at;
      return '\b \b';
    }
    const out = this.#move(this.cursor, at);
    this.cursor = at;
    return out + this.#redrawFrom(at, at, true);
  }

  deleteForward(): string {
    if (this.cursor >= this.buffer.length) return '\x07';
    this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1);
    return this.#redrawFrom(this.cursor, this.cursor, true);
  }

  left(): string {
    return this.moveTo(this.cursor - 1);
  }

  right(): string {
    return this.moveTo(this.cursor + 1);
  }

  home(): string {
    return this.moveTo(0);
  }

  end(): string {
    return this.moveTo(this.buffer.length);
  }

  wordLeft(): string {
    let i = this.cursor;
    while (i > 0 && !/\w/.test(this.buffer[i - 1]!)) i--;
    while (i > 0 && /\w/.test(this.buffer[i - 1]!)) i--;
    return this.moveTo(i);
  }

  wordRight(): string {
    let i = this.cursor;
    while (i < this.buffer.length && !/\w/.test(this.buffer[i]!)) i++;
    while (i < this.buffer.length && /\w/.test(this.buffer[i]!)) i++;
    return this.moveTo(i);
  }

  moveTo(pos: number): string {
    const target = Math.max(0, Math.min(this.buffer.length, pos));
    const out = this.#move(this.cursor, target);
    this.cursor = target;
    return out;
  }

  /** Ctrl-U */
  killToStart(): string {
    if (this.cursor === 0) return '';
    this.#killed = this.buffer.slice(0, this.cursor);
    return this.#replace(this.buffer.slice(this.cursor), 0);
  }

  /** Ctrl-K */
  killToEnd(): string {
    if (this.cursor === this.buffer.length) return '';
    this.#killed = this.buffer.slice(this.cursor);
    return this.#replace(this.buffer.slice(0, this.cursor), this.cursor);
  }

  /** Ctrl-W: the whitespace-delimited word before the cursor (readline's unix-word-rubout). */
  killWordBack(): string {
    let i = this.cursor;
    while (i > 0 && this.buffer[i - 1] === ' ') i--;
    while (i > 0 && this.buffer[i - 1] !== ' ') i--;
    if (i === this.cursor) return '';
    this.#killed = this.buffer.slice(i, this.cursor);
    return this.#replace(this.buffer.slice(0, i) + this.buffer.slice(this.cursor), i);
  }

  /** Ctrl-Y */
  yank(): string {
    return this.insert(this.#killed);
  }

  /** Replace the whole buffer (history recall, completion) and put the cursor at `cursor` (default: end). */
  #replace(text: string, cursor = text.length): string {
    const out = this.#move(this.cursor, 0);
    this.buffer = text;
    this.cursor = 0;
    return out + this.#redrawFrom(0, cursor, true);
  }

  setBuffer(text: string, cursor = text.length): string {
    return this.#replace(text, cursor);
  }

  // -------------------------------------------------------------- history

  historyUp(): string {
    const h = this.#history();
    if (h.length === 0) return '\x07';
    if (this.#histPos === -1) {
      this.#draft = this.buffer;
      this.#histPos = h.length;
    }
    if (this.#histPos === 0) return '\x07';
    this.#histPos--;
    return this.#replace(recallText(h[this.#histPos]!));
  }

  /**
   * The whole history entry shown on the line, when it spans several lines (a heredoc) and the learner has not
   * changed its first line: Enter then runs all of it.
   */
  recalledEntry(): string | undefined {
    if (this.#histPos < 0) return undefined;
    const entry = this.#history()[this.#histPos];
    return entry !== undefined && entry.includes('\n') && recallText(entry) === this.buffer ? entry : undefined;
  }

  historyDown(): string {
    const h = this.#history();
    if (this.#histPos === -1) return '\x07';
    this.#histPos++;
    if (this.#histPos >= h.length) {
      this.#histPos = -1;
      return this.#replace(this.#draft);
    }
    return this.#replace(recallText(h[this.#histPos]!));
  }

  // -------------------------------------------------------------- drawing

  /** Move the terminal cursor to the end of the buffer (before Enter prints a newline). */
  toEnd(): string {
    return this.moveTo(this.buffer.length);
  }

  #col(pos: number): number {
    return (this.#promptWidth + pos) % this.#cols;
  }

  #row(pos: number): number {
    return Math.floor((this.#promptWidth + pos) / this.#cols);
  }

  /**
   * Terminals hold the cursor in the last column after a write fills the line; writing a space and `\r` forces
   * the wrap so that row arithmetic stays true (readline does the same).
   */
  #wrapFix(endPos: number, includePrompt = false): string {
    const written = includePrompt ? this.#promptWidth + endPos : endPos;
    return written > 0 && this.#col(endPos) === 0 ? ' \r' : '';
  }

  /** Cursor motion from buffer position `from` to `to`. */
  #move(from: number, to: number): string {
    if (from === to) return '';
    let out = '';
    const dr = this.#row(to) - this.#row(from);
    if (dr < 0) out += `\x1b[${-dr}A`;
    else if (dr > 0) out += `\x1b[${dr}B`;
    const dc = this.#col(to) - this.#col(from);
    if (dc < 0) out += dc === -1 ? '\b' : `\x1b[${-dc}D`;
    else if (dc > 0) out += `\x1b[${dc}C`;
    return out;
  }

  /**
   * Redraw from buffer position `from` (where the terminal cursor is, unless `cursorAt` says otherwise) to the end
   * of the buffer, clear what was left behind, and put the cursor at `to`.
   */
  #redrawFrom(from: number, to: number, clear = false): string {
    const tail = this.buffer.slice(from);
    let out = '';
    if (clear) out += '\x1b[J';
    out += tail + this.#wrapFix(this.buffer.length);
    if (!clear) out += '\x1b[K';
    out += this.#move(this.buffer.length, to);
    this.cursor = to;
    return out;
  }
}

/** A multi-line history entry (heredoc, loop typed over lines) is recalled by its first line. */
function recallText(entry: string): string {
  const nl = entry.indexOf('\n');
  return nl < 0 ? entry : entry.slice(0, nl);
}
