import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { didYouMean } from '../suggest.js';
import {
  fieldSchema,
  isRequiredField,
  type ListSchema,
  type MapSchema,
  type ObjectSchema,
  type Schema,
  type UnionSchema,
  type WrapperSchema,
} from '../schema/types.js';
import { describeNode, type ValidationContext } from './context.js';
import { validateBoolean, validateNumber, validateString, type Location } from './scalars.js';

type MaybeNode = Node | null;

function asNode(value: unknown): MaybeNode {
  return value === null || value === undefined ? null : (value as Node);
}

function keyName(pair: Pair): string | undefined {
  const key = asNode(pair.key);
  if (key !== null && isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

function child(location: Location, key: string): Location {
  return { path: location.path === '' ? key : `${location.path}.${key}`, field: key };
}

function wrongType(ctx: ValidationContext, node: MaybeNode, location: Location, expected: string, anchor?: MaybeNode): void {
  ctx.report('WRONG_TYPE', `"${location.field}" must be ${expected}, but is ${describeNode(node)}`, location.path, ctx.positionOf(node, anchor));
}

/**
 * Validates a YAML node against a schema, reporting every problem to `ctx`,
 * and returns the plain value (undefined where the node is invalid).
 * `anchor` is the key node, used for the position of an empty value.
 */
export function validateNode(ctx: ValidationContext, given: MaybeNode, schema: Schema, location: Location, anchor?: MaybeNode): unknown {
  const node = given !== null && isAlias(given) ? ctx.resolveAlias(given) : given;
  switch (schema.kind) {
    case 'string':
      return validateString(ctx, node, schema, location, anchor);
    case 'number':
      return validateNumber(ctx, node, schema, location, anchor);
    case 'boolean':
      return validateBoolean(ctx, node, schema, location, anchor);
    case 'object':
      return validateObject(ctx, node, schema, location, anchor);
    case 'map':
      return validateMap(ctx, node, schema, location, anchor);
    case 'list':
      return validateList(ctx, node, schema, location, anchor);
    case 'wrapper':
      return validateWrapper(ctx, node, schema, location, anchor);
    case 'union':
      return validateUnion(ctx, node, schema, location, anchor);
    case 'any':
      return node === null ? null : node.toJSON();
  }
}

function pairsByKey(ctx: ValidationContext, map: YAMLMap, location: Location): Map<string, Pair> {
  const pairs = new Map<string, Pair>();
  for (const pair of map.items) {
    const key = keyName(pair);
    if (key === undefined) {
      wrongType(ctx, asNode(pair.key), { ...location, field: 'key' }, 'a string key');
    } else if (!pairs.has(key)) {
      // A repeated key is already a YAML_SYNTAX problem from the YAML parser.
      pairs.set(key, pair);
    }
  }
  return pairs;
}

function variantSchema(ctx: ValidationContext, schema: ObjectSchema, pairs: Map<string, Pair>, location: Location): Schema | undefined | null {
  const variants = schema.variants;
  if (variants === undefined) return null;
  const node = asNode(pairs.get(variants.discriminator)?.value);
  if (node === null || !isScalar(node) || typeof node.value !== 'string') return undefined;
  const value = node.value;
  const known = Object.keys(variants.schemas);
  if (!known.includes(value)) {
    const hint = variants.hint === undefined ? '' : ` ${variants.hint}`;
    ctx.report(
      variants.code,
      `unknown ${variants.noun} "${value}"${didYouMean(value, known)}; known types: ${known.join(', ')}${hint}`,
      child(location, variants.discriminator).path,
      ctx.positionOf(node),
    );
    return undefined;
  }
  return variants.schemas[value] ?? null;
}

function validateObject(ctx: ValidationContext, node: MaybeNode, schema: ObjectSchema, location: Location, anchor?: MaybeNode): unknown {
  if (node === null || !isMap(node)) {
    wrongType(ctx, node, location, `a mapping (the ${schema.title})`, anchor);
    return undefined;
  }
  return ctx.withScopes(schema.opensScopes, () => {
    const pairs = pairsByKey(ctx, node, location);
    const variant = variantSchema(ctx, schema, pairs, location);
    const target = schema.variants?.target;
    const known = Object.keys(schema.fields);
    if (target !== undefined && !known.includes(target)) known.push(target);
    const result: Record<string, unknown> = {};
    for (const [key, pair] of pairs) {
      const keyNode = asNode(pair.key);
      const valueNode = asNode(pair.value);
      const field = schema.fields[key];
      if (key === target && field === undefined) {
        if (variant === null) {
          ctx.report('UNKNOWN_FIELD', `"${target}" is not allowed for this ${schema.variants?.noun ?? 'type'}`, child(location, key).path, ctx.positionOf(keyNode));
        } else if (variant !== undefined) {
          result[key] = validateNode(ctx, valueNode, variant, child(location, key), keyNode);
        }
      } else if (field === undefined) {
        ctx.report(
          'UNKNOWN_FIELD',
          `unknown field "${key}" in ${schema.title}${didYouMean(key, known)}; known fields: ${known.join(', ')}`,
          child(location, key).path,
          ctx.positionOf(keyNode),
        );
      } else {
        result[key] = validateNode(ctx, valueNode, fieldSchema(field), child(location, key), keyNode);
      }
    }
    reportMissing(ctx, schema, pairs, variant, node, location);
    return result;
  });
}

function reportMissing(ctx: ValidationContext, schema: ObjectSchema, pairs: Map<string, Pair>, variant: Schema | undefined | null, node: Node, location: Location): void {
  const missing = Object.entries(schema.fields)
    .filter(([key, field]) => isRequiredField(field) && !pairs.has(key))
    .map(([key]) => key);
  const target = schema.variants?.target;
  if (target !== undefined && variant !== null && variant !== undefined && schema.variants?.targetRequired === true && !pairs.has(target)) {
    missing.push(target);
  }
  for (const key of missing) {
    ctx.report('MISSING_FIELD', `${schema.title} is missing required field "${key}"`, location.path, ctx.positionOf(node));
  }
}

function validateMap(ctx: ValidationContext, node: MaybeNode, schema: MapSchema, location: Location, anchor?: MaybeNode): unknown {
  if (node === null || !isMap(node)) {
    wrongType(ctx, node, location, `a mapping of ${schema.title}`, anchor);
    return undefined;
  }
  const result: Record<string, unknown> = {};
  for (const [key, pair] of pairsByKey(ctx, node, location)) {
    result[key] = validateNode(ctx, asNode(pair.value), schema.values, child(location, key), asNode(pair.key));
  }
  return result;
}

function validateList(ctx: ValidationContext, node: MaybeNode, schema: ListSchema, location: Location, anchor?: MaybeNode): unknown {
  if (node === null || !isSeq(node)) {
    wrongType(ctx, node, location, 'a list', anchor);
    return undefined;
  }
  return ctx.withScopes(schema.opensScopes, () =>
    node.items.map((item, index) =>
      validateNode(ctx, asNode(item), schema.items, { path: `${location.path}[${index}]`, field: location.field }, node),
    ),
  );
}

function validateWrapper(ctx: ValidationContext, node: MaybeNode, schema: WrapperSchema, location: Location, anchor?: MaybeNode): unknown {
  const known = Object.keys(schema.variants);
  if (node === null || !isMap(node)) {
    wrongType(ctx, node, location, `a mapping with one key (${known.join(', ')})`, anchor);
    return undefined;
  }
  const pairs = [...pairsByKey(ctx, node, location)];
  if (pairs.length !== 1) {
    const found = pairs.length === 0 ? 'none' : pairs.map(([key]) => `"${key}"`).join(', ');
    ctx.report('INVALID_VALUE', `each ${schema.title} must have exactly one key (${known.join(', ')}), found ${found}`, location.path, ctx.positionOf(node));
  }
  const result: Record<string, unknown> = {};
  for (const [key, pair] of pairs) {
    const variant = schema.variants[key];
    if (variant === undefined) {
      ctx.report(
        'UNKNOWN_FIELD',
        `unknown field "${key}" in ${schema.title}${didYouMean(key, known)}; known fields: ${known.join(', ')}`,
        child(location, key).path,
        ctx.positionOf(asNode(pair.key)),
      );
    } else {
      result[key] = validateNode(ctx, asNode(pair.value), variant, child(location, key), asNode(pair.key));
    }
  }
  return result;
}

function nodeFits(node: MaybeNode, schema: Schema): boolean {
  if (schema.kind === 'any') return true;
  if (node !== null && isMap(node)) return schema.kind === 'object' || schema.kind === 'map' || schema.kind === 'wrapper';
  if (node !== null && isSeq(node)) return schema.kind === 'list';
  return schema.kind === 'string' || schema.kind === 'number' || schema.kind === 'boolean';
}

function validateUnion(ctx: ValidationContext, node: MaybeNode, schema: UnionSchema, location: Location, anchor?: MaybeNode): unknown {
  const option = schema.options.find((candidate) => nodeFits(node, candidate));
  if (option === undefined) {
    const kinds = schema.options.map((candidate) => (candidate.kind === 'object' || candidate.kind === 'map' ? 'a mapping' : candidate.kind === 'list' ? 'a list' : `a ${candidate.kind}`));
    wrongType(ctx, node, location, [...new Set(kinds)].join(' or '), anchor);
    return undefined;
  }
  return validateNode(ctx, node, option, location, anchor);
}
