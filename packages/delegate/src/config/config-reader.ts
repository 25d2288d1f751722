import { DURATION_FORM, parseDuration } from './duration.js';

/** Where a value came from, so that an error can name it. */
export type ValueOrigin = { kind: 'flag'; flag: string } | { kind: 'file'; key: string; file: string } | { kind: 'env'; name: string };

export function describeOrigin(origin: ValueOrigin): string {
  switch (origin.kind) {
    case 'flag':
      return `flag ${origin.flag}`;
    case 'file':
      return `key "${origin.key}" in ${origin.file}`;
    case 'env':
      return `environment variable ${origin.name}`;
  }
}

/** A raw value with its origin; `value` is a string for flags and env, any YAML value for the file. */
export interface RawValue {
  value: unknown;
  origin: ValueOrigin;
}

/**
 * Converts raw config values into typed ones and collects every problem, so
 * that one run reports all invalid keys at once.
 */
export class ConfigReader {
  readonly problems: string[] = [];

  invalid(raw: RawValue, expected: string): undefined {
    this.problems.push(`invalid ${describeOrigin(raw.origin)}: expected ${expected}, got ${JSON.stringify(raw.value)}`);
    return undefined;
  }

  string(raw: RawValue | undefined): string | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw.value === 'string' && raw.value.trim() !== '') return raw.value.trim();
    return this.invalid(raw, 'a non-empty string');
  }

  positiveInteger(raw: RawValue | undefined): number | undefined {
    if (raw === undefined) return undefined;
    const text = typeof raw.value === 'number' ? String(raw.value) : raw.value;
    if (typeof text === 'string' && /^\s*\d+\s*$/.test(text) && Number(text) > 0) return Number(text);
    return this.invalid(raw, 'a positive integer');
  }

  boolean(raw: RawValue | undefined): boolean | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw.value === 'boolean') return raw.value;
    if (raw.value === 'true' || raw.value === 'false') return raw.value === 'true';
    return this.invalid(raw, 'true or false');
  }

  duration(raw: RawValue | undefined): number | undefined {
    if (raw === undefined) return undefined;
    const ms = typeof raw.value === 'string' ? parseDuration(raw.value) : undefined;
    return ms ?? this.invalid(raw, DURATION_FORM);
  }

  /** A list given as a YAML sequence of strings or as comma-separated text. */
  stringList(raw: RawValue | undefined): string[] | undefined {
    if (raw === undefined) return undefined;
    const items = typeof raw.value === 'string' ? raw.value.split(',') : raw.value;
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
      return this.invalid(raw, 'a list of strings or comma-separated text');
    }
    return items.map((item: string) => item.trim()).filter((item) => item !== '');
  }

  hostPort(raw: RawValue | undefined): { host: string; port: number } | undefined {
    const text = this.string(raw);
    if (raw === undefined || text === undefined) return undefined;
    const match = /^([^:\s]+|\[[^\]]+\]):(\d{1,5})$/.exec(text);
    const port = Number(match?.[2]);
    if (match === null || port > 65535) return this.invalid(raw, 'HOST:PORT with a port from 0 to 65535');
    return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
  }

  oneOf<T extends string>(raw: RawValue | undefined, allowed: readonly T[]): T | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw.value === 'string' && (allowed as readonly string[]).includes(raw.value)) return raw.value as T;
    return this.invalid(raw, `one of ${allowed.join(', ')}`);
  }
}
