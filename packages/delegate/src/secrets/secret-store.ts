import { readFileSync } from 'node:fs';
import { KilnError } from '@kiln/protocol';
import type { SecretSource } from '../config/delegate-config.js';

/**
 * Secret values from the delegate's own config file. The manager never sends secret values. Pipelines and connectors name a reference and the delegate
 * looks it up here exactly as written (`account.X`, `org.X` or a plain `X`).
 */
export class SecretStore {
  constructor(
    private readonly sources: Readonly<Record<string, SecretSource>>,
    private readonly configFile: string | undefined,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** Returns the value of `ref`, or undefined when the config file has no usable entry for it. */
  get(ref: string): string | undefined {
    const source = this.sources[ref];
    if (source === undefined) return undefined;
    if ('value' in source) return source.value;
    if ('env' in source) return this.env[source.env];
    try {
      return readFileSync(source.file, 'utf8').replace(/\r?\n$/, '');
    } catch {
      return undefined;
    }
  }

  /**
   * Returns the value of `ref`.
   * @throws KilnError SECRET_NOT_FOUND naming the reference, what used it and the config file to add it to.
   */
  require(ref: string, usedBy: string): string {
    const value = this.get(ref);
    if (value !== undefined) return value;
    throw new KilnError('SECRET_NOT_FOUND', this.describeMissing(ref, usedBy), { details: { ref } });
  }

  describeMissing(ref: string, usedBy: string): string {
    const source = this.sources[ref];
    const where = this.configFile ?? 'the delegate config file (no --config was given)';
    if (source === undefined) {
      return `secret "${ref}" used by ${usedBy} was not found: add it under "secrets:" in ${where}, e.g. ${ref}: { value: ... }`;
    }
    const from = 'env' in source ? `environment variable ${source.env}` : 'file' in source ? `file ${source.file}` : 'value';
    return `secret "${ref}" used by ${usedBy} is configured in ${where} but its ${from} could not be read`;
  }
}
