import { ExpressionSyntaxError } from './ast.js';

export type TokenKind = 'identifier' | 'number' | 'string' | 'punctuator' | 'open' | 'close' | 'end';

export interface Token {
  kind: TokenKind;
  /** The punctuator or identifier text, the string's decoded value or the number's source. */
  text: string;
  start: number;
  end: number;
}

const PUNCTUATORS = ['==', '!=', '&&', '||', '<=', '>=', '<', '>', '!', '?', ':', '.', ',', '(', ')', '[', ']', '+', '-', '*', '/', '%'];
const ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', '"': '"', "'": "'", '/': '/',
};

function isIdentifierStart(char: string): boolean {
  return /[A-Za-z_$]/.test(char);
}

function isIdentifierPart(char: string): boolean {
  return /[A-Za-z0-9_$]/.test(char);
}

function readString(text: string, start: number): Token {
  const quote = text[start];
  let value = '';
  let index = start + 1;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === quote) return { kind: 'string', text: value, start, end: index + 1 };
    if (char === '\\' && text[index + 1] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
      value += String.fromCharCode(Number.parseInt(text.slice(index + 2, index + 6), 16));
      index += 6;
    } else if (char === '\\') {
      const next = text[index + 1];
      const escaped = next === undefined ? undefined : ESCAPES[next];
      if (escaped === undefined) throw new ExpressionSyntaxError(`invalid escape "\\${next ?? ''}" in string`, index);
      value += escaped;
      index += 2;
    } else {
      value += char;
      index += 1;
    }
  }
  throw new ExpressionSyntaxError(`unterminated string: expected a closing ${quote}`, start);
}

/**
 * Reads the token at `offset`. Inside `<+ ... >` (depth > 0) a `>` closes the
 * expression, as in Harness, so `>` and `>=` compare only at depth 0 (a `when`
 * condition outside any `<+ ... >`).
 */
export function readToken(text: string, offset: number, depth: number): Token {
  let start = offset;
  while (start < text.length && /\s/.test(text[start] ?? '')) start += 1;
  if (start >= text.length) return { kind: 'end', text: '', start, end: start };
  const char = text[start] ?? '';
  if (text.startsWith('<+', start)) return { kind: 'open', text: '<+', start, end: start + 2 };
  if (char === '>' && depth > 0) return { kind: 'close', text: '>', start, end: start + 1 };
  if (char === '"' || char === "'") return readString(text, start);
  if (/[0-9]/.test(char)) {
    const match = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(start)) ?? [''];
    return { kind: 'number', text: match[0], start, end: start + match[0].length };
  }
  if (isIdentifierStart(char)) {
    let end = start + 1;
    while (end < text.length && isIdentifierPart(text[end] ?? '')) end += 1;
    return { kind: 'identifier', text: text.slice(start, end), start, end };
  }
  const punctuator = PUNCTUATORS.find((candidate) => text.startsWith(candidate, start));
  if (punctuator !== undefined) return { kind: 'punctuator', text: punctuator, start, end: start + punctuator.length };
  throw new ExpressionSyntaxError(`unexpected character "${char}"`, start);
}

/** Names a token for an error message, e.g. `"=="` or `the end of the value`. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the value';
    case 'string':
      return 'a string';
    case 'number':
      return `the number ${token.text}`;
    default:
      return `"${token.text}"`;
  }
}
