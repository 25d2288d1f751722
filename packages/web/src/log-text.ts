/**
 * Collapses carriage-return progress output within one log line: `10%\r20%\r30%`
 * becomes `30%`. A trailing `\r` (CRLF output) is dropped first. A terminal
 * would keep the tail of a longer earlier segment, but progress bars redraw
 * the whole line, so the last segment alone is what they mean.
 */
export function collapseCarriageReturns(text: string): string {
  const trimmed = text.replace(/\r+$/, '');
  const last = trimmed.lastIndexOf('\r');
  return last < 0 ? trimmed : trimmed.slice(last + 1);
}
