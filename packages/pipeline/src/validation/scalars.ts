import { isScalar, type Node, type Scalar } from 'yaml';
import { DURATION_HINT, parseDuration } from '../duration.js';
import { identifierError } from '../identifiers.js';
import { ExpressionSyntaxError, type Expr } from '../expressions/ast.js';
import { hasExpression, parseCondition, parseTemplate } from '../expressions/parser.js';
import { isRuntimeInput, parseRuntimeInput } from '../expressions/runtime-input.js';
import { didYouMean } from '../suggest.js';
import type { BooleanSchema, NumberSchema, StringSchema } from '../schema/types.js';
import { describeNode, type ValidationContext } from './context.js';

/** Where a value sits: its YAML path and the field name used in messages. */
export interface Location {
  path: string;
  field: string;
}

function wrongType(ctx: ValidationContext, node: Node | null, location: Location, expected: string, anchor?: Node | null): void {
  ctx.report(
    'WRONG_TYPE',
    `"${location.field}" must be ${expected}, but is ${describeNode(node)}`,
    location.path,
    ctx.positionOf(node, anchor),
  );
}

/** Parses the expressions in a string value, reporting a syntax error at its exact position. Returns false on error. */
export function checkExpressions(ctx: ValidationContext, node: Node, value: string, location: Location, asCondition: boolean): boolean {
  try {
    if (asCondition) {
      const expression = parseCondition(value);
      ctx.expressionUses.push({ path: location.path, node, value, expressions: [expression] });
      return true;
    }
    if (isRuntimeInput(value)) {
      parseRuntimeInput(value);
      return true;
    }
    const segments = parseTemplate(value);
    const expressions: Expr[] = [];
    for (const segment of segments) if (segment.kind === 'expression') expressions.push(segment.expression);
    ctx.expressionUses.push({ path: location.path, node, value, expressions, segments });
    return true;
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    const shown = value.length > 80 ? `${value.slice(0, 80)}...` : value;
    ctx.report(
      'INVALID_EXPRESSION',
      `invalid expression in "${location.field}": ${error.message} (in ${JSON.stringify(shown)})`,
      location.path,
      ctx.positionInScalar(node, error.offset),
    );
    return false;
  }
}

/** Returns true when the whole value is one expression or a runtime input, which stands for any literal. */
export function isWholeExpression(value: string): boolean {
  const trimmed = value.trim();
  if (isRuntimeInput(trimmed)) return true;
  if (!trimmed.startsWith('<+')) return false;
  try {
    const segments = parseTemplate(trimmed);
    return segments.length === 1 && segments[0]?.kind === 'expression';
  } catch {
    return true;
  }
}

function scalarText(node: Scalar): string | undefined {
  if (typeof node.value === 'string') return node.value;
  if (typeof node.value === 'number' || typeof node.value === 'boolean') return node.source ?? String(node.value);
  return undefined;
}

function checkFormat(ctx: ValidationContext, schema: StringSchema, node: Node, value: string, location: Location): void {
  if (schema.format === 'identifier' || schema.format === 'variableName') {
    const message = identifierError(value);
    if (message !== undefined && (schema.format === 'identifier' || !message.includes('reserved'))) {
      ctx.report('INVALID_IDENTIFIER', message, location.path, ctx.positionOf(node));
      return;
    }
  }
  if (schema.format === 'duration' && parseDuration(value) === undefined) {
    ctx.report('INVALID_DURATION', `invalid duration "${value}" for "${location.field}": ${DURATION_HINT}`, location.path, ctx.positionOf(node));
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    ctx.report(
      'INVALID_VALUE',
      `invalid value "${value}" for "${location.field}"${didYouMean(value, schema.enum)}; allowed values: ${schema.enum.join(', ')}`,
      location.path,
      ctx.positionOf(node),
    );
  }
  if (schema.scope !== undefined) {
    const first = ctx.declare(schema.scope, value, ctx.positionOf(node));
    if (first !== undefined) {
      ctx.report(
        'DUPLICATE_IDENTIFIER',
        `duplicate ${schema.scope} ${schema.format === 'variableName' ? 'name' : 'identifier'} "${value}": already used at line ${first.line}, column ${first.column}`,
        location.path,
        ctx.positionOf(node),
      );
    }
  }
}

export function validateString(ctx: ValidationContext, node: Node | null, schema: StringSchema, location: Location, anchor?: Node | null): unknown {
  const value = node !== null && isScalar(node) ? scalarText(node) : undefined;
  if (node === null || value === undefined) {
    wrongType(ctx, node, location, schema.enum === undefined ? 'a string' : `one of ${schema.enum.join(', ')}`, anchor);
    return undefined;
  }
  const allowExpressions = schema.expressions !== false;
  if (schema.format === 'condition') {
    checkExpressions(ctx, node, value, location, true);
    return value;
  }
  if (hasExpression(value)) {
    if (!allowExpressions) {
      ctx.report('INVALID_VALUE', `"${location.field}" cannot be an expression: write it literally`, location.path, ctx.positionOf(node));
      return value;
    }
    checkExpressions(ctx, node, value, location, false);
    if (isWholeExpression(value)) return value;
  }
  checkFormat(ctx, schema, node, value, location);
  return value;
}

function expressionScalar(ctx: ValidationContext, node: Node | null, location: Location): string | undefined {
  if (node === null || !isScalar(node) || typeof node.value !== 'string' || !hasExpression(node.value)) return undefined;
  if (!isWholeExpression(node.value)) return undefined;
  checkExpressions(ctx, node, node.value, location, false);
  return node.value;
}

export function validateNumber(ctx: ValidationContext, node: Node | null, schema: NumberSchema, location: Location, anchor?: Node | null): unknown {
  const expression = expressionScalar(ctx, node, location);
  if (expression !== undefined) return expression;
  const raw = node !== null && isScalar(node) ? node.value : undefined;
  const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  const expected = schema.integer === true ? 'a whole number' : 'a number';
  if (!Number.isFinite(number) || (schema.integer === true && !Number.isInteger(number))) {
    wrongType(ctx, node, location, expected, anchor);
    return undefined;
  }
  if (schema.minimum !== undefined && number < schema.minimum) {
    ctx.report('INVALID_VALUE', `"${location.field}" must be at least ${schema.minimum}, but is ${number}`, location.path, ctx.positionOf(node));
  }
  return number;
}

export function validateBoolean(ctx: ValidationContext, node: Node | null, _schema: BooleanSchema, location: Location, anchor?: Node | null): unknown {
  const expression = expressionScalar(ctx, node, location);
  if (expression !== undefined) return expression;
  const raw = node !== null && isScalar(node) ? node.value : undefined;
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  wrongType(ctx, node, location, 'a boolean (true or false)', anchor);
  return undefined;
}
