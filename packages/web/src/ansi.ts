/** A run of text with one set of SGR attributes. */
export interface AnsiSegment {
  text: string;
  /** CSS classes: `ansi-bold`, `ansi-fg-1`, `ansi-bg-4`, ... */
  classes: string[];
  /** Colours outside the 16-colour palette, as CSS colour values. */
  fg?: string;
  bg?: string;
}

interface SgrState {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  fg?: number | string;
  bg?: number | string;
}

// CSI sequences (colours, cursor moves, erase) and OSC sequences (titles, hyperlinks).
// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b\[([0-9;:?]*)([A-Za-z])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[()][A-Za-z0-9]|\u001b[=>78]/g;

/** Returns the CSS colour of 256-colour index `n` outside the 16 base colours. */
function colour256(n: number): string {
  if (n < 16) return `var(--ansi-${n})`;
  if (n >= 232) {
    const level = 8 + (n - 232) * 10;
    return `rgb(${level},${level},${level})`;
  }
  const index = n - 16;
  const scale = [0, 95, 135, 175, 215, 255];
  return `rgb(${scale[Math.floor(index / 36)]},${scale[Math.floor(index / 6) % 6]},${scale[index % 6]})`;
}

/** Reads an extended colour (`38;5;n` or `38;2;r;g;b`) starting at `codes[i]`; returns it and the codes used. */
function extendedColour(codes: number[], i: number): { colour: number | string | undefined; used: number } {
  if (codes[i + 1] === 5) {
    const n = codes[i + 2] ?? 0;
    return { colour: n < 16 ? n : colour256(n), used: 3 };
  }
  if (codes[i + 1] === 2) return { colour: `rgb(${codes[i + 2] ?? 0},${codes[i + 3] ?? 0},${codes[i + 4] ?? 0})`, used: 5 };
  return { colour: undefined, used: 1 };
}

function applyCode(state: SgrState, codes: number[], i: number): number {
  const code = codes[i] ?? 0;
  if (code === 0) Object.assign(state, { bold: false, dim: false, italic: false, underline: false, inverse: false, fg: undefined, bg: undefined });
  else if (code === 1) state.bold = true;
  else if (code === 2) state.dim = true;
  else if (code === 3) state.italic = true;
  else if (code === 4) state.underline = true;
  else if (code === 7) state.inverse = true;
  else if (code === 22) state.bold = state.dim = false;
  else if (code === 23) state.italic = false;
  else if (code === 24) state.underline = false;
  else if (code === 27) state.inverse = false;
  else if (code >= 30 && code <= 37) state.fg = code - 30;
  else if (code >= 90 && code <= 97) state.fg = code - 90 + 8;
  else if (code === 39) state.fg = undefined;
  else if (code >= 40 && code <= 47) state.bg = code - 40;
  else if (code >= 100 && code <= 107) state.bg = code - 100 + 8;
  else if (code === 49) state.bg = undefined;
  else if (code === 38 || code === 48) {
    const { colour, used } = extendedColour(codes, i);
    if (code === 38) state.fg = colour;
    else state.bg = colour;
    return used;
  }
  return 1;
}

function segmentOf(text: string, state: SgrState): AnsiSegment {
  const classes: string[] = [];
  if (state.bold) classes.push('ansi-bold');
  if (state.dim) classes.push('ansi-dim');
  if (state.italic) classes.push('ansi-italic');
  if (state.underline) classes.push('ansi-underline');
  const fg = state.inverse ? state.bg : state.fg;
  const bg = state.inverse ? state.fg : state.bg;
  const segment: AnsiSegment = { text, classes };
  if (typeof fg === 'number') classes.push(`ansi-fg-${fg}`);
  else if (fg !== undefined) segment.fg = fg;
  if (typeof bg === 'number') classes.push(`ansi-bg-${bg}`);
  else if (bg !== undefined) segment.bg = bg;
  if (state.inverse && fg === undefined) classes.push('ansi-inverse');
  return segment;
}

/**
 * Splits a line with ANSI escape sequences into styled segments. SGR
 * sequences (`ESC[...m`) set bold, dim, italic, underline, inverse and the
 * 16, 256 and 24-bit colours; every other escape sequence is dropped.
 */
export function parseAnsi(line: string): AnsiSegment[] {
  const segments: AnsiSegment[] = [];
  const state: SgrState = { bold: false, dim: false, italic: false, underline: false, inverse: false };
  let last = 0;
  for (const match of line.matchAll(ESCAPE)) {
    const index = match.index ?? 0;
    if (index > last) segments.push(segmentOf(line.slice(last, index), state));
    last = index + match[0].length;
    if (match[2] !== 'm') continue;
    const codes = (match[1] ?? '').split(/[;:]/).map((part) => (part === '' ? 0 : Number(part)));
    for (let i = 0; i < codes.length; ) i += applyCode(state, codes, i);
  }
  if (last < line.length) segments.push(segmentOf(line.slice(last), state));
  return segments;
}

/** Returns the text of a line without escape sequences, e.g. for search or copy. */
export function stripAnsi(line: string): string {
  return line.replace(ESCAPE, '');
}
