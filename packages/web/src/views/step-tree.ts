import { h } from '../dom.js';
import { describeQueueReason, elapsed, statusBadge } from '../format.js';
import type { Execution, Stage, Step } from '../types.js';

/** A step of one stage attempt, as the tree and the URL name it. */
export interface StepSelection {
  stageId: string;
  attempt: number;
  stepId: string;
}

export function sameSelection(a: StepSelection | undefined, b: StepSelection | undefined): boolean {
  return a !== undefined && b !== undefined && a.stageId === b.stageId && a.attempt === b.attempt && a.stepId === b.stepId;
}

/** Finds the stage attempt and step of a selection. */
export function findStep(execution: Execution, selection: StepSelection): { stage: Stage; step: Step } | undefined {
  for (const stage of execution.stages) {
    if (stage.id !== selection.stageId || stage.attempt !== selection.attempt) continue;
    const step = stage.steps.find((candidate) => candidate.id === selection.stepId);
    if (step !== undefined) return { stage, step };
  }
  return undefined;
}

/** Returns the step to show first: a running one, else the last failed one, else the last step that ran. */
export function defaultSelection(execution: Execution): StepSelection | undefined {
  const all = execution.stages.flatMap((stage) => stage.steps.map((step) => ({ stage, step })));
  const pick = all.find(({ step }) => step.status === 'Running') ?? [...all].reverse().find(({ step }) => step.status === 'Failed') ?? all.at(-1);
  return pick === undefined ? undefined : { stageId: pick.stage.id, attempt: pick.stage.attempt, stepId: pick.step.id };
}

/** Moves focus to the previous or next step button with the arrow keys, and to the first or last with Home and End. */
function onTreeKey(event: KeyboardEvent, tree: HTMLElement): void {
  const buttons = [...tree.querySelectorAll<HTMLButtonElement>('button.step')];
  const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (index < 0) return;
  const targets: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: buttons.length - 1 };
  const target = targets[event.key];
  if (target === undefined) return;
  event.preventDefault();
  buttons[Math.max(0, Math.min(buttons.length - 1, target))]?.focus();
}

function stepItem(stage: Stage, step: Step, selected: StepSelection | undefined, onSelect: (selection: StepSelection) => void): HTMLElement {
  const selection = { stageId: stage.id, attempt: stage.attempt, stepId: step.id };
  const current = sameSelection(selection, selected);
  const button = h(
    'button',
    { type: 'button', class: 'step', 'aria-current': current ? 'true' : undefined, 'data-step': step.id, 'data-attempt': stage.attempt },
    statusBadge(step.status),
    h('span', { class: 'step-name' }, step.name || step.id),
    h('span', { class: 'step-duration' }, elapsed(step.started_at_ms, step.finished_at_ms)),
  );
  button.addEventListener('click', () => onSelect(selection));
  return h('li', {}, button);
}

function stageItem(stage: Stage, attempts: number, selected: StepSelection | undefined, onSelect: (selection: StepSelection) => void): HTMLElement {
  const reason = stage.status === 'Queued' ? describeQueueReason(stage.reason) : '';
  const details = [
    attempts > 1 ? `attempt ${stage.attempt}` : '',
    stage.delegate_name ? `on ${stage.delegate_name}` : '',
    elapsed(stage.started_at_ms, stage.finished_at_ms),
  ].filter(Boolean);
  return h(
    'li',
    { class: 'stage', 'data-stage': stage.id, 'data-attempt': stage.attempt },
    h('div', { class: 'stage-head' }, statusBadge(stage.status), h('span', { class: 'stage-name' }, stage.name || stage.id), h('span', { class: 'stage-details' }, details.join(' · '))),
    reason ? h('p', { class: 'queue-reason', role: 'note' }, reason) : '',
    stage.error_message ? h('p', { class: 'error-text' }, stage.error_message) : '',
    stage.steps.length === 0 && !reason ? h('p', { class: 'hint' }, 'No step has started yet.') : '',
    h('ul', { class: 'steps' }, ...stage.steps.map((step) => stepItem(stage, step, selected, onSelect))),
  );
}

/** Renders the stages (each attempt separately) and their steps; the selected step is marked aria-current. */
export function renderStepTree(execution: Execution, selected: StepSelection | undefined, onSelect: (selection: StepSelection) => void): HTMLElement {
  const attempts = new Map<string, number>();
  for (const stage of execution.stages) attempts.set(stage.id, (attempts.get(stage.id) ?? 0) + 1);
  const tree = h('ul', { class: 'stage-tree', 'aria-label': 'Stages and steps' }, ...execution.stages.map((stage) => stageItem(stage, attempts.get(stage.id) ?? 1, selected, onSelect)));
  tree.addEventListener('keydown', (event) => onTreeKey(event, tree));
  return tree;
}
