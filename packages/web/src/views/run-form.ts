import { api, ApiError, segment } from '../api-client.js';
import { h } from '../dom.js';
import { mayUse } from '../session.js';
import type { Execution, PipelineDetail, RuntimeInputField } from '../types.js';

const BUILD_TYPES: [string, string][] = [
  ['branch', 'Branch'],
  ['tag', 'Tag'],
  ['pr_number', 'Pull request'],
  ['commit_sha', 'Commit'],
];

function inputControl(field: RuntimeInputField, index: number): HTMLElement {
  const id = `input-${index}`;
  const hint = [field.default !== undefined ? `default ${field.default}` : 'required', field.regex ? `must match /${field.regex}/` : ''].filter(Boolean).join(', ');
  let control: HTMLInputElement | HTMLSelectElement;
  if (field.allowedValues !== undefined) {
    control = h('select', { id, name: field.name, 'data-input': field.name }, ...field.allowedValues.map((value) => h('option', { value, selected: value === field.default }, value)));
  } else {
    control = h('input', { id, name: field.name, 'data-input': field.name, type: 'text', value: field.default, required: field.default === undefined, pattern: field.regex });
  }
  return h('div', { class: 'field' }, h('label', { for: id }, field.label), control, h('span', { class: 'hint' }, `${field.name}: ${hint}`));
}

function buildFields(url: URL): HTMLElement {
  const type = h('select', { id: 'build-type', name: 'build_type' }, ...BUILD_TYPES.map(([value, label]) => h('option', { value, selected: url.searchParams.has(value) }, label)));
  const preset = BUILD_TYPES.map(([value]) => url.searchParams.get(value)).find((value) => value !== null) ?? '';
  const value = h('input', { id: 'build-value', name: 'build_value', type: 'text', required: true, value: preset, placeholder: 'main' });
  return h('fieldset', {}, h('legend', {}, 'Codebase build'), h('div', { class: 'field' }, h('label', { for: 'build-type' }, 'Type'), type), h('div', { class: 'field' }, h('label', { for: 'build-value' }, 'Branch, tag, PR number or commit'), value));
}

function problemsText(error: unknown): string {
  if (!(error instanceof ApiError) || error.problems.length === 0) return (error as Error).message;
  return error.problems.map((problem) => (problem as { message?: string }).message ?? '').join('\n');
}

/** Builds the Run form: the codebase build when the pipeline takes it at run time, and each `<+input>` with its allowed values and default. */
export function runForm(pipeline: PipelineDetail, url: URL): HTMLElement {
  const error = h('pre', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary', disabled: !mayUse('run') }, 'Run pipeline');
  const form = h(
    'form',
    { class: 'run-form', 'aria-labelledby': 'run-title' },
    h('h2', { id: 'run-title' }, 'Run'),
    pipeline.codebase_build === 'input' ? buildFields(url) : '',
    ...pipeline.inputs.map(inputControl),
    pipeline.inputs.length === 0 && pipeline.codebase_build !== 'input' ? h('p', { class: 'hint' }, 'This pipeline has no runtime inputs.') : '',
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const body: Record<string, unknown> = { pipeline: `${pipeline.org}/${pipeline.project}/${pipeline.identifier}` };
    const buildType = form.querySelector<HTMLSelectElement>('#build-type');
    const buildValue = form.querySelector<HTMLInputElement>('#build-value');
    if (buildType !== null && buildValue !== null) body[buildType.value] = buildValue.value.trim();
    const inputs: Record<string, string> = {};
    for (const control of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-input]')) inputs[control.dataset.input ?? control.name] = control.value;
    body.inputs = inputs;
    submit.disabled = true;
    api<Execution>('executions', { method: 'POST', body })
      .then((execution) => {
        history.pushState(null, '', `/executions/${segment(execution.id)}`);
        window.dispatchEvent(new PopStateEvent('popstate'));
      })
      .catch((caught: unknown) => {
        error.textContent = problemsText(caught);
        submit.disabled = false;
      });
  });
  return form;
}
