import { describe, expect, it } from 'vitest';
import { commandLines, parseInline, parseMarkdown } from './markdown';

describe('lab Markdown', () => {
  it('parses headings, paragraphs, lists, quotes and inline marks', () => {
    const blocks = parseMarkdown('# Title `x`\n\nOne **bold** and *em*\nwrapped [docs](https://k8s.io).\n\n- a\n- `b`\n\n1. first\n2. second\n\n> note');
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'list', 'quote']);
    expect(blocks[1]).toEqual({
      kind: 'paragraph',
      inline: [
        { kind: 'text', text: 'One ' },
        { kind: 'strong', text: 'bold' },
        { kind: 'text', text: ' and ' },
        { kind: 'em', text: 'em' },
        { kind: 'text', text: ' wrapped ' },
        { kind: 'link', text: 'docs', href: 'https://k8s.io' },
        { kind: 'text', text: '.' },
      ],
    });
    expect(blocks[3]).toMatchObject({ kind: 'list', ordered: true, items: [[{ text: 'first' }], [{ text: 'second' }]] });
  });

  it('turns shell fences into command snippets (comments dropped, continuations joined, heredocs whole) and leaves other fences as text', () => {
    const md = '```bash\n# look first\nkubectl get svc\nkubectl expose deployment web \\\n  --port=80\ncat <<EOF > a.yaml\nkind: Service\nEOF\n```\n\n```yaml\nkind: Service\n```';
    const [shell, yaml] = parseMarkdown(md);
    expect(shell).toMatchObject({ kind: 'code', lang: 'bash', commands: ['kubectl get svc', 'kubectl expose deployment web --port=80', 'cat <<EOF > a.yaml\nkind: Service\nEOF'] });
    expect(yaml).toMatchObject({ kind: 'code', lang: 'yaml', commands: [], text: 'kind: Service' });
    expect(commandLines('$ kubectl get pods')).toEqual(['kubectl get pods']);
  });

  it('keeps markup characters as text (nothing becomes HTML)', () => {
    expect(parseInline('<img src=x onerror=alert(1)>')).toEqual([{ kind: 'text', text: '<img src=x onerror=alert(1)>' }]);
  });
});
