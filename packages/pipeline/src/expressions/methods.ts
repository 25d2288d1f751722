/** A value an expression produces. Arrays come only from `split`. */
export type Value = string | number | boolean | null | Value[];

/** An error while evaluating a well-formed expression, e.g. a method applied to the wrong type. */
export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
    this.name = 'EvaluationError';
  }
}

interface MethodSpec {
  min: number;
  max: number;
  apply(target: string, args: Value[]): Value;
}

function text(value: Value | undefined): string {
  return value === undefined ? '' : stringifyValue(value);
}

function integer(value: Value | undefined, name: string): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return number;
}

/**
 * String methods of the expression language, with Java's semantics where
 * Harness exposes java.lang.String, except that `split` and `replace` take
 * their argument literally, not as a regular expression.
 */
export const STRING_METHODS: Record<string, MethodSpec> = {
  replace: { min: 2, max: 2, apply: (target, args) => target.split(text(args[0])).join(text(args[1])) },
  replaceAll: {
    min: 2,
    max: 2,
    apply: (target, args) => target.replace(new RegExp(text(args[0]), 'g'), text(args[1])),
  },
  toLowerCase: { min: 0, max: 0, apply: (target) => target.toLowerCase() },
  toUpperCase: { min: 0, max: 0, apply: (target) => target.toUpperCase() },
  trim: { min: 0, max: 0, apply: (target) => target.trim() },
  length: { min: 0, max: 0, apply: (target) => target.length },
  isEmpty: { min: 0, max: 0, apply: (target) => target.length === 0 },
  substring: {
    min: 1,
    max: 2,
    apply: (target, args) => {
      const begin = integer(args[0], 'substring begin index');
      const end = args.length > 1 ? integer(args[1], 'substring end index') : target.length;
      if (begin < 0 || end > target.length || begin > end) {
        throw new Error(`substring(${begin}, ${end}) is out of range for a string of length ${target.length}`);
      }
      return target.substring(begin, end);
    },
  },
  split: { min: 1, max: 1, apply: (target, args) => target.split(text(args[0])) },
  indexOf: { min: 1, max: 1, apply: (target, args) => target.indexOf(text(args[0])) },
  lastIndexOf: { min: 1, max: 1, apply: (target, args) => target.lastIndexOf(text(args[0])) },
  contains: { min: 1, max: 1, apply: (target, args) => target.includes(text(args[0])) },
  startsWith: { min: 1, max: 1, apply: (target, args) => target.startsWith(text(args[0])) },
  endsWith: { min: 1, max: 1, apply: (target, args) => target.endsWith(text(args[0])) },
  equals: { min: 1, max: 1, apply: (target, args) => target === text(args[0]) },
  equalsIgnoreCase: { min: 1, max: 1, apply: (target, args) => target.toLowerCase() === text(args[0]).toLowerCase() },
  concat: { min: 1, max: 1, apply: (target, args) => target + text(args[0]) },
  charAt: {
    min: 1,
    max: 1,
    apply: (target, args) => {
      const index = integer(args[0], 'charAt index');
      if (index < 0 || index >= target.length) throw new Error(`charAt(${index}) is out of range for a string of length ${target.length}`);
      return target.charAt(index);
    },
  },
};

/** Methods on the arrays `split` returns. */
export const ARRAY_METHODS: Record<string, { min: number; max: number; apply(target: Value[], args: Value[]): Value }> = {
  size: { min: 0, max: 0, apply: (target) => target.length },
  length: { min: 0, max: 0, apply: (target) => target.length },
  contains: { min: 1, max: 1, apply: (target, args) => target.some((item) => stringifyValue(item) === text(args[0])) },
  join: { min: 1, max: 1, apply: (target, args) => target.map(stringifyValue).join(text(args[0])) },
};

export const METHOD_NAMES: readonly string[] = [...new Set([...Object.keys(STRING_METHODS), ...Object.keys(ARRAY_METHODS)])].sort();

/** Converts a value to the text substituted into a field: null prints as `null`, arrays comma-joined. */
export function stringifyValue(value: Value): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(stringifyValue).join(',');
  return String(value);
}
