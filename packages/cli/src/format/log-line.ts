import type { wire } from '@kiln/protocol';

/**
 * Formats one log line as `[stepId] text`. A stage-level line (no step) uses
 * the stage id. The last message of a step whose log has a gap or no
 * completeness record gets an explicit marker, so a cut log is never taken
 * for a whole one.
 */
export function formatLogLine(line: wire.LogLine__Output): string {
  const source = line.step_id !== '' ? line.step_id : line.stage_id;
  if (line.incomplete) {
    return `[${source}] !!! log incomplete: ${line.text}`;
  }
  return `[${source}] ${line.text}`;
}
