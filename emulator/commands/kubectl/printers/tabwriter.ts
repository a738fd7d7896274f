/**
 * Go's text/tabwriter (with the RememberWidths flag of the fork kubectl vendors): tab-terminated cells, columns
 * aligned per "column block" (consecutive lines that have a cell in that column), cell width = text + padding,
 * at least `minwidth`; the last cell of a line is never padded. kubectl tables use (minwidth 6, padding 3);
 * `describe` uses (minwidth 0, padding 2).
 */

export interface TabwriterOptions {
  readonly minwidth: number;
  readonly padding: number;
  /** Keep column widths across flushes (kubectl `get -w` rows line up under the first header). */
  readonly rememberWidths?: boolean;
}

const width = (s: string) => (/^[\x00-\x7f]*$/.test(s) ? s.length : Array.from(s).length);

export class Tabwriter {
  readonly #opts: TabwriterOptions;
  #lines: string[][] = [];
  #partial = '';
  #remembered: number[] = [];

  constructor(opts: TabwriterOptions) {
    this.#opts = opts;
  }

  write(text: string): void {
    const all = this.#partial + text;
    const parts = all.split('\n');
    this.#partial = parts.pop()!;
    for (const line of parts) this.#lines.push(line.split('\t'));
  }

  /** Format everything written so far; returns the text. */
  flush(): string {
    if (this.#partial) {
      this.#lines.push(this.#partial.split('\t'));
      this.#partial = '';
      const out = this.#format();
      return out.slice(0, -1);
    }
    return this.#format();
  }

  #format(): string {
    const lines = this.#lines;
    this.#lines = [];
    const out: string[] = [];
    const widths: number[] = [];
    const emit = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const cells = lines[i]!;
        let s = '';
        cells.forEach((c, j) => {
          s += c;
          if (j < cells.length - 1 && j < widths.length) s += ' '.repeat(Math.max(0, widths[j]! - width(c)));
        });
        out.push(s);
      }
    };
    const format = (line0: number, line1: number): void => {
      const column = widths.length;
      let start = line0;
      for (let i = line0; i < line1; i++) {
        if (column >= lines[i]!.length - 1) continue;
        emit(start, i);
        start = i;
        let w = this.#opts.minwidth;
        for (; i < line1; i++) {
          const cells = lines[i]!;
          if (column >= cells.length - 1) break;
          w = Math.max(w, width(cells[column]!) + this.#opts.padding);
        }
        if (this.#opts.rememberWidths) {
          w = Math.max(w, this.#remembered[column] ?? 0);
          this.#remembered[column] = w;
        }
        widths.push(w);
        format(start, i);
        widths.pop();
        start = i;
        i--;
      }
      emit(start, line1);
    };
    format(0, lines.length);
    return out.map((l) => l + '\n').join('');
  }
}

/** Lay out rows as kubectl's table printer does (3-space gaps, min width 6). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const tw = new Tabwriter({ minwidth: 6, padding: 3 });
  for (const r of rows) tw.write(r.join('\t') + '\n');
  return tw.flush();
}
