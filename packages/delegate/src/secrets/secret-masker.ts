/** Text that replaces a secret value in logs, events and error messages. */
export const MASK = '**************';

/** Shortest base64 fragment masked; shorter fragments would hide unrelated text. */
const MIN_BASE64_FRAGMENT = 8;

/**
 * Returns the base64 forms of `value`: its whole encoding, and for each of
 * the three byte alignments the characters that depend only on the value.
 * The latter find it inside the encoding of a longer text, such as the
 * `user:password` of a docker config `auth` entry.
 */
export function base64Variants(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const variants = [bytes.toString('base64')];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // A 4-character group depends only on the value once the padding bytes are behind it.
    const firstGroup = offset === 0 ? 0 : 1;
    const lastGroup = Math.floor((offset + bytes.length) / 3);
    const fragment = encoded.slice(firstGroup * 4, lastGroup * 4);
    if (fragment.length >= MIN_BASE64_FRAGMENT) variants.push(fragment);
  }
  return [...new Set(variants)];
}

/**
 * Replaces secret values in text. It masks each registered value exactly,
 * its base64 forms, and, for a multi-line value, each of its non-blank lines
 * without surrounding whitespace, because a script may print such a value
 * one line at a time. Longer values are replaced first, so a secret that
 * contains another is masked whole.
 */
export class SecretMasker {
  private readonly values = new Set<string>();
  private ordered: string[] = [];

  add(value: string): void {
    const lines = value.includes('\n') ? value.split(/\r?\n/).map((line) => line.trim()) : [];
    const whole = value.trim() === '' ? '' : value;
    const candidates = [whole, ...lines];
    if (whole !== '') candidates.push(...base64Variants(whole));
    let changed = false;
    for (const candidate of candidates) {
      if (candidate === '' || this.values.has(candidate)) continue;
      this.values.add(candidate);
      changed = true;
    }
    if (changed) this.ordered = [...this.values].sort((a, b) => b.length - a.length);
  }

  /** Number of distinct texts masked, base64 forms included. */
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
