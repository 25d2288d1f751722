import { api, ApiError, segment } from '../api-client.js';
import { h, replaceChildren, toast } from '../dom.js';
import { followEventStream } from '../event-stream.js';
import { describeBuild, elapsed, formatTime, statusBadge } from '../format.js';
import type { Page } from '../router.js';
import { mayUse } from '../session.js';
import { TERMINAL_STATUSES, type Execution } from '../types.js';
import { StepPanel } from './step-panel.js';
import { defaultSelection, findStep, renderStepTree, sameSelection, type StepSelection } from './step-tree.js';

function selectionFromUrl(url: URL): StepSelection | undefined {
  const stageId = url.searchParams.get('stage');
  const stepId = url.searchParams.get('step');
  const attempt = Number(url.searchParams.get('attempt') ?? '1');
  return stageId && stepId ? { stageId, stepId, attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1 } : undefined;
}

function selectionHref(executionId: string, selection: StepSelection): string {
  const query = new URLSearchParams({ stage: selection.stageId, step: selection.stepId, attempt: String(selection.attempt) });
  return `/executions/${segment(executionId)}?${query}`;
}

function summary(execution: Execution): HTMLElement {
  const facts: [string, HTMLElement | string][] = [
    ['Build', describeBuild(execution.build_type, execution.build_value) || 'none'],
    ['Commit', execution.commit_sha ? h('code', {}, execution.commit_sha) : ''],
    ['Trigger', execution.trigger],
    ['Started', formatTime(execution.started_at_ms || execution.created_at_ms)],
    ['Duration', h('span', { class: 'execution-duration' }, elapsed(execution.started_at_ms, execution.finished_at_ms))],
  ];
  return h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

function actionButtons(execution: Execution, navigate: (href: string) => void): HTMLElement {
  const buttons = h('div', { class: 'actions' });
  const terminal = TERMINAL_STATUSES.has(execution.status);
  if (mayUse('cancel') && !terminal) {
    const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel');
    cancel.addEventListener('click', () => {
      if (!window.confirm(`Cancel ${execution.pipeline} #${execution.sequence_id}?`)) return;
      cancel.disabled = true;
      api(`executions/${segment(execution.id)}/cancel`, { method: 'POST' })
        .then(() => toast('Cancel requested'))
        .catch((error: unknown) => {
          cancel.disabled = false;
          toast(`Cancel failed: ${(error as Error).message}`);
        });
    });
    buttons.appendChild(cancel);
  }
  if (mayUse('rerun') && terminal) {
    const rerun = h('button', { type: 'button' }, 'Re-run');
    rerun.addEventListener('click', () => {
      rerun.disabled = true;
      api<Execution>(`executions/${segment(execution.id)}/rerun`, { method: 'POST' })
        .then((next) => navigate(`/executions/${segment(next.id)}`))
        .catch((error: unknown) => {
          rerun.disabled = false;
          const formHint = error instanceof ApiError && error.code === 'MISSING_INPUT' ? ' Use Run on the pipeline page to give the inputs.' : '';
          toast(`Re-run failed: ${(error as Error).message}${formHint}`);
        });
    });
    buttons.appendChild(rerun);
  }
  return buttons;
}

function renderHeading(heading: HTMLElement, execution: Execution, navigate: (href: string) => void): void {
  replaceChildren(
    heading,
    h('h1', {}, `${execution.pipeline} #${execution.sequence_id} `, statusBadge(execution.status)),
    summary(execution),
    execution.error_message ? h('p', { class: 'error-text', role: 'alert' }, execution.error_message) : '',
    actionButtons(execution, navigate),
  );
}

/** Updates the duration in the heading every second while the execution runs. */
function tickDuration(heading: HTMLElement, current: () => Execution | undefined, signal: AbortSignal): void {
  const ticker = window.setInterval(() => {
    const cell = heading.querySelector('.execution-duration');
    const execution = current();
    if (cell !== null && execution !== undefined && !execution.finished_at_ms) cell.textContent = elapsed(execution.started_at_ms, 0);
  }, 1000);
  signal.addEventListener('abort', () => window.clearInterval(ticker));
}

/** Builds the execution view: summary, Cancel and Re-run, the stage and step tree, and the selected step's live log. */
export function executionPage(params: string[], url: URL, signal: AbortSignal): Page {
  const id = params[0] ?? '';
  const heading = h('div', { class: 'execution-head' });
  const treeBox = h('nav', { class: 'tree-box', 'aria-label': 'Stages and steps' }, h('p', { role: 'status' }, 'Loading…'));
  const panelBox = h('div', { class: 'panel-box' });
  let execution: Execution | undefined;
  let selection = selectionFromUrl(url);
  let panel: StepPanel | undefined;
  const navigate = (href: string): void => {
    history.pushState(null, '', href);
    window.dispatchEvent(new PopStateEvent('popstate'));
  };

  const select = (next: StepSelection): void => {
    selection = next;
    if (execution !== undefined) history.replaceState(null, '', selectionHref(execution.id, next));
    render();
  };

  const render = (): void => {
    if (execution === undefined) return;
    const current = execution;
    renderHeading(heading, current, navigate);
    selection ??= defaultSelection(current);
    const focused = treeBox.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.step : undefined;
    replaceChildren(treeBox, renderStepTree(current, selection, select));
    if (focused !== undefined) treeBox.querySelector<HTMLElement>(`button[data-step="${CSS.escape(focused)}"]`)?.focus();
    const found = selection === undefined ? undefined : findStep(current, selection);
    if (found === undefined || selection === undefined) {
      replaceChildren(panelBox, h('p', { class: 'hint' }, 'Select a step to see its log.'));
      return;
    }
    if (panel === undefined || !sameSelection(panel.selection, selection)) {
      panel?.dispose();
      const chosen = selection;
      panel = new StepPanel(current.id, chosen, signal, () => selectionHref(current.id, chosen));
      replaceChildren(panelBox, panel.element);
    }
    panel.update(found.step);
  };

  followEventStream(() => `executions/${segment(id)}/events`, (event) => {
    if (event.event !== 'execution') return;
    execution = JSON.parse(event.data) as Execution;
    render();
  }, signal, () => execution !== undefined && TERMINAL_STATUSES.has(execution.status)).catch((error: unknown) => {
    if (!signal.aborted) replaceChildren(treeBox, h('p', { role: 'alert' }, `Cannot load execution ${id}: ${(error as Error).message}`));
  });
  tickDuration(heading, () => execution, signal);

  const element = h('section', { class: 'page execution' }, heading, h('div', { class: 'execution-body' }, treeBox, panelBox));
  return { title: `Execution ${id}`, nav: 'builds', element };
}
