import { KilnError } from '@kiln/protocol';
import { ManagerUnreachableError, usageError } from './errors.js';
import { reportError } from './error-report.js';
import { MemoryOutput } from './output.js';

const problems = [
  { code: 'UNKNOWN_FIELD', message: "unknown field 'stpes'; known fields: steps", file: 'ci.yaml', line: 12, column: 9, path: 'pipeline.stages[0].stage.spec.execution' },
];

describe('reportError', () => {
  describe('when the manager is unreachable', () => {
    it('exits 2 naming the address source', () => {
      const output = new MemoryOutput();
      const code = reportError(new ManagerUnreachableError('10.0.0.9:7443', 'KILN_MANAGER', { reason: 'connect ECONNREFUSED' }), output, 'text');
      expect(code).toBe(2);
      expect(output.stderr).toEqual([
        'error: cannot reach the kiln manager at 10.0.0.9:7443 (connect ECONNREFUSED)',
        'The address came from KILN_MANAGER. Start kiln-manager there, or set --manager HOST:PORT or KILN_MANAGER to its gRPC address.',
      ]);
    });
  });

  describe('when a usage error has a hint', () => {
    it('prints message and hint', () => {
      const output = new MemoryOutput();
      expect(reportError(usageError("invalid --limit 'x'", 'Give a whole number from 1 to 1000.'), output, 'text')).toBe(1);
      expect(output.stderr).toEqual(["error: invalid --limit 'x'", 'Give a whole number from 1 to 1000.']);
      expect(output.stdout).toEqual([]);
    });
  });

  describe('when runtime inputs are missing', () => {
    it('names every way to give them', () => {
      const inputProblems = [{ code: 'MISSING_INPUT', message: 'missing codebase build: pass --branch, --tag, --pr or --commit', file: 'CI_Quickstart', line: 0, column: 0, path: 'pipeline.properties.ci.codebase.build' }];
      const output = new MemoryOutput();
      reportError(new KilnError('MISSING_INPUT', 'pipeline "CI_Quickstart" cannot start', { details: { problems: inputProblems } }), output, 'text');
      expect(output.stderr.at(-1)).toBe(
        'Give each input as the problem above says (--branch, --tag, --pr, --commit, --set NAME=VALUE or --inputs FILE), then run again.',
      );
    });
  });

  describe('when problems come with the error', () => {
    const error = new KilnError('INVALID_PIPELINE', 'ci.yaml has 1 problem', { details: { problems } });

    it('prints each problem once when the message lists them too', () => {
      const listed = new KilnError('INVALID_ARGUMENT', "ci.yaml has 1 problem:\nci.yaml:12:9: unknown field 'stpes'", { details: { problems } });
      const output = new MemoryOutput();
      reportError(listed, output, 'text');
      expect(output.stderr[0]).toBe('error: ci.yaml has 1 problem:');
      expect(output.stderr.filter((line) => line.includes('stpes'))).toHaveLength(1);
    });

    it('lists them with positions', () => {
      const output = new MemoryOutput();
      reportError(error, output, 'text');
      expect(output.stderr[1]).toBe("  ci.yaml:12:9: unknown field 'stpes'; known fields: steps (at pipeline.stages[0].stage.spec.execution)");
    });

    it('prints one JSON error object', () => {
      const output = new MemoryOutput();
      expect(reportError(error, output, 'json')).toBe(1);
      expect(JSON.parse(output.text)).toEqual({ error: { code: 'INVALID_PIPELINE', message: 'ci.yaml has 1 problem', problems } });
      expect(output.stderr).toEqual([]);
    });
  });

  describe('when the error is a bug in the CLI', () => {
    it('keeps the stack trace', () => {
      const output = new MemoryOutput();
      expect(reportError(new TypeError('x is undefined'), output, 'text')).toBe(1);
      expect(output.stderr[0]).toBe('error: unexpected failure in the kiln CLI: TypeError: x is undefined');
      expect(output.stderr.length).toBeGreaterThan(1);
    });
  });
});
