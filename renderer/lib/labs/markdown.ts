/**
 * The small Markdown subset lab steps are written in, parsed into plain blocks the panel renders with Svelte
 * elements (never `{@html}`: lab text and parameters are data, not markup). Headings, paragraphs, bullet and
 * numbered lists, block quotes, fenced code (```bash fences become clickable command snippets), and inline
 * `code`, **strong**, *emphasis* and [links](url).
 */
import { extractSnippets } from '../../../labs/engine/params';

export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong'; readonly text: string }
  | { readonly kind: 'em'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

export type Block =
  | { readonly kind: 'heading'; readonly level: number; readonly inline: readonly Inline[] }
  | { readonly kind: 'paragraph'; readonly inline: readonly Inline[] }
  | { readonly kind: 'quote'; readonly inline: readonly Inline[] }
  | { readonly kind: 'list'; readonly ordered: boolean; readonly items: readonly (readonly Inline[])[] }
  /** `commands`: one runnable line per entry (shell fences); other fences are shown as text. */
  | { readonly kind: 'code'; readonly lang: string; readonly text: string; readonly commands: readonly string[] };

const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console', '']);
const INLINE_RE = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE_RE)) {
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ kind: 'code', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'strong', text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'em', text: m[3] });
    else out.push({ kind: 'link', text: m[4]!, href: m[5]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** Command lines of a shell fence, split exactly as the engine's snippets (heredocs stay one snippet). */
export function commandLines(code: string): string[] {
  return extractSnippets('```bash\n' + code + '\n```\n');
}

export function parseMarkdown(md: string): Block[] {
  const blocks: Block[] = [];
  const lines = md.replace(/\r\n/g, '\n').split('\n');
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ kind: 'paragraph', inline: parseInline(para.join(' ')) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!); i++) body.push(lines[i]!);
      const lang = fence[2]!.toLowerCase();
      const text = body.join('\n');
      blocks.push({ kind: 'code', lang, text, commands: SHELL_LANGS.has(lang) ? commandLines(text) : [] });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]!.length, inline: parseInline(heading[2]!.trim()) });
      continue;
    }
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[1]!);
      const items: Inline[][] = [parseInline(item[2]!)];
      while (i + 1 < lines.length) {
        const next = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i + 1]!);
        if (next && /\d/.test(next[1]!) === ordered) {
          items.push(parseInline(next[2]!));
          i++;
        } else if (lines[i + 1]!.startsWith('  ') && lines[i + 1]!.trim() !== '' && !/^\s*(```|~~~)/.test(lines[i + 1]!)) {
          // A continuation line of the previous item.
          const prev = items.pop()!;
          items.push([...prev, { kind: 'text', text: ' ' }, ...parseInline(lines[i + 1]!.trim())]);
          i++;
        } else break;
      }
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    if (line.startsWith('>')) {
      flush();
      const quote: string[] = [line.replace(/^>\s?/, '')];
      while (i + 1 < lines.length && lines[i + 1]!.startsWith('>')) quote.push(lines[++i]!.replace(/^>\s?/, ''));
      blocks.push({ kind: 'quote', inline: parseInline(quote.join(' ')) });
      continue;
    }
    if (line.trim() === '') flush();
    else para.push(line.trim());
  }
  flush();
  return blocks;
}
