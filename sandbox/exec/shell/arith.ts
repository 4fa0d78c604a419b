/**
 * Shell arithmetic ($((...))): integers with C precedence, variables (read as arithmetic themselves, unset
 * meaning 0), assignments and ++/--. The expression text comes from an already expanded word: variable
 * values are read as numbers, never executed.
 */

export class ArithmeticError extends Error {}

type Token = { kind: 'num'; value: bigint } | { kind: 'name'; name: string } | { kind: 'op'; op: string };

const OPERATORS = [
  '<<=',
  '>>=',
  '**',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '^=',
  '|=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '&',
  '^',
  '|',
  '!',
  '~',
  '?',
  ':',
  '(',
  ')',
  '=',
  ',',
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const number = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?![A-Za-z0-9_])/.exec(text.slice(i));
    if (number !== null) {
      const literal = number[1] as string;
      const value = /^0[xX]/.test(literal)
        ? BigInt(literal)
        : literal.length > 1 && literal.startsWith('0')
          ? BigInt(`0o${literal.slice(1)}`)
          : BigInt(literal);
      tokens.push({ kind: 'num', value });
      i += literal.length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name !== null) {
      tokens.push({ kind: 'name', name: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
    if (op === undefined) {
      throw new ArithmeticError('arithmetic syntax error');
    }
    tokens.push({ kind: 'op', op });
    i += op.length;
  }
  return tokens;
}

const BINARY: Record<string, number> = {
  ',': 1,
  '||': 4,
  '&&': 5,
  '|': 6,
  '^': 7,
  '&': 8,
  '==': 9,
  '!=': 9,
  '<': 10,
  '<=': 10,
  '>': 10,
  '>=': 10,
  '<<': 11,
  '>>': 11,
  '+': 12,
  '-': 12,
  '*': 13,
  '/': 13,
  '%': 13,
  '**': 14,
};

const ASSIGNMENT = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '^=', '|=']);

export interface ArithmeticHost {
  lookup(name: string): string | undefined;
  assign(name: string, value: string): void;
}

const toInt64 = (value: bigint): bigint => BigInt.asIntN(64, value);

export function evaluateArithmetic(text: string, host: ArithmeticHost, depth = 0): bigint {
  if (depth > 20) {
    throw new ArithmeticError('expression recursion level exceeded');
  }
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (op: string): boolean => {
    const token = peek();
    return token !== undefined && token.kind === 'op' && token.op === op;
  };
  const syntaxError = (): never => {
    throw new ArithmeticError('arithmetic syntax error');
  };
  const variable = (name: string): bigint => {
    const value = host.lookup(name);
    if (value === undefined || value.trim() === '') {
      return 0n;
    }
    return evaluateArithmetic(value, host, depth + 1);
  };
  const binary = (op: string, a: bigint, b: bigint): bigint => {
    switch (op) {
      case '+':
        return toInt64(a + b);
      case '-':
        return toInt64(a - b);
      case '*':
        return toInt64(a * b);
      case '/':
      case '%':
        if (b === 0n) {
          throw new ArithmeticError('division by zero');
        }
        return op === '/' ? a / b : a % b;
      case '**':
        if (b < 0n) {
          throw new ArithmeticError('exponent less than 0');
        }
        return toInt64(a ** b);
      case '<<':
        return toInt64(a << b);
      case '>>':
        return a >> b;
      case '<':
        return a < b ? 1n : 0n;
      case '<=':
        return a <= b ? 1n : 0n;
      case '>':
        return a > b ? 1n : 0n;
      case '>=':
        return a >= b ? 1n : 0n;
      case '==':
        return a === b ? 1n : 0n;
      case '!=':
        return a !== b ? 1n : 0n;
      case '&':
        return a & b;
      case '^':
        return a ^ b;
      case '|':
        return a | b;
      case ',':
        return b;
      default:
        return syntaxError();
    }
  };
  const unary = (): bigint => {
    const token = peek();
    if (token === undefined) {
      return syntaxError();
    }
    if (token.kind === 'op') {
      if (token.op === '(') {
        pos++;
        const value = expression(0);
        if (!isOp(')')) {
          syntaxError();
        }
        pos++;
        return value;
      }
      if (token.op === '-' || token.op === '+' || token.op === '!' || token.op === '~') {
        pos++;
        const value = unary();
        return token.op === '-'
          ? toInt64(-value)
          : token.op === '+'
            ? value
            : token.op === '!'
              ? value === 0n
                ? 1n
                : 0n
              : ~value;
      }
      if (token.op === '++' || token.op === '--') {
        pos++;
        const target = peek();
        if (target === undefined || target.kind !== 'name') {
          return syntaxError();
        }
        pos++;
        const value = toInt64(variable(target.name) + (token.op === '++' ? 1n : -1n));
        host.assign(target.name, String(value));
        return value;
      }
      return syntaxError();
    }
    pos++;
    if (token.kind === 'num') {
      return token.value;
    }
    const next = peek();
    if (next !== undefined && next.kind === 'op' && (next.op === '++' || next.op === '--')) {
      pos++;
      const value = variable(token.name);
      host.assign(token.name, String(toInt64(value + (next.op === '++' ? 1n : -1n))));
      return value;
    }
    if (next !== undefined && next.kind === 'op' && ASSIGNMENT.has(next.op)) {
      pos++;
      const right = expression(2);
      const value = next.op === '=' ? right : binary(next.op.slice(0, -1), variable(token.name), right);
      host.assign(token.name, String(value));
      return value;
    }
    return variable(token.name);
  };
  const expression = (minPrecedence: number): bigint => {
    let left = unary();
    for (;;) {
      const token = peek();
      if (token === undefined || token.kind !== 'op') {
        return left;
      }
      if (token.op === '?' && minPrecedence <= 3) {
        pos++;
        const whenTrue = expression(0);
        if (!isOp(':')) {
          syntaxError();
        }
        pos++;
        const whenFalse = expression(3);
        left = left !== 0n ? whenTrue : whenFalse;
        continue;
      }
      const precedence = BINARY[token.op];
      if (precedence === undefined || precedence < minPrecedence) {
        return left;
      }
      pos++;
      if (token.op === '&&' || token.op === '||') {
        const right = expression(precedence + 1);
        left =
          token.op === '&&' ? (left !== 0n && right !== 0n ? 1n : 0n) : left !== 0n || right !== 0n ? 1n : 0n;
        continue;
      }
      const right = expression(token.op === '**' ? precedence : precedence + 1);
      left = binary(token.op, left, right);
    }
  };
  if (tokens.length === 0) {
    return 0n;
  }
  const result = expression(0);
  if (pos < tokens.length) {
    syntaxError();
  }
  return result;
}
