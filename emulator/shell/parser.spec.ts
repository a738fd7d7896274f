import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Command, SimpleCommand, Word } from './ast';
import { checkComplete, IncompleteInputError, parse, ShellSyntaxError } from './parser';

function only(src: string): Command {
  const list = parse(src).list;
  expect(list.items).toHaveLength(1);
  const p = list.items[0]!.andOr.first;
  expect(p.commands).toHaveLength(1);
  return p.commands[0]!;
}

function simple(src: string): SimpleCommand {
  const c = only(src);
  if (c.kind !== 'simple') throw new Error(`expected a simple command, got ${c.kind}`);
  return c;
}

/** The literal text of a word that has no expansions. */
function lit(w: Word): string {
  return w.parts.map((p) => (p.kind === 'literal' ? p.text : `<${p.kind}>`)).join('');
}

describe('parser: words and quoting', () => {
  it('splits words on blanks and keeps quoted blanks', () => {
    const c = simple(`echo  a "b c" 'd  e' f\\ g`);
    expect(c.words.map(lit)).toEqual(['echo', 'a', 'b c', 'd  e', 'f g']);
  });

  it('marks quoted parts so they escape splitting and globbing', () => {
    const c = simple(`ls "*.yaml" *.yaml`);
    expect(c.words[1]!.parts.every((p) => p.quoted)).toBe(true);
    expect(c.words[2]!.parts.some((p) => !p.quoted)).toBe(true);
  });

  it('keeps "" as an empty word', () => {
    const c = simple(`echo "" x`);
    expect(c.words.map(lit)).toEqual(['echo', '', 'x']);
  });

  it('handles backslashes inside double quotes as POSIX says', () => {
    const c = simple(`echo "a\\"b \\$x \\n"`);
    expect(lit(c.words[1]!)).toBe('a"b $x \\n');
  });

  it('parses $VAR, ${VAR}, $?, ${VAR:-default}, ${#VAR}', () => {
    const c = simple('echo $HOME ${USER}x $? ${X:-def} ${#PATH}');
    const kinds = c.words.slice(1).map((w) => w.parts.map((p) => (p.kind === 'param' ? p.param : p.kind)));
    expect(kinds[0]).toEqual([{ name: 'HOME' }]);
    expect(kinds[1]![0]).toEqual({ name: 'USER' });
    expect(kinds[2]).toEqual([{ name: '?' }]);
    expect((kinds[3]![0] as { op: string }).op).toBe(':-');
    expect(kinds[4]).toEqual([{ name: 'PATH', length: true }]);
  });

  it('parses $(…) with nested quotes and parentheses, and backticks', () => {
    const c = simple('echo "$(echo "a)b" | wc -c)" `date`');
    const sub = c.words[1]!.parts[0]!;
    expect(sub.kind).toBe('command');
    if (sub.kind === 'command') expect(sub.body.items[0]!.andOr.first.commands).toHaveLength(2);
    expect(c.words[2]!.parts[0]!.kind).toBe('command');
  });

  it('parses $(( arithmetic ))', () => {
    const c = simple('echo $((1 + (2 * 3)))');
    expect(c.words[1]!.parts[0]).toEqual({ kind: 'arith', expr: '1 + (2 * 3)', quoted: false });
  });

  it('treats NAME=value before the command as an assignment only', () => {
    const c = simple('A=1 B="x y" env C=2');
    expect(c.assignments.map((a) => [a.name, lit(a.value)])).toEqual([
      ['A', '1'],
      ['B', 'x y'],
    ]);
    expect(c.words.map(lit)).toEqual(['env', 'C=2']);
  });

  it('ignores comments but not # inside words', () => {
    const c = simple('echo a#b # a comment');
    expect(c.words.map(lit)).toEqual(['echo', 'a#b']);
    expect(parse('# only a comment').list.items).toHaveLength(0);
  });
});

describe('parser: lists, pipelines, compound commands', () => {
  it('parses ; && || and pipes with the right structure', () => {
    const list = parse('a | b | c && d || e; f').list;
    expect(list.items).toHaveLength(2);
    const ao = list.items[0]!.andOr;
    expect(ao.first.commands).toHaveLength(3);
    expect(ao.rest.map((r) => r.op)).toEqual(['&&', '||']);
  });

  it('parses for loops on one line and over several lines', () => {
    for (const src of ['for i in $(seq 1 10); do echo $i; done', 'for i in a b\ndo\n  echo $i\ndone', 'for x in 1 2 3\ndo echo $x; done']) {
      const c = only(src);
      expect(c.kind).toBe('for');
    }
    const c = only('for i in a "b c"; do echo $i; done');
    if (c.kind !== 'for') throw new Error('not a for loop');
    expect(c.variable).toBe('i');
    expect(c.items!.map(lit)).toEqual(['a', 'b c']);
  });

  it('parses while, until, if/elif/else, groups and subshells', () => {
    expect(only('while true; do sleep 1; done').kind).toBe('while');
    expect(only('until false; do break; done').kind).toBe('while');
    const i = only('if a; then b; elif c; then d; else e; fi');
    if (i.kind !== 'if') throw new Error('not if');
    expect(i.clauses).toHaveLength(2);
    expect(i.elseBody).toBeDefined();
    expect(only('{ a; b; }').kind).toBe('group');
    expect(only('(cd /tmp; ls)').kind).toBe('group');
  });

  it('allows reserved words as ordinary arguments', () => {
    expect(simple('echo done for if').words.map(lit)).toEqual(['echo', 'done', 'for', 'if']);
  });
});

