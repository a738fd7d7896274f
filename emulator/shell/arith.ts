/**
 * `$(( … ))`: integer arithmetic as bash does it (64-bit in bash; JavaScript numbers truncated to integers here,
 * which is exact for the loop counters and sums learners write).
 */

export class ArithError extends Error {}

type Tok = { t: 'num'; v: number } | { t: 'name'; v: string } | { t: 'op'; v: string };

const OPS = ['**', '<=', '>=', '==', '!=', '&&', '||', '<<', '>>', '+', '-', '*', '/', '%', '<', '>', '!', '~', '&', '|', '^', '(', ')'];

function tokenize(expr: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    const num = /^(0x[0-9a-fA-F]+|\d+)/.exec(expr.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^\$?\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(expr.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[1]! });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => expr.startsWith(o, i));
    if (!op) throw new ArithError(errorAt(expr.slice(i)));
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

function errorAt(rest: string): string {
  return `syntax error: invalid arithmetic operator (error token is "${rest}")`;
}

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10, '**': 11,
};

/** Evaluate `expr`; `lookup` gives a variable's text (unset = empty = 0). */
export function evaluateArithmetic(expr: string, lookup: (name: string) => string | undefined): number {
  const toks = tokenize(expr);
  if (toks.length === 0) return 0;
  let i = 0;
  const restText = (): string =>
    toks
      .slice(i)
      .map((t) => String(t.v))
      .join(' ');

  const varValue = (name: string, depth: number): number => {
    const raw = (lookup(name) ?? '').trim();
    if (raw === '') return 0;
    if (/^-?\d+$/.test(raw)) return Number(raw);
    if (depth > 8) throw new ArithError('expression recursion level exceeded');
    return evaluateArithmetic(raw, lookup);
  };

  const primary = (): number => {
    const t = toks[i];
    if (!t) throw new ArithError(`syntax error: operand expected (error token is "${restText()}")`);
    if (t.t === 'num') {
      i++;
      return t.v;
    }
    if (t.t === 'name') {
      i++;
      return varValue(t.v, 0);
    }
    if (t.v === '(') {
      i++;
      const v = binary(0);
      if (toks[i]?.v !== ')') throw new ArithError(`syntax error: missing \`)' (error token is "${restText()}")`);
      i++;
      return v;
    }
    if (t.v === '-' || t.v === '+' || t.v === '!' || t.v === '~') {
      i++;
      const v = primary();
      return t.v === '-' ? -v : t.v === '+' ? v : t.v === '!' ? (v === 0 ? 1 : 0) : ~v;
    }
    throw new ArithError(`syntax error: operand expected (error token is "${restText()}")`);
  };

  const binary = (minPrec: number): number => {
    let left = primary();
    for (;;) {
      const t = toks[i];
      if (!t || t.t !== 'op') break;
      const prec = BINARY[t.v];
      if (prec === undefined || prec < minPrec) break;
      i++;
      const right = binary(t.v === '**' ? prec : prec + 1);
      left = apply(t.v, left, right);
    }
    return left;
  };

  const v = binary(0);
  if (i < toks.length) throw new ArithError(`syntax error in expression (error token is "${restText()}")`);
  return v;
}

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/':
      if (b === 0) throw new ArithError('division by 0 (error token is "0")');
      return Math.trunc(a / b);
    case '%':
      if (b === 0) throw new ArithError('division by 0 (error token is "0")');
      return a % b;
    case '**': return a ** b;
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '&&': return a !== 0 && b !== 0 ? 1 : 0;
    case '||': return a !== 0 || b !== 0 ? 1 : 0;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '<<': return a << b;
    case '>>': return a >> b;
    default: throw new ArithError(`syntax error: invalid arithmetic operator (error token is "${op}")`);
  }
}
