import { api, segment } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { followEventStream } from '../event-stream.js';
import { describeBuild, elapsed, formatTime, statusBadge } from '../format.js';
import type { Page } from '../router.js';
import { STATUSES, type Execution, type PipelineSummary } from '../types.js';

/** Executions per page of the Builds list; "Show more" adds another page. */
const PAGE_SIZE = 100;
/** Wait after a change event before reloading, so a burst of events causes one reload. */
const RELOAD_DELAY_MS = 300;

function buildRow(execution: Execution): HTMLTableRowElement {
  const href = `/executions/${segment(execution.id)}`;
  const commit = execution.commit_sha ? execution.commit_sha.slice(0, 7) : '';
  return h(
    'tr',
    { 'data-execution': execution.id, 'data-status': execution.status },
    h('td', {}, h('a', { href }, `#${execution.sequence_id}`)),
    h('td', {}, h('a', { href: `/pipelines/${segment(`${execution.org}/${execution.project}/${execution.pipeline}`)}` }, execution.pipeline)),
    h('td', {}, statusBadge(execution.status)),
    h('td', {}, describeBuild(execution.build_type, execution.build_value), commit ? h('code', { class: 'commit', title: execution.commit_sha }, commit) : ''),
    h('td', {}, execution.trigger),
    h('td', {}, h('time', { datetime: new Date(execution.started_at_ms || execution.created_at_ms).toISOString() }, formatTime(execution.started_at_ms || execution.created_at_ms))),
    h('td', { class: 'duration', 'data-started': execution.started_at_ms, 'data-finished': execution.finished_at_ms }, elapsed(execution.started_at_ms, execution.finished_at_ms)),
  );
}

function filterSelect(id: string, label: string, options: string[], value: string, onChange: (value: string) => void): HTMLElement {
  const select = h('select', { id, name: id }, h('option', { value: '' }, 'All'), ...options.map((option) => h('option', { value: option, selected: option === value }, option)));
  select.addEventListener('change', () => onChange(select.value));
  return h('div', { class: 'field' }, h('label', { for: id }, label), select);
}

/** Calls `reload` after `changed` events of the execution change stream, at most once per {@link RELOAD_DELAY_MS}. */
function reloadOnChanges(reload: () => void, signal: AbortSignal): void {
  let timer: number | undefined;
  followEventStream(() => 'executions/events', (event) => {
    if (event.event !== 'changed' || timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      reload();
    }, RELOAD_DELAY_MS);
  }, signal, () => false).catch(() => undefined);
  signal.addEventListener('abort', () => window.clearTimeout(timer));
}

/** Updates the duration of running executions every second. */
function tickDurations(body: HTMLElement, signal: AbortSignal): void {
  const ticker = window.setInterval(() => {
    for (const cell of body.querySelectorAll<HTMLElement>('td.duration')) {
      if (cell.dataset.finished === '0' && cell.dataset.started !== '0') cell.textContent = elapsed(Number(cell.dataset.started), 0);
    }
  }, 1000);
  signal.addEventListener('abort', () => window.clearInterval(ticker));
}

/** Builds the Builds list page: executions newest first, filtered by pipeline and status, reloaded when executions change. */
export function buildsPage(_params: string[], url: URL, signal: AbortSignal): Page {
  const pipeline = url.searchParams.get('pipeline') ?? '';
  const status = url.searchParams.get('status') ?? '';
  let limit = PAGE_SIZE;
  const body = h('tbody', {});
  const state = h('p', { class: 'list-state', role: 'status' }, 'Loading…');
  const more = h('button', { type: 'button', hidden: true }, 'Show more');
  const filters = h('div', { class: 'filters' });
  const table = h(
    'table',
    { class: 'builds', 'aria-label': 'Executions' },
    h('thead', {}, h('tr', {}, ...['Build ID', 'Pipeline', 'Status', 'Branch or tag', 'Trigger', 'Started', 'Duration'].map((title) => h('th', { scope: 'col' }, title)))),
    body,
  );

  const setFilter = (name: string, value: string): void => {
    const next = new URL(window.location.href);
    if (value) next.searchParams.set(name, value);
    else next.searchParams.delete(name);
    window.history.pushState(null, '', `${next.pathname}${next.search}`);
    window.dispatchEvent(new PopStateEvent('popstate'));
  };

  const load = async (): Promise<void> => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (pipeline) query.set('pipeline', pipeline);
    if (status) query.set('status', status);
    const { executions } = await api<{ executions: Execution[] }>(`executions?${query}`, { signal });
    replaceChildren(body, ...executions.map(buildRow));
    state.textContent = executions.length === 0 ? 'No executions match. Run a pipeline from the Pipelines page or with `kiln run`.' : `${executions.length} executions`;
    more.hidden = executions.length < limit;
  };
  const loadReporting = (): void => {
    load().catch((error: unknown) => {
      if (!signal.aborted) state.textContent = `Loading failed: ${(error as Error).message}`;
    });
  };

  more.addEventListener('click', () => {
    limit += PAGE_SIZE;
    loadReporting();
  });
  api<{ pipelines: PipelineSummary[] }>('pipelines', { signal })
    .then(({ pipelines }) => {
      const names = [...new Set(pipelines.map((item) => item.identifier))].sort();
      replaceChildren(filters, filterSelect('filter-pipeline', 'Pipeline', names, pipeline, (value) => setFilter('pipeline', value)), filterSelect('filter-status', 'Status', STATUSES, status, (value) => setFilter('status', value)));
    })
    .catch(() => undefined);

  loadReporting();
  reloadOnChanges(loadReporting, signal);
  tickDurations(body, signal);

  const element = h('section', { class: 'page' }, h('h1', {}, 'Builds'), filters, h('div', { class: 'table-scroll' }, table), state, more);
  return { title: 'Builds', nav: 'builds', element };
}
