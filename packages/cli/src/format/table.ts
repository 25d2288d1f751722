/**
 * Renders rows as left-aligned columns separated by two spaces, with the
 * header first. Trailing spaces are trimmed from each line.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (cells: readonly string[]): string =>
    cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [render(headers), ...rows.map(render)];
}