describe('parser: redirects and heredocs', () => {
  it('parses > >> < 2> 2>&1 &> with their fds', () => {
    const c = simple('cmd >out 2>>err <in 2>&1 &>all');
    expect(c.redirects.map((r) => [r.fd, r.op, r.target && lit(r.target)])).toEqual([
      [1, '>', 'out'],
      [2, '>>', 'err'],
      [0, '<', 'in'],
      [2, '>&', '1'],
      [1, '&>', 'all'],
    ]);
  });

  it('reads a heredoc body after the line, with the pipe that follows the operator', () => {
    const list = parse('cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Service\nEOF\necho next\n').list;
    expect(list.items).toHaveLength(2);
    const p = list.items[0]!.andOr.first;
    expect(p.commands).toHaveLength(2);
    const h = (p.commands[0] as SimpleCommand).redirects[0]!.heredoc!;
    expect(h.raw).toBe('apiVersion: v1\nkind: Service\n');
    expect(h.expand).toBe(true);
  });

  it("takes a quoted delimiter's body literally and strips tabs for <<-", () => {
    const q = simple("cat <<'EOF'\n$HOME\nEOF\n").redirects[0]!.heredoc!;
    expect(q.expand).toBe(false);
    expect(q.raw).toBe('$HOME\n');
    const t = simple('cat <<-END\n\tindented\n\tEND\n').redirects[0]!.heredoc!;
    expect(t.raw).toBe('indented\n');
  });

  it('parses `cat > file <<EOF`', () => {
    const c = simple('cat > svc.yaml <<EOF\nkind: Service\nEOF\n');
    expect(c.redirects.map((r) => r.op)).toEqual(['>', '<<']);
    expect(c.redirects[1]!.heredoc!.raw).toBe('kind: Service\n');
  });

  it('ends a heredoc at end of file with bash\'s warning when asked to', () => {
    const r = parse('cat <<EOF\nhello\n', { heredocAtEof: 'terminate' });
    expect(r.warnings).toEqual(["warning: here-document at line 1 delimited by end-of-file (wanted `EOF')"]);
    expect((r.list.items[0]!.andOr.first.commands[0] as SimpleCommand).redirects[0]!.heredoc!.raw).toBe('hello\n');
  });
});

describe('parser: incomplete input and syntax errors', () => {
  it.each([
    ['echo "abc', 'quote'],
    ["echo 'abc", 'quote'],
    ['ls |', 'continuation'],
    ['true &&', 'continuation'],
    ['for i in 1 2; do', 'compound'],
    ['for i in 1 2; do echo $i', 'compound'],
    ['cat <<EOF', 'heredoc'],
    ['cat <<EOF\nline', 'heredoc'],
    ['echo $(date', 'compound'],
    ['echo a \\', 'continuation'],
  ])('%j needs more input (%s)', (src, reason) => {
    try {
      parse(src + '\n');
      expect.unreachable(`parsed: ${src}`);
    } catch (e) {
      expect(e).toBeInstanceOf(IncompleteInputError);
      expect((e as IncompleteInputError).reason).toBe(reason);
    }
    expect(checkComplete(src + '\n')).toBe('incomplete');
  });

  it.each([
    ['&& ls', '&&'],
    ['ls ; ;', ';'],
    ['echo )', ')'],
    ['echo >', 'newline'],
    ['done', 'done'],
    ['fi', 'fi'],
    ['for i in 1; do done', 'done'],
    ['| grep x', '|'],
  ])('%j is a syntax error near %j', (src, token) => {
    try {
      parse(src + '\n');
      expect.unreachable(`parsed: ${src}`);
    } catch (e) {
      expect(e).toBeInstanceOf(ShellSyntaxError);
      expect((e as Error).message).toBe(`syntax error near unexpected token \`${token}'`);
    }
  });
});

describe('parser: properties', () => {
  /** Quote any string for the shell the way `printf %q`-like tools do with single quotes. */
  const singleQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const doubleQuote = (s: string) => `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
  const text = fc.string({ unit: fc.constantFrom(...'ab \t$`"\'\\|;&()<>*?#~{}=\n!'.split('')), maxLength: 30 });

  it('single-quoting any text gives back exactly that text as one word', () => {
    fc.assert(
      fc.property(text, (s) => {
        const c = simple('echo ' + singleQuote(s));
        expect(c.words.map(lit)).toEqual(['echo', s]);
      }),
    );
  });

  it('double-quoting with \\ escapes gives back exactly that text as one word', () => {
    fc.assert(
      fc.property(text, (s) => {
        const c = simple('echo ' + doubleQuote(s));
        expect(c.words.map(lit)).toEqual(['echo', s]);
      }),
    );
  });

  it('every prefix of a valid command line is complete, incomplete or an error — never a crash', () => {
    const line = 'for i in $(seq 1 3); do echo "n=$i" | grep -c n && cat <<EOF\nx $i\nEOF\ndone\n';
    for (let i = 0; i <= line.length; i++) {
      expect(['complete', 'incomplete', 'error']).toContain(checkComplete(line.slice(0, i)));
    }
  });

  it('a list of plain words joined by ; parses into that many commands', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { minLength: 1, maxLength: 8 }), (words) => {
        const reserved = new Set(['for', 'in', 'do', 'done', 'while', 'until', 'if', 'then', 'elif', 'else', 'fi']);
        fc.pre(words.every((w) => !reserved.has(w)));
        const list = parse(words.join('; ')).list;
        expect(list.items.map((i) => lit((i.andOr.first.commands[0] as SimpleCommand).words[0]!))).toEqual(words);
      }),
    );
  });
});
