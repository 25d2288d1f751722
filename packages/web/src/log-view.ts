import { parseAnsi } from './ansi.js';
import { h } from './dom.js';
import { collapseCarriageReturns } from './log-text.js';
import type { LogLine } from './types.js';

/** Height of one log row in pixels; the stylesheet sets the same (`--log-row`). */
export const ROW_HEIGHT = 20;
/** Rows rendered above and below the visible ones, so fast scrolling shows no blank rows. */
const OVERSCAN = 20;

interface StoredLine {
  text: string;
  stream: string;
  incomplete: boolean;
}

/**
 * A virtualised log: only the rows in view are in the DOM, so a log of
 * 100,000 lines scrolls as fast as one of 100. Each row has a line number
 * that links to `#L<n>`; ANSI colours are rendered and `\r` progress output
 * is collapsed. While the view is scrolled to the bottom it follows new lines.
 */
export class LogView {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly lines: StoredLine[] = [];
  private readonly seen = new Set<string>();
  private follow = true;
  private selected = 0;
  private pendingScrollTo = 0;
  private frame = 0;
  private renderedRange = '';

  constructor(label: string, private readonly linkBase: () => string) {
    this.spacer = h('div', { class: 'log-spacer' });
    this.rows = h('div', { class: 'log-rows' });
    this.viewport = h('div', { class: 'log-viewport', tabindex: 0, role: 'log', 'aria-label': label, 'aria-live': 'off' }, this.spacer, this.rows);
    this.viewport.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.element = h('div', { class: 'log-view' }, this.viewport);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Adds lines, skipping ones already shown (same attempt and seq), e.g. after a reconnect replays the log. */
  append(lines: readonly LogLine[]): void {
    for (const line of lines) {
      const key = line.incomplete ? `incomplete:${line.text}` : `${line.attempt}:${line.seq}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.lines.push({ text: collapseCarriageReturns(line.text), stream: line.stream, incomplete: line.incomplete });
    }
    this.schedule();
  }

  /** Highlights line `n` (from 1) and scrolls to it, now or once it has arrived. */
  selectLine(n: number): void {
    this.selected = n;
    this.follow = false;
    if (n <= this.lines.length) this.scrollToLine(n);
    else this.pendingScrollTo = n;
    this.renderedRange = '';
    this.schedule();
  }

  private scrollToLine(n: number): void {
    this.pendingScrollTo = 0;
    this.spacer.style.height = `${this.lines.length * ROW_HEIGHT}px`;
    this.viewport.scrollTop = Math.max(0, (n - 1) * ROW_HEIGHT - this.viewport.clientHeight / 3);
  }

  private onScroll(): void {
    const bottom = this.viewport.scrollHeight - this.viewport.clientHeight - this.viewport.scrollTop;
    this.follow = bottom < ROW_HEIGHT * 2;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    this.spacer.style.height = `${this.lines.length * ROW_HEIGHT}px`;
    if (this.pendingScrollTo > 0 && this.pendingScrollTo <= this.lines.length) this.scrollToLine(this.pendingScrollTo);
    else if (this.follow) this.viewport.scrollTop = this.viewport.scrollHeight;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.lines.length, Math.ceil((this.viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const range = `${first}:${last}:${this.selected}`;
    if (range === this.renderedRange) return;
    this.renderedRange = range;
    this.rows.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const fragment = document.createDocumentFragment();
    for (let index = first; index < last; index += 1) fragment.appendChild(this.renderRow(index));
    this.rows.replaceChildren(fragment);
  }

  private renderRow(index: number): HTMLElement {
    const line = this.lines[index] as StoredLine;
    const n = index + 1;
    const text = h('span', { class: 'log-text' });
    for (const segment of parseAnsi(line.text)) {
      const span = h('span', segment.classes.length > 0 ? { class: segment.classes.join(' ') } : {}, segment.text);
      if (segment.fg !== undefined) span.style.color = segment.fg;
      if (segment.bg !== undefined) span.style.backgroundColor = segment.bg;
      text.appendChild(span);
    }
    const classes = ['log-row', `log-${line.stream}`];
    if (line.incomplete) classes.push('log-incomplete');
    if (n === this.selected) classes.push('log-selected');
    const link = h('a', { class: 'line-number', href: `${this.linkBase()}#L${n}`, 'aria-label': `Line ${n}`, tabindex: -1 }, String(n));
    link.addEventListener('click', (event) => {
      event.preventDefault();
      history.replaceState(history.state, '', `${this.linkBase()}#L${n}`);
      this.selectLine(n);
    });
    return h('div', { class: classes.join(' '), 'data-line': n }, link, text);
  }

  /** Stops rendering; call when the view is removed. */
  dispose(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
  }
}
