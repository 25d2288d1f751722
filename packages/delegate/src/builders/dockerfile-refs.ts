/** Base images of a Dockerfile after ARG substitution, and FROM lines whose image cannot be known before the build. */
export interface BaseImages {
  images: string[];
  unresolved: string[];
}

/** Joins continuation lines (a trailing `\`) and drops comments and blank lines. */
function instructions(text: string): string[] {
  const result: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    result.push(`${current}${line}`.trim());
    current = '';
  }
  if (current.trim() !== '') result.push(current.trim());
  return result;
}

/** Substitutes `$NAME`, `${NAME}` and `${NAME:-default}`; returns undefined when a variable has no value. */
function substitute(text: string, values: Map<string, string>): string | undefined {
  let missing = false;
  const replaced = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_match, braced?: string, fallback?: string, bare?: string) => {
    const value = values.get(braced ?? bare ?? '');
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    missing = true;
    return '';
  });
  return missing ? undefined : replaced;
}

function parseArg(rest: string): [string, string | undefined] {
  const equals = rest.indexOf('=');
  if (equals < 0) return [rest.trim(), undefined];
  const value = rest.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  return [rest.slice(0, equals).trim(), value];
}

/**
 * Lists the images a Dockerfile pulls: every FROM image and every
 * `COPY --from=<image>` that is not an earlier stage, with ARG defaults
 * declared before the first FROM substituted and build args overriding them.
 * `scratch` is skipped.
 */
export function baseImagesOf(dockerfile: string, buildArgs: Record<string, string>): BaseImages {
  const globals = new Map<string, string>();
  const stages = new Set<string>();
  const images = new Set<string>();
  const unresolved: string[] = [];
  let seenFrom = false;
  const add = (reference: string): void => {
    if (reference === 'scratch' || stages.has(reference.toLowerCase()) || /^\d+$/.test(reference)) return;
    images.add(reference);
  };
  for (const line of instructions(dockerfile)) {
    const [keyword = '', ...words] = line.split(/\s+/);
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && !seenFrom) {
      const [name, fallback] = parseArg(words.join(' '));
      const value = buildArgs[name] ?? fallback;
      if (value !== undefined) globals.set(name, value);
    } else if (upper === 'FROM') {
      seenFrom = true;
      const args = words.filter((word) => !word.startsWith('--'));
      const image = substitute(args[0] ?? '', globals);
      if (image === undefined) unresolved.push(line);
      else add(image);
      if (args[1]?.toUpperCase() === 'AS' && args[2] !== undefined) stages.add(args[2].toLowerCase());
    } else if (upper === 'COPY' || upper === 'ADD') {
      const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
      if (from !== undefined && !stages.has(from.toLowerCase())) add(from);
    }
  }
  return { images: [...images], unresolved };
}
