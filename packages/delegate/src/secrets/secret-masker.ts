/** Text that replaces a secret value in logs, events and error messages. */
export const MASK = '**************';

/**
 * Replaces secret values in text. It masks each registered value exactly and,
 * for a multi-line value, each of its non-blank lines without surrounding whitespace, because a script may
 * print such a value one line at a time. Longer values are replaced first, so
 * a secret that contains another is masked whole.
 */
export class SecretMasker {
  private readonly values = new Set<string>();
  private ordered: string[] = [];

  add(value: string): void {
    const lines = value.includes('\n') ? value.split(/\r?\n/).map((line) => line.trim()) : [];
    const candidates = [value.trim() === '' ? '' : value, ...lines];
    let changed = false;
    for (const candidate of candidates) {
      if (candidate === '' || this.values.has(candidate)) continue;
      this.values.add(candidate);
      changed = true;
    }
    if (changed) this.ordered = [...this.values].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    let masked = text;
    for (const value of this.ordered) {
      if (masked.includes(value)) masked = masked.split(value).join(MASK);
    }
    return masked;
  }
}
