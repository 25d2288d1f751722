import type { Problem } from '@kiln/pipeline';
import { KilnError, type ErrorCode } from '@kiln/protocol';
import { ManagerUnreachableError } from './errors.js';
import type { OutputFormat } from './options.js';
import type { Output } from './output.js';
import { ConnectionLostError } from './reconnect.js';
import { formatProblems, problemsOf } from './problems.js';

/** Exit code for a user error, a rejected request or a failed execution. */
export const EXIT_FAILURE = 1;
/** Exit code when the manager cannot be reached. */
export const EXIT_UNREACHABLE = 2;
/** Exit code after Ctrl-C, as shells report SIGINT. */
export const EXIT_INTERRUPTED = 130;

const HINTS: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: "Set --token or KILN_TOKEN to the manager's KILN_API_TOKEN or to an API token from `kiln token create`.",
  PERMISSION_DENIED: 'Use an API token whose role allows this request (--token or KILN_TOKEN); an admin can create one with `kiln token create --kind api --role ROLE`.',
  PROTOCOL_MISMATCH: 'Use a kiln CLI from the same release as kiln-manager.',
  NOT_FOUND: 'Check the name or id: `kiln executions` lists executions and `kiln pipelines` lists pipelines.',
  MISSING_INPUT: 'Give each input as the problem above says (--branch, --tag, --pr, --commit, --set NAME=VALUE or --inputs FILE), then run again.',
  INVALID_PIPELINE: 'Fix the problems listed above; `kiln validate -f FILE` checks a file without the manager.',
  CONNECTOR_NOT_FOUND: 'Apply the connector with `kiln apply -f FILE` first.',
  INTERNAL: "The manager failed while handling the request; its log has the details.",
};

/**
 * Prints an error for the user and returns the exit code: 2 when the manager
 * is unreachable or stayed unreachable while following, 1 otherwise. Text goes to stderr as `error: <message>`, the
 * problems it carries and a hint; with JSON output one `{"error": ...}`
 * object goes to stdout. Stack traces are printed only for errors that are
 * not KilnErrors, because those are bugs in the CLI.
 */
export function reportError(error: unknown, output: Output, format: OutputFormat): number {
  const unreachable = error instanceof ManagerUnreachableError || error instanceof ConnectionLostError;
  const exitCode = unreachable ? EXIT_UNREACHABLE : EXIT_FAILURE;
  if (!(error instanceof KilnError)) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    output.error(`error: unexpected failure in the kiln CLI: ${text}`);
    return EXIT_FAILURE;
  }

  const problems = problemsOf(error.details);
  if (format === 'json') {
    output.json({ error: { code: error.code, message: error.message, problems } });
    return exitCode;
  }
  // The manager also lists the problems in the message for clients that cannot read the trailer, so
  // print only its summary line when the problems themselves follow.
  const message = problems.length > 0 ? (error.message.split('\n')[0] ?? error.message) : error.message;
  output.error(`error: ${message}`);
  for (const line of formatProblems(problems)) output.error(`  ${line}`);
  const hint = hintFor(error, problems);
  if (hint !== undefined) output.error(hint);
  return exitCode;
}

function hintFor(error: KilnError, problems: readonly Problem[]): string | undefined {
  if (error instanceof ManagerUnreachableError) {
    const source = error.source === 'default'
      ? 'It is the default because neither --manager nor KILN_MANAGER is set.'
      : `The address came from ${error.source}.`;
    return `${source} Start kiln-manager there, or set --manager HOST:PORT or KILN_MANAGER to its gRPC address.`;
  }
  const hint = error.details.hint;
  if (typeof hint === 'string') return hint;
  // Runtime input problems carry no file position: they come from the run's flags, not from a YAML file.
  const fromInputs = problems.length > 0 && problems.every((problem) => problem.line === 0);
  if (fromInputs) return HINTS.MISSING_INPUT;
  if (problems.length > 0 && error.code === 'INVALID_ARGUMENT') return HINTS.INVALID_PIPELINE;
  return HINTS[error.code];
}
