import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS_DIR,
  assertWebBuilt,
  getManifest,
  kiln,
  kilnJson,
  launchBrowser,
  saveScreenshot,
  signIn,
  startStack,
  waitFor,
  webUrl,
  writeFixture,
  type Stack,
  type TestBrowser,
} from '../src/harness/index.js';

const REPOSITORY = 'kiln/ciquickstart';
const BUILD_STEP = 'Build_and_push_image_to_DockerHub';

/** Returns the YAML lines of a stage without a codebase that runs `command` in one Run step on the `local` delegates. */
function runStageYaml(command: string[]): string[] {
  return [
    '  stages:',
    '    - stage:',
    '        name: Main',
    '        identifier: Main',
    '        type: CI',
    '        spec:',
    '          cloneCodebase: false',
    '          infrastructure:',
    '            type: KubernetesDirect',
    '            spec:',
    '              connectorRef: account.kiln_delegate',
    '              namespace: kiln-builds',
    '          execution:',
    '            steps:',
    '              - step:',
    '                  type: Run',
    '                  name: Run it',
    '                  identifier: Run_it',
    '                  spec:',
    '                    shell: Sh',
    '                    command: |',
    ...command.map((line) => `                      ${line}`),
  ];
}

const SLEEP_YAML = [
  'pipeline:',
  '  name: Sleep thirty',
  '  identifier: Sleep_30',
  '  orgIdentifier: default',
  '  projectIdentifier: CI_Quickstart',
  ...runStageYaml(['echo "going to sleep"', 'sleep 30']),
  '',
].join('\n');

const INPUTS_YAML = [
  'pipeline:',
  '  name: Greeter',
  '  identifier: Greeter',
  '  orgIdentifier: default',
  '  projectIdentifier: CI_Quickstart',
  '  variables:',
  '    - name: flavour',
  '      type: String',
  '      value: <+input>.default(vanilla).allowedValues(vanilla,chocolate)',
  '    - name: greeting',
  '      type: String',
  '      value: <+input>',
  ...runStageYaml(['echo "flavour=<+pipeline.variables.flavour> greeting=<+pipeline.variables.greeting>"']),
  '',
].join('\n');

const LONG_LOG_YAML = [
  'pipeline:',
  '  name: Long log',
  '  identifier: Long_Log',
  '  orgIdentifier: default',
  '  projectIdentifier: CI_Quickstart',
  ...runStageYaml(["printf '\\033[1;32mcoloured\\033[0m\\n'", "seq -f 'line %.0f of a long log' 2 100000"]),
  '',
].join('\n');

/** A pipeline whose stage selects delegate tag `nowhere`, which no delegate has, so its runs stay queued. */
const UNSCHEDULABLE_YAML = [
  'connector:',
  '  name: Nowhere',
  '  identifier: nowhere',
  '  type: K8sCluster',
  '  spec:',
  '    credential:',
  '      type: InheritFromDelegate',
  '    delegateSelectors:',
  '      - nowhere',
  '---',
  SLEEP_YAML.replace('identifier: Sleep_30', 'identifier: Waiting').replace('name: Sleep thirty', 'name: Waiting').replace('account.kiln_delegate', 'account.nowhere'),
].join('\n');

let stack: Stack;
let dir: string;
let browser: TestBrowser;

async function apply(name: string, content: string): Promise<void> {
  const file = join(dir, name);
  await writeFile(file, content);
  const result = await kiln(stack.manager, ['apply', '-f', file]);
  expect(String(result.stderr)).toBe('');
}

async function latestExecutionId(pipeline: string): Promise<string> {
  const list = await kilnJson<{ executions: { id: string }[] }>(stack.manager, ['executions', '--pipeline', pipeline, '--limit', '1']);
  const id = list.executions[0]?.id;
  if (id === undefined) throw new Error(`no execution of ${pipeline}`);
  return id;
}

/** Returns the status shown in the execution heading. */
function headingStatus(page: Page) {
  return page.locator('.execution-head h1 .status');
}

