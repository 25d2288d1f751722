import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli.js';
import { MemoryOutput } from '../output.js';
import { formatValidation, validateText } from './validate.js';

const FIXTURES = new URL('../../../../test/fixtures/quickstart/', import.meta.url);

const BROKEN = `pipeline:
  name: Broken
  identifier: Broken
  projectIdentifier: kiln
  orgIdentifier: default
  stages:
    - stage:
        name: Build
        identifier: build
        type: CI
        spec:
          cloneCodebase: false
          execution:
            stpes: []
`;

describe('validateText', () => {
  describe('when the file is the quickstart pipeline', () => {
    it('finds the pipeline and no problems', async () => {
      const text = await readFile(new URL('pipeline.yaml', FIXTURES), 'utf8');
      const report = validateText(text, 'pipeline.yaml');
      expect(report.problems).toEqual([]);
      expect(report.valid).toBe(true);
      expect(report.documents.map((document) => document.kind)).toEqual(['pipeline']);
    });
  });

  describe('when a field is misspelled', () => {
    it('reports its file position', () => {
      const report = validateText(BROKEN, 'broken.yaml');
      expect(report.valid).toBe(false);
      const lines = formatValidation(report);
      expect(lines.some((line) => /^broken\.yaml:14:\d+: .*stpes.* \(at .+\)$/.test(line))).toBe(true);
      expect(lines.at(-1)).toMatch(/^broken\.yaml: \d+ problems?$/);
    });
  });
});

describe('kiln validate', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'kiln-cli-validate-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('exits 1 offline on problems', async () => {
    const file = join(directory, 'broken.yaml');
    await writeFile(file, BROKEN);
    const output = new MemoryOutput();
    const code = await runCli(['--manager', '127.0.0.1:1', 'validate', '-f', file], { env: {}, output });
    expect(code).toBe(1);
    expect(output.stdout.at(-1)).toMatch(/problems?$/);
  });

  it('prints JSON for valid connectors', async () => {
    const output = new MemoryOutput();
    const file = new URL('connectors.yaml', FIXTURES).pathname;
    const code = await runCli(['validate', '-f', file, '--output', 'json'], { env: {}, output });
    const report = JSON.parse(output.text) as { valid: boolean; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(code).toBe(0);
  });
});
