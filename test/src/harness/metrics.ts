/** Samples of a Prometheus text exposition, keyed by metric name and then by their label set. */
export type Samples = Map<string, { labels: Record<string, string>; value: number }[]>;

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
  }
  return labels;
}

/** Parses the Prometheus text format; comments and blank lines are skipped. */
export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labelText, value] = match;
    const list = samples.get(name!) ?? [];
    list.push({ labels: parseLabels(labelText ?? ''), value: Number(value) });
    samples.set(name!, list);
  }
  return samples;
}

/** Fetches and parses `http://<address>/metrics`. */
export async function scrapeMetrics(address: string): Promise<Samples> {
  const response = await fetch(`http://${address}/metrics`);
  if (!response.ok) throw new Error(`GET http://${address}/metrics returned ${response.status}`);
  return parseMetrics(await response.text());
}

/** Sum of the samples of `name` whose labels include `labels`; 0 when there is none. */
export function sampleValue(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  return (samples.get(name) ?? [])
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}
