import type { wire } from '@kiln/protocol';

/**
 * Formats one log line as `[stepId] text`, or `[stepId attempt N] text` for
 * a stage's second and later attempts, so the log of a retried stage shows
 * each attempt apart. A stage-level line (no step) uses the stage id. The last message of a step whose log has a gap or no
 * completeness record gets an explicit marker, so a cut log is never taken
 * for a whole one.
 */
export function formatLogLine(line: wire.LogLine__Output): string {
  const step = line.step_id !== '' ? line.step_id : line.stage_id;
  const source = line.attempt > 1 ? `${step} attempt ${line.attempt}` : step;
  if (line.incomplete) {
    return `[${source}] !!! log incomplete: ${line.text}`;
  }
  return `[${source}] ${line.text}`;
}
