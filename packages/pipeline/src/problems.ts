import type { Problem } from './model.js';

/**
 * Formats a problem as `file:line:column: message (at path)`, the form editors
 * and terminals link to. A problem with no position (line 0) prints `file: message (at path)`.
 */
export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  const at = problem.path === '' ? '' : ` (at ${problem.path})`;
  return `${where}: ${problem.message}${at}`;
}

/** Orders problems by file, then line, then column, keeping the report order for ties. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort(
      (a, b) =>
        a.problem.file.localeCompare(b.problem.file) ||
        a.problem.line - b.problem.line ||
        a.problem.column - b.problem.column ||
        a.index - b.index,
    )
    .map((entry) => entry.problem);
}
