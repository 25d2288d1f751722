import type { Command } from 'commander';
import { parseDocuments, type Document, type Problem } from '@kiln/pipeline';
import type { CommandContext } from '../context.js';
import { formatProblems } from '../problems.js';

/** Result of `kiln validate`, also its JSON output. */
export interface ValidationReport {
  file: string;
  valid: boolean;
  documents: { kind: Document['kind']; identifier: string }[];
  problems: Problem[];
}

/** Parses and validates a file offline, without contacting the manager. */
export function validateText(text: string, file: string): ValidationReport {
  const { documents, problems } = parseDocuments(text, file);
  return {
    file,
    valid: problems.length === 0,
    documents: documents.map((document) => ({
      kind: document.kind,
      identifier: document.kind === 'pipeline' ? document.pipeline.identifier : document.connector.identifier,
    })),
    problems,
  };
}

/** Formats a validation report: each problem, then a summary line. */
export function formatValidation(report: ValidationReport): string[] {
  if (!report.valid) {
    const count = report.problems.length;
    return [...formatProblems(report.problems), `${report.file}: ${count} problem${count === 1 ? '' : 's'}`];
  }
  const pipelines = report.documents.filter((document) => document.kind === 'pipeline').length;
  const connectors = report.documents.length - pipelines;
  return [`${report.file}: valid (${plural(pipelines, 'pipeline')}, ${plural(connectors, 'connector')})`];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Registers `kiln validate -f FILE`; exits 1 when the file has problems. */
export function registerValidateCommand(program: Command, context: CommandContext): void {
  program
    .command('validate')
    .description('check a pipeline or connector YAML file offline, without the manager')
    .requiredOption('-f, --file <FILE>', 'YAML file with pipeline: and connector: documents')
    .action(async (options: { file: string }) => {
      const text = await context.readInputFile(options.file);
      const report = validateText(text, options.file);
      if (context.format === 'json') context.output.json(report);
      else for (const line of formatValidation(report)) context.output.line(line);
      if (!report.valid) context.exitCode = 1;
    });
}
