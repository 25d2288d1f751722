import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../src/harness/index.js';

const PROMETHEUS_DIR = join(REPO_ROOT, 'deploy/prometheus');
const DASHBOARD = join(REPO_ROOT, 'deploy/grafana/kiln.json');

interface Dashboard {
  panels: { title: string; targets: { refId: string; expr: string }[] }[];
}

async function promtool(...args: string[]) {
  return execa('promtool', args, { cwd: PROMETHEUS_DIR, reject: false });
}

/** Returns every PromQL expression of the Grafana dashboard with the title of its panel. */
async function dashboardExpressions(): Promise<{ panel: string; expr: string }[]> {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
  return dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ panel: panel.title, expr: target.expr })));
}

describe('Prometheus configuration', () => {
  it('passes promtool check config', async () => {
    const result = await promtool('check', 'config', 'prometheus.yml');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('has alert rules that pass promtool check rules', async () => {
    const result = await promtool('check', 'rules', 'kiln-alerts.yml');
    expect(result.stdout).toContain('SUCCESS: 4 rules found');
    expect(result.exitCode).toBe(0);
  });

  it('fires each alert as its unit tests expect', async () => {
    const result = await promtool('test', 'rules', 'kiln-alerts.test.yml');
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.exitCode).toBe(0);
  });
});

describe('Grafana dashboard', () => {
  it('has only PromQL expressions that promtool accepts', async () => {
    const expressions = await dashboardExpressions();
    expect(expressions.length).toBeGreaterThan(15);
    const rules = [
      'groups:',
      '  - name: dashboard',
      '    rules:',
      ...expressions.flatMap(({ expr }, index) => [`      - record: kiln:dashboard:expr_${index}`, `        expr: ${JSON.stringify(expr)}`]),
      '',
    ].join('\n');
    const dir = await mkdtemp(join(tmpdir(), 'kiln-dashboard-'));
    await writeFile(join(dir, 'dashboard-rules.yml'), rules);

    const result = await execa('promtool', ['check', 'rules', join(dir, 'dashboard-rules.yml')], { reject: false });

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('queries only kiln metrics of the manager or the delegate', async () => {
    const names = new Set((await dashboardExpressions()).flatMap(({ expr }) => expr.match(/kiln_[a-z_]+/g) ?? []));
    const sources = await Promise.all(
      ['packages/manager/src/metrics.ts', 'packages/delegate/src/metrics.ts'].map((file) => readFile(join(REPO_ROOT, file), 'utf8')),
    );
    const declared = sources.join('\n');
    for (const name of names) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      expect({ name, declared: declared.includes(`'${base}'`) }).toEqual({ name, declared: true });
    }
  });
});
