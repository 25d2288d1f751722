import { didYouMean } from '../suggest.js';
import { ExpressionSyntaxError } from './ast.js';

/** A runtime input placeholder: `<+input>` with its optional methods. */
export interface RuntimeInput {
  default?: string;
  /** From `.allowedValues(a,b)` or `.selectOneFrom(a,b)`. */
  allowedValues?: string[];
  regex?: string;
  /** `.executionInput()`: Harness asks for it mid-run; kiln asks for it at start like any input. */
  executionInput: boolean;
}

const RUNTIME_INPUT = '<+input>';
const METHODS: Record<string, { min: number; max: number }> = {
  default: { min: 1, max: 1 },
  allowedValues: { min: 1, max: Number.POSITIVE_INFINITY },
  selectOneFrom: { min: 1, max: Number.POSITIVE_INFINITY },
  executionInput: { min: 0, max: 0 },
  regex: { min: 1, max: 1 },
};

/** Returns true when the whole value is a runtime input (`<+input>` possibly followed by methods). */
export function isRuntimeInput(text: string): boolean {
  return text.trim().startsWith(RUNTIME_INPUT);
}

/** Splits `a, "b,c", d` into arguments; quotes keep commas, unquoted arguments are trimmed. */
function splitArguments(text: string, offset: number): string[] {
  if (text.trim() === '') return [];
  const args: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ',') {
      args.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (quote !== undefined) throw new ExpressionSyntaxError(`unterminated string: expected a closing ${quote}`, offset);
  args.push(current.trim());
  return args;
}

/** Finds the `)` that closes the `(` at `open`, skipping quoted text and nested parentheses. */
function findClose(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let index = open; index < text.length; index += 1) {
    const char = text[index];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new ExpressionSyntaxError('expected ")" to close the arguments', open);
}

function applyMethod(input: RuntimeInput, method: string, args: string[]): void {
  if (method === 'default') input.default = args[0];
  else if (method === 'allowedValues' || method === 'selectOneFrom') input.allowedValues = args;
  else if (method === 'regex') input.regex = args[0];
  else input.executionInput = true;
}

/**
 * Parses `<+input>.default(x).allowedValues(a,b)` and the other runtime input
 * methods. Arguments may be quoted or not, as in Harness. Throws only
 * ExpressionSyntaxError with an offset into `text`.
 */
export function parseRuntimeInput(text: string): RuntimeInput {
  const leading = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  const input: RuntimeInput = { executionInput: false };
  let position = leading + RUNTIME_INPUT.length;
  while (position < end) {
    if (text[position] !== '.') {
      throw new ExpressionSyntaxError(
        `unexpected "${text[position] ?? ''}" after <+input>: a runtime input must be the whole value, optionally followed by .default(...) or .allowedValues(...)`,
        position,
      );
    }
    const match = /^[A-Za-z_]\w*/.exec(text.slice(position + 1));
    const method = match?.[0] ?? '';
    const rule = METHODS[method];
    if (rule === undefined) {
      throw new ExpressionSyntaxError(
        `unknown runtime input method "${method}"${didYouMean(method, Object.keys(METHODS))}; known methods: ${Object.keys(METHODS).join(', ')}`,
        position + 1,
      );
    }
    const open = position + 1 + method.length;
    if (text[open] !== '(') throw new ExpressionSyntaxError(`expected "(" after .${method}`, open);
    const close = findClose(text, open);
    const args = splitArguments(text.slice(open + 1, close), open + 1);
    if (args.length < rule.min || args.length > rule.max) {
      const expected = rule.max === rule.min ? `${rule.min}` : `at least ${rule.min}`;
      throw new ExpressionSyntaxError(`.${method}() takes ${expected} argument(s), got ${args.length}`, open);
    }
    applyMethod(input, method, args);
    position = close + 1;
  }
  return input;
}
