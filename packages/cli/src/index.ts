export { runCli, buildProgram, type CliEnvironment } from './cli.js';
export { CommandContext, defaultClientFactory, type ClientFactory } from './context.js';
export { ManagerClient, type ManagerClientOptions } from './manager-client.js';
export { ManagerUnreachableError, usageError } from './errors.js';
export { reportError, EXIT_FAILURE, EXIT_UNREACHABLE, EXIT_INTERRUPTED } from './error-report.js';
export { createConsoleOutput, MemoryOutput, type Output } from './output.js';
export {
  parseGlobalOptions,
  parseExecutionRef,
  parseIntegerOption,
  checkHostPort,
  DEFAULT_MANAGER_ADDRESS,
  type GlobalOptions,
  type OutputFormat,
} from './options.js';
export { buildStartRequest, parseInputs, type RawRunOptions } from './run-options.js';
export { followLogs, type FollowOptions } from './log-follower.js';
export { waitForTerminal } from './execution-waiter.js';
export { formatExecution, formatExecutionTable, formatArtifact, formatBuildRef } from './format/execution.js';
export { formatDelegateTable } from './format/delegates.js';
export { formatLogLine } from './format/log-line.js';
export { formatProblems, problemsOf } from './problems.js';
