import { authHeaders, failure, segment } from '../api-client.js';
import { h, replaceChildren, toast } from '../dom.js';
import { followEventStream } from '../event-stream.js';
import { elapsed, statusBadge } from '../format.js';
import { LogView } from '../log-view.js';
import type { Artifact, LogLine, Step } from '../types.js';
import type { StepSelection } from './step-tree.js';

async function copyText(text: string): Promise<void> {
  await navigator.clipboard.writeText(text);
  toast('Copied to the clipboard');
}

function artifactItem(artifact: Artifact): HTMLElement {
  const image = `${artifact.registry}/${artifact.repository}:${artifact.tag}`;
  const pinned = `${artifact.registry}/${artifact.repository}@${artifact.digest}`;
  const copy = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${pinned}` }, 'Copy');
  copy.addEventListener('click', () => void copyText(pinned).catch(() => toast('Copying failed: the browser denied clipboard access')));
  return h(
    'li',
    { class: 'artifact' },
    h('code', { class: 'image' }, image),
    h('span', { class: 'digest' }, h('code', { 'data-digest': artifact.digest }, artifact.digest || '(no digest)'), copy),
    artifact.pushed ? '' : h('span', { class: 'hint' }, ' built, not pushed'),
  );
}

function stepFacts(step: Step): HTMLElement {
  const facts: [string, string][] = [
    ['Type', step.type],
    ['Attempt', String(step.attempt)],
    ['Duration', elapsed(step.started_at_ms, step.finished_at_ms)],
  ];
  if (step.has_exit_code) facts.push(['Exit code', String(step.exit_code)]);
  if (step.error_code) facts.push(['Error', step.error_code]);
  return h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

/** Downloads the whole log of a step as text; fetch sends the token, which a plain link could not. */
async function downloadLog(executionId: string, selection: StepSelection): Promise<void> {
  const query = new URLSearchParams({ stage: selection.stageId, step: selection.stepId, attempt: String(selection.attempt), format: 'text' });
  const response = await fetch(`/api/v1/executions/${segment(executionId)}/logs?${query}`, { headers: authHeaders() });
  if (!response.ok) throw await failure(response);
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: `${selection.stageId}-${selection.stepId}-attempt${selection.attempt}.log` });
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The selected step: its facts, artifacts and live log. The log stream stays
 * open while the panel shows the same step; `update` refreshes the rest.
 */
export class StepPanel {
  readonly element = h('section', { class: 'step-panel', 'aria-labelledby': 'step-title' });
  private readonly header = h('div', { class: 'step-header' });
  private readonly logState = h('span', { class: 'log-state', role: 'status' });
  private readonly log: LogView;
  private readonly abort = new AbortController();
  private ended = false;

  constructor(private readonly executionId: string, readonly selection: StepSelection, parent: AbortSignal, linkBase: () => string) {
    parent.addEventListener('abort', () => this.dispose(), { once: true });
    this.log = new LogView(`Log of step ${selection.stepId}`, linkBase);
    const download = h('button', { type: 'button' }, 'Download log');
    download.addEventListener('click', () => void downloadLog(executionId, selection).catch((error: unknown) => toast(`Download failed: ${(error as Error).message}`)));
    const toolbar = h('div', { class: 'log-toolbar' }, h('h3', {}, 'Log'), this.logState, download);
    replaceChildren(this.element, this.header, toolbar, this.log.element);
    this.selectLineFromHash();
    const onHashChange = (): void => this.selectLineFromHash();
    window.addEventListener('hashchange', onHashChange);
    this.abort.signal.addEventListener('abort', () => window.removeEventListener('hashchange', onHashChange), { once: true });
    this.streamLog();
  }

  /** Selects the line a `#L<n>` fragment names. */
  private selectLineFromHash(): void {
    const line = /^#L(\d+)$/.exec(window.location.hash);
    if (line !== null) this.log.selectLine(Number(line[1]));
  }

  /** Shows the step's current status, facts and artifacts. */
  update(step: Step): void {
    replaceChildren(
      this.header,
      h('h2', { id: 'step-title' }, step.name || step.id, ' ', statusBadge(step.status)),
      stepFacts(step),
      step.error_message ? h('p', { class: 'error-text', role: 'alert' }, step.error_message) : '',
      step.artifacts.length > 0 ? h('div', { class: 'artifacts' }, h('h3', {}, 'Artifacts'), h('ul', {}, ...step.artifacts.map(artifactItem))) : '',
    );
  }

  private streamLog(): void {
    const query = new URLSearchParams({ stage: this.selection.stageId, step: this.selection.stepId, attempt: String(this.selection.attempt) });
    const path = `executions/${segment(this.executionId)}/logs/events?${query}`;
    this.logState.textContent = 'Streaming…';
    followEventStream(() => path, (event) => {
      if (event.event === 'lines') {
        this.log.append(JSON.parse(event.data) as LogLine[]);
        this.logState.textContent = `${this.log.lineCount} lines, streaming…`;
      } else if (event.event === 'end') {
        this.ended = true;
        this.logState.textContent = `${this.log.lineCount} lines`;
      }
    }, this.abort.signal, () => this.ended).catch((error: unknown) => {
      this.logState.textContent = `Log stream failed: ${(error as Error).message}`;
    });
  }

  dispose(): void {
    this.abort.abort();
    this.log.dispose();
  }
}
