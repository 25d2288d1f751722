import { formatProblem, type Problem } from '@kiln/pipeline';

/**
 * Reads the problems a KilnError carries in `details.problems` (from the
 * `kiln-problems-bin` trailer). Entries that are not objects are skipped and
 * missing fields become empty, because the trailer is another process's JSON.
 */
export function problemsOf(details: Readonly<Record<string, unknown>>): Problem[] {
  const raw = details.problems;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((entry) => ({
    code: String(entry.code ?? '') as Problem['code'],
    message: String(entry.message ?? ''),
    file: String(entry.file ?? ''),
    line: Number(entry.line ?? 0),
    column: Number(entry.column ?? 0),
    path: String(entry.path ?? ''),
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Formats problems as `file:line:column: message (at path)`, one line each. */
export function formatProblems(problems: readonly Problem[]): string[] {
  return problems.map((problem) => formatProblem(problem));
}
