/**
 * A read-only window into the terminal for Playwright and the startup bench: what xterm.js shows (its buffer, as
 * text) and whether the session is ready for input. It changes nothing the learner can do.
 */
import type { Terminal } from '@xterm/xterm';

export interface KslTestHook {
  /** Every buffer line (scrollback included), right-trimmed, joined by `\n`, trailing blank lines dropped. */
  terminalText(): string;
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

export function installTestHook(term: Terminal, sessionId: () => string | null): () => void {
  window.__kslTest = {
    terminal: term,
    terminalText: () => bufferText(term),
    cursorLine: () => term.buffer.active.getLine(term.buffer.active.baseY + term.buffer.active.cursorY)?.translateToString(true) ?? '',
    sessionId,
  };
  return () => {
    if (window.__kslTest?.terminal === term) delete window.__kslTest;
  };
}