beforeAll(async () => {
  await assertWebBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kiln-e2e-web-ui-'));
  stack = await startStack(dir);
  const addresses = { registry: stack.registry.address, gitRoot: stack.repository.root };
  for (const fixture of ['quickstart/connectors.yaml', 'quickstart/pipeline.yaml']) {
    expect((await kiln(stack.manager, ['apply', '-f', await writeFixture(dir, fixture, addresses)])).exitCode).toBe(0);
  }
  await apply('sleep.yaml', SLEEP_YAML);
  await apply('inputs.yaml', INPUTS_YAML);
  await apply('unschedulable.yaml', UNSCHEDULABLE_YAML);
  await apply('long-log.yaml', LONG_LOG_YAML);
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('web UI', () => {
  describe('when no token is stored', () => {
    it('shows the login screen and rejects a wrong token', async () => {
      const page = await browser.newPage();
      await page.goto(webUrl(stack.manager));
      await page.getByLabel('API token').fill('wrong-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expectText(page.getByRole('alert'), /does not match/);
      await page.getByLabel('API token').fill(stack.manager.apiToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Builds' }).waitFor();
      await page.close();
    });
  });

  describe('the quickstart run from the Run form', () => {
    it('streams the build log live in order and shows Succeeded with the digest', async () => {
      const page = await browser.newPage();
      await signIn(page, stack.manager, `/pipelines/${encodeURIComponent('default/CI_Quickstart/CI_Quickstart')}`);
      await page.getByLabel('Branch, tag, PR number or commit').fill('main');
      await page.getByRole('button', { name: 'Run pipeline' }).click();
      await page.waitForURL(/\/executions\//);
      const buildButton = page.locator(`button.step[data-step="${BUILD_STEP}"]`);
      await buildButton.waitFor({ timeout: 120_000 });
      await buildButton.click();

      // Records the rows shown while the step runs: line number -> text, and whether lines grew during the run.
      const seen = new Map<number, string>();
      const countsWhileRunning = new Set<number>();
      await waitFor('the build step to finish in the UI', async () => {
        const rows = await page.locator('.log-row').evaluateAll((elements) => elements.map((row) => [Number((row as HTMLElement).dataset.line), row.querySelector('.log-text')?.textContent ?? ''] as const));
        for (const [line, text] of rows) seen.set(line, text);
        const status = await buildButton.locator('.status').textContent();
        if (status === 'Running') countsWhileRunning.add(rows.length === 0 ? 0 : Math.max(...rows.map(([line]) => line)));
        return status === 'Succeeded' || status === 'Failed' ? status : undefined;
      }, 240_000, 100);
      await expectText(headingStatus(page), 'Succeeded', 60_000);

      expect(countsWhileRunning.size).toBeGreaterThan(1);
      const executionId = await latestExecutionId('CI_Quickstart');
      const stored = await kiln(stack.manager, ['logs', executionId, '--output', 'json']);
      const texts = String(stored.stdout).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { step_id: string; text: string }).filter((line) => line.step_id === BUILD_STEP).map((line) => line.text);
      for (const [line, text] of seen) expect(text).toBe(texts[line - 1]);
      const numbers = [...seen.keys()].sort((a, b) => a - b);
      expect(numbers[0]).toBe(1);
      expect(seen.get(1)).toMatch(/^\+ buildah /);

      const digest = await page.locator('[data-digest]').first().getAttribute('data-digest');
      const manifest = await getManifest(stack.registry, REPOSITORY, '1');
      expect(digest).toBe(manifest?.digest);
      await saveScreenshot(page, 'execution-view-1280x720');

      await buttonFocus(page, BUILD_STEP);
      await page.keyboard.press('ArrowUp');
      expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.step)).toBe('git_clone');
      await page.keyboard.press('Enter');
      await expectText(page.locator('#step-title'), 'Clone codebase');
      expect(new URL(page.url()).searchParams.get('step')).toBe('git_clone');
      await page.setViewportSize({ width: 390, height: 844 });
      await saveScreenshot(page, 'execution-view-390x844');
      await page.close();
    }, 300_000);
  });

  describe('a running execution cancelled from the UI', () => {
    it('ends Aborted', async () => {
      expect((await kiln(stack.manager, ['run', 'Sleep_30'])).exitCode).toBe(0);
      const executionId = await latestExecutionId('Sleep_30');
      const page = await browser.newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      await signIn(page, stack.manager, `/executions/${executionId}`);
      await expectText(page.locator('button.step[data-step="Run_it"] .status'), 'Running', 60_000);
      await page.locator('.log-row', { hasText: 'going to sleep' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Cancel' }).click();
      await expectText(headingStatus(page), 'Aborted', 30_000);
      await expectText(page.locator('button.step[data-step="Run_it"] .status'), 'Aborted', 30_000);
      await page.close();
    }, 120_000);
  });

  describe('a pipeline with runtime inputs run from the form', () => {
    it('offers the allowed values and passes the chosen ones', async () => {
      const page = await browser.newPage();
      await signIn(page, stack.manager, `/pipelines/${encodeURIComponent('default/CI_Quickstart/Greeter')}`);
      const flavour = page.getByLabel('pipeline variable "flavour"');
      expect(await flavour.locator('option').allTextContents()).toEqual(['vanilla', 'chocolate']);
      expect(await flavour.inputValue()).toBe('vanilla');
      await flavour.selectOption('chocolate');
      await page.getByLabel('pipeline variable "greeting"').fill('hello from the form');
      await page.getByRole('button', { name: 'Run pipeline' }).click();
      await page.waitForURL(/\/executions\//);
      await expectText(headingStatus(page), 'Succeeded', 120_000);
      await page.locator('.log-row', { hasText: 'flavour=chocolate greeting=hello from the form' }).waitFor({ timeout: 30_000 });
      await page.close();
    }, 180_000);
  });

  describe('a step with a 100,000-line log', () => {
    it('renders only the rows in view and scrolls to the last line', async () => {
      const run = await kiln(stack.manager, ['run', 'Long_Log', '--follow'], { timeoutMs: 120_000 });
      expect(run.exitCode).toBe(0);
      const executionId = await latestExecutionId('Long_Log');
      const page = await browser.newPage();
      await signIn(page, stack.manager, `/executions/${executionId}?stage=Main&step=Run_it&attempt=1`);
      const opened = Date.now();
      await expectText(page.locator('.log-state'), /^100000 lines$/, 60_000);
      const loadMs = Date.now() - opened;
      expect(await page.locator('.log-row').count()).toBeLessThan(200);
      const first = page.locator('.log-row[data-line="1"] .log-text span');
      await page.locator('.log-viewport').evaluate((element) => (element.scrollTop = 0));
      await expectText(first, 'coloured');
      expect(await first.getAttribute('class')).toBe('ansi-bold ansi-fg-2');
      await page.locator('.log-viewport').focus();
      const scrolled = Date.now();
      await page.keyboard.press('End');
      await page.locator('.log-row[data-line="100000"]').waitFor({ timeout: 5_000 });
      const scrollMs = Date.now() - scrolled;
      await expectText(page.locator('.log-row[data-line="100000"] .log-text'), 'line 100000 of a long log');
      await page.close();

      const linked = await browser.newPage();
      await signIn(linked, stack.manager, `/executions/${executionId}?stage=Main&step=Run_it&attempt=1#L54321`);
      await expectText(linked.locator('.log-row.log-selected'), 'line 54321 of a long log', 60_000);
      await linked.locator('.log-row[data-line="54325"] .line-number').click();
      await expectText(linked.locator('.log-row.log-selected'), 'line 54325 of a long log');
      expect(new URL(linked.url()).hash).toBe('#L54325');
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      await writeFile(join(ARTIFACTS_DIR, 'long-log-timing.json'), `${JSON.stringify({ lines: 100000, loadMs, scrollMs })}\n`);
      await linked.close();
    }, 180_000);
  });

  describe('the Builds list', () => {
    it('shows new executions live and filters by pipeline and status', async () => {
      const page = await browser.newPage();
      await signIn(page, stack.manager, '/');
      const rows = page.locator('table.builds tbody tr');
      await expectText(page.locator('.list-state'), /executions$/);
      expect((await kiln(stack.manager, ['run', 'Waiting'])).exitCode).toBe(0);
      const executionId = await latestExecutionId('Waiting');
      await page.locator(`tr[data-execution="${executionId}"]`).waitFor({ timeout: 10_000 });
      expect(await rows.first().getAttribute('data-execution')).toBe(executionId);
      expect(await rows.first().getAttribute('data-status')).toBe('Queued');
      await page.getByLabel('Status').selectOption('Succeeded');
      await waitFor('the status filter', async () => {
        const statuses = await rows.evaluateAll((elements) => elements.map((row) => (row as HTMLElement).dataset.status));
        return statuses.length > 0 && statuses.every((status) => status === 'Succeeded') ? true : undefined;
      });
      await page.getByLabel('Pipeline').selectOption('Greeter');
      await waitFor('the pipeline filter', async () => ((await rows.count()) === 1 ? true : undefined));
      await page.close();
    }, 60_000);

    it('shows why a queued stage waits', async () => {
      const executionId = await latestExecutionId('Waiting');
      const page = await browser.newPage();
      await signIn(page, stack.manager, `/executions/${executionId}`);
      await expectText(page.locator('.queue-reason'), /no connected delegate has every selector/);
      await page.close();
    });

    it('lists 1,000 executions newest first and keeps screenshots', async () => {
      const started = Date.now();
      for (let index = 0; index < 1000; index += 1) {
        const response = await fetch(`${webUrl(stack.manager)}/api/v1/executions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.manager.apiToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ pipeline: 'Waiting' }),
        });
        expect(response.status).toBe(201);
      }
      const page = await browser.newPage();
      await signIn(page, stack.manager, '/');
      const navigation = Date.now();
      await page.reload();
      await page.locator('table.builds tbody tr').nth(99).waitFor();
      const firstPaintMs = Date.now() - navigation;
      await writeFile(join(ARTIFACTS_DIR, 'builds-list-timing.json'), `${JSON.stringify({ executions: 1000, rows: 100, firstPaintMs, creationMs: navigation - started })}\n`);
      expect(await page.locator('table.builds tbody tr').count()).toBe(100);
      await saveScreenshot(page, 'builds-list-1280x720');
      await page.setViewportSize({ width: 390, height: 844 });
      await saveScreenshot(page, 'builds-list-390x844');
      await page.close();
    }, 180_000);
  });

  describe('the Delegates page', () => {
    it('shows the delegate connected with its slots', async () => {
      const page = await browser.newPage();
      await signIn(page, stack.manager, '/delegates');
      const row = page.locator('tr', { hasText: 'local-1' });
      await expectText(row, /connected/);
      await expectText(row, /buildah/);
      await page.close();
    });
  });
});

/** Moves keyboard focus to the tree button of step `stepId`. */
async function buttonFocus(page: Page, stepId: string): Promise<void> {
  await page.locator(`button.step[data-step="${stepId}"]`).focus();
}

/** Waits until the first element of `locator` has text matching `expected`. */
async function expectText(locator: ReturnType<Page['locator']>, expected: string | RegExp, timeoutMs = 10_000): Promise<void> {
  await waitFor(`text ${String(expected)}`, async () => {
    const text = (await locator.first().textContent({ timeout: 1000 }).catch(() => null)) ?? '';
    const matches = typeof expected === 'string' ? text.includes(expected) : expected.test(text);
    return matches ? true : undefined;
  }, timeoutMs, 100);
}
