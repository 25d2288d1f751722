import type { ProblemCode } from '../model.js';

/**
 * A declarative description of one YAML value. The validator walks a YAML
 * document against these tables; no field has hand-written checks.
 */
export type Schema =
  | StringSchema
  | NumberSchema
  | BooleanSchema
  | ObjectSchema
  | MapSchema
  | ListSchema
  | WrapperSchema
  | UnionSchema
  | AnySchema;

export type StringFormat = 'identifier' | 'variableName' | 'duration' | 'condition';

export interface StringSchema {
  kind: 'string';
  format?: StringFormat;
  enum?: readonly string[];
  /** Whether `<+...>` expressions and `<+input>` are allowed; true unless set to false. */
  expressions?: boolean;
  /** Registers the value in the named identifier scope, so a repeat is a DUPLICATE_IDENTIFIER problem. */
  scope?: string;
}

export interface NumberSchema {
  kind: 'number';
  integer?: boolean;
  minimum?: number;
}

export interface BooleanSchema {
  kind: 'boolean';
}

/** A field whose absence is a MISSING_FIELD problem. */
export interface RequiredField {
  required: true;
  schema: Schema;
}

export type Field = Schema | RequiredField;

/** Picks the schema of `target` (e.g. `spec`) by the value of `discriminator` (e.g. `type`). */
export interface Variants {
  discriminator: string;
  target: string;
  /** Names the discriminator in messages, e.g. `step type`. */
  noun: string;
  /** The problem code for an unknown discriminator value. */
  code: ProblemCode;
  /** Each known discriminator value and the schema of the target for it; undefined means no target. */
  schemas: Readonly<Record<string, Schema | undefined>>;
  /** Whether the target must be present when the variant has a schema. */
  targetRequired: boolean;
  /** Extra text after an unknown value, e.g. why other Harness types are not supported. */
  hint?: string;
}

export interface ObjectSchema {
  kind: 'object';
  /** Names the object in messages, e.g. `step` or `codebase`. */
  title: string;
  fields: Readonly<Record<string, Field>>;
  variants?: Variants;
  /** Identifier scopes that start fresh inside this object (e.g. a stage opens the `step` scope). */
  opensScopes?: readonly string[];
}

/** A mapping with free keys (labels, envVariables, build args). */
export interface MapSchema {
  kind: 'map';
  title: string;
  values: Schema;
}

export interface ListSchema {
  kind: 'list';
  items: Schema;
  opensScopes?: readonly string[];
}

/** A mapping with exactly one key naming its variant, like `- step: {...}` or `- parallel: [...]`. */
export interface WrapperSchema {
  kind: 'wrapper';
  title: string;
  variants: Readonly<Record<string, Schema>>;
}

/** One of several schemas, chosen by the YAML node's kind (scalar, mapping or list). */
export interface UnionSchema {
  kind: 'union';
  options: readonly Schema[];
}

/** Any value, kept as written (e.g. a Kubernetes pod spec overlay). */
export interface AnySchema {
  kind: 'any';
}

export function required(schema: Schema): RequiredField {
  return { required: true, schema };
}

export function isRequiredField(field: Field): field is RequiredField {
  return 'required' in field;
}

export function fieldSchema(field: Field): Schema {
  return isRequiredField(field) ? field.schema : field;
}

export const text: StringSchema = { kind: 'string' };
export const bool: BooleanSchema = { kind: 'boolean' };
export const integer: NumberSchema = { kind: 'number', integer: true };
export const any: AnySchema = { kind: 'any' };
export const duration: StringSchema = { kind: 'string', format: 'duration' };
export const condition: StringSchema = { kind: 'string', format: 'condition' };
export const stringList: ListSchema = { kind: 'list', items: text };

export function oneOf(...values: string[]): StringSchema {
  return { kind: 'string', enum: values };
}

export function listOf(items: Schema): ListSchema {
  return { kind: 'list', items };
}

export function mapOf(title: string, values: Schema = text): MapSchema {
  return { kind: 'map', title, values };
}

export function object(title: string, fields: Record<string, Field>, extra: Partial<ObjectSchema> = {}): ObjectSchema {
  return { kind: 'object', title, fields, ...extra };
}
