import { api, segment } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import type { Page } from '../router.js';
import type { PipelineDetail, PipelineSummary } from '../types.js';
import { runForm } from './run-form.js';

function reference(pipeline: PipelineSummary): string {
  return `${pipeline.org}/${pipeline.project}/${pipeline.identifier}`;
}

/** Builds the Pipelines page: every stored pipeline with its last Build ID. */
export function pipelinesPage(_params: string[], _url: URL, signal: AbortSignal): Page {
  const body = h('tbody', {});
  const state = h('p', { class: 'list-state', role: 'status' }, 'Loading…');
  api<{ pipelines: PipelineSummary[] }>('pipelines', { signal })
    .then(({ pipelines }) => {
      replaceChildren(
        body,
        ...pipelines.map((pipeline) =>
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: `/pipelines/${segment(reference(pipeline))}` }, pipeline.name)),
            h('td', {}, h('code', {}, pipeline.identifier)),
            h('td', {}, `${pipeline.org}/${pipeline.project}`),
            h('td', {}, pipeline.last_sequence_id > 0 ? h('a', { href: `/?pipeline=${encodeURIComponent(pipeline.identifier)}` }, `#${pipeline.last_sequence_id}`) : 'never run'),
            h('td', {}, formatTime(pipeline.updated_at_ms)),
          ),
        ),
      );
      state.textContent = pipelines.length === 0 ? 'No pipeline is stored. Apply one with `kiln apply -f pipeline.yaml`.' : '';
    })
    .catch((error: unknown) => {
      if (!signal.aborted) state.textContent = `Loading failed: ${(error as Error).message}`;
    });
  const headers = ['Name', 'Identifier', 'Org/project', 'Last build', 'Updated'];
  const table = h('table', { 'aria-label': 'Pipelines' }, h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', { scope: 'col' }, title)))), body);
  return { title: 'Pipelines', nav: 'pipelines', element: h('section', { class: 'page' }, h('h1', {}, 'Pipelines'), h('div', { class: 'table-scroll' }, table), state) };
}

/** Builds the page of one pipeline: its YAML and the Run form with its runtime inputs. */
export function pipelinePage(params: string[], url: URL, signal: AbortSignal): Page {
  const ref = params[0] ?? '';
  const content = h('div', { class: 'pipeline' }, h('p', { role: 'status' }, 'Loading…'));
  api<PipelineDetail>(`pipelines/${segment(ref)}`, { signal })
    .then((pipeline) => {
      replaceChildren(
        content,
        h('h1', {}, pipeline.name, ' ', h('code', {}, pipeline.identifier)),
        h('div', { class: 'pipeline-body' }, runForm(pipeline, url), h('section', { class: 'yaml', 'aria-labelledby': 'yaml-title' }, h('h2', { id: 'yaml-title' }, 'YAML'), h('p', { class: 'hint' }, `Applied from ${pipeline.source_file}`), h('pre', { tabindex: 0 }, h('code', {}, pipeline.yaml)))),
      );
    })
    .catch((error: unknown) => {
      if (!signal.aborted) replaceChildren(content, h('p', { role: 'alert' }, `Cannot load pipeline ${ref}: ${(error as Error).message}`));
    });
  return { title: `Pipeline ${ref}`, nav: 'pipelines', element: h('section', { class: 'page' }, content) };
}
