/**
 * A read-only window into the terminal for Playwright and the startup bench: what xterm.js shows (its buffer, as
 * text) and whether the session is ready for input. It changes nothing the learner can do.
 */
import type { Terminal } from '@xterm/xterm';

export interface KslTestHook {
  /** Every buffer line (scrollback included), right-trimmed, joined by `\n`, trailing blank lines dropped. */
  terminalText(): string;
  /** The same text with rows the terminal wrapped joined again: one entry per line written, whatever the width. */
  terminalLines(): string[];
  /** The line the cursor is on. */
  cursorLine(): string;
  readonly terminal: Terminal;
  sessionId(): string | null;
}

declare global {
  interface Window {
    __kslTest?: KslTestHook;
  }
}

export function bufferText(term: Terminal): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

export function logicalLines(term: Terminal): string[] {
  const buf = term.buffer.active;
  const lines: string[] = [];
  let rows = 0;
  for (let i = 0; i < buf.length; i++) {
    const row = buf.getLine(i);
    if (!row) continue;
    const text = row.translateToString(true);
    if (row.isWrapped && lines.length > 0) {
      // A wrapped row continues a full previous row: its trailing blanks were part of the line (trimmed above).
      lines[lines.length - 1] = lines[lines.length - 1]!.padEnd(rows * term.cols, ' ') + text;
      rows++;
    } else {
      lines.push(text);
      rows = 1;
    }
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function installTestHook(term: Terminal, sessionId: () => string | null): () => void {
  window.__kslTest = {
    terminal: term,
    terminalText: () => bufferText(term),
    terminalLines: () => logicalLines(term),
    cursorLine: () => term.buffer.active.getLine(term.buffer.active.baseY + term.buffer.active.cursorY)?.translateToString(true) ?? '',
    sessionId,
  };
  return () => {
    if (window.__kslTest?.terminal === term) delete window.__kslTest;
  };
}
