/**
 * `npm run bench`: measures dispatch latency, no-op throughput, end-to-end log throughput, build overhead
 * and memory, prints a table and writes the figures as JSON to bench-results/. Pass scenario names
 * (dispatch, throughput, logs, build, memory) to run only those.
 */
import { cpus, totalmem } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, stopAll } from '../harness/index.js';
import { measureBuildOverhead } from './build-overhead.js';
import { measureDispatch } from './dispatch.js';
import { measureLogThroughput } from './log-throughput.js';
import { measureMemory } from './memory.js';
import { measureThroughput } from './throughput.js';

type Row = [scenario: string, figure: string, target: string];

const SCENARIOS = ['dispatch', 'throughput', 'logs', 'build', 'memory'] as const;

function format(value: number, digits = 1): string {
  return value.toFixed(digits);
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario ${unknown.join(', ')}: expected any of ${SCENARIOS.join(', ')}`);
  }
  const selected = requested.length > 0 ? requested : [...SCENARIOS];
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];

  if (selected.includes('dispatch')) {
    const dispatch = [];
    for (const delegates of [1, 10, 100]) {
      const result = await measureDispatch(delegates, 20, 10);
      dispatch.push(result);
      const target = delegates === 10 ? 'p50 <= 5 ms, p99 <= 25 ms' : '';
      rows.push([`dispatch, ${delegates} delegates, 20/s`, `p50 ${format(result.p50Ms)} ms, p99 ${format(result.p99Ms)} ms, max ${format(result.maxMs)} ms`, target]);
    }
    results.dispatch = dispatch;
  }
  if (selected.includes('throughput')) {
    const result = await measureThroughput(100, 2000);
    results.throughput = result;
    rows.push(['no-op tasks, 100 delegates', `${format(result.tasksPerSecond, 0)} tasks/s (${result.succeeded}/${result.tasks} in ${format(result.seconds, 2)} s)`, '>= 500 tasks/s']);
  }
  if (selected.includes('logs')) {
    const result = await measureLogThroughput(200_000);
    results.logs = result;
    const checks = `out of order ${result.outOfOrder}, gaps ${result.gaps}, duplicates ${result.duplicates}`;
    rows.push(['log lines end to end', `${format(result.linesPerSecond, 0)} lines/s (${result.received}/${result.lines}; ${checks})`, '>= 50,000 lines/s']);
  }
  if (selected.includes('build')) {
    const result = await measureBuildOverhead(5);
    results.build = result;
    rows.push(['quickstart build overhead', `${format(result.overheadMs, 0)} ms (kiln ${format(result.kilnMedianMs, 0)} ms, buildah ${format(result.buildahMedianMs, 0)} ms)`, '<= 300 ms']);
  }
  if (selected.includes('memory')) {
    const result = await measureMemory(1000);
    results.memory = result;
    rows.push(['manager memory per idle delegate', `${format(result.bytesPerDelegate / 1024)} KB (1000 delegates; a bare grpc-js server: ${format(result.bareGrpcBytesPerDelegate / 1024)} KB)`, '<= 50 KB']);
    rows.push(['idle delegate RSS', `${format(result.idleDelegateBytes / 1024 / 1024)} MB`, '<= 80 MB']);
  }

  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem(), node: process.version };
  const width = Math.max(...rows.map((row) => row[0].length));
  for (const [scenario, figure, target] of rows) {
    process.stdout.write(`${scenario.padEnd(width)}  ${figure}${target ? `   (target ${target})` : ''}\n`);
  }
  const outDir = join(REPO_ROOT, 'bench-results');
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `bench-${new Date().toISOString().replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify({ machine, results }, null, 2)}\n`);
  process.stdout.write(`results written to ${file}\n`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
