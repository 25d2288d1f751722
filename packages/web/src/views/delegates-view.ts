import { api } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { formatAgo } from '../format.js';
import type { Page } from '../router.js';
import type { Delegate } from '../types.js';

/** How often the Delegates page reloads: delegates heartbeat every few seconds, and no event reports it. */
const REFRESH_MS = 5000;

/** The manager's delegate states as users read them: an active delegate is connected. */
const STATE_LABELS: Record<string, string> = { active: 'connected', connected: 'connected', draining: 'draining', lost: 'lost', disconnected: 'disconnected' };

function delegateRow(delegate: Delegate): HTMLTableRowElement {
  const state = STATE_LABELS[delegate.state] ?? delegate.state;
  const free = Math.max(0, delegate.capacity - delegate.slots_used);
  return h(
    'tr',
    { 'data-delegate': delegate.id },
    h('td', {}, delegate.name),
    h('td', {}, delegate.tags.join(', ')),
    h('td', {}, delegate.version),
    h('td', {}, `${delegate.builder} ${delegate.builder_version}`.trim()),
    h('td', {}, delegate.executor),
    h('td', {}, `${delegate.slots_used} used, ${free} free`),
    h('td', {}, h('time', { datetime: new Date(delegate.last_heartbeat_ms).toISOString() }, formatAgo(delegate.last_heartbeat_ms))),
    h('td', {}, h('span', { class: `state state-${state}` }, state)),
  );
}

/** Builds the Delegates page: every registered delegate with its tags, slots and state, reloaded every 5 s. */
export function delegatesPage(_params: string[], _url: URL, signal: AbortSignal): Page {
  const body = h('tbody', {});
  const state = h('p', { class: 'list-state', role: 'status' }, 'Loading…');
  const load = (): void => {
    api<{ delegates: Delegate[] }>('delegates', { signal })
      .then(({ delegates }) => {
        replaceChildren(body, ...delegates.map(delegateRow));
        state.textContent = delegates.length === 0 ? 'No delegate is registered. Start one with `kiln-delegate --config FILE`.' : '';
      })
      .catch((error: unknown) => {
        if (!signal.aborted) state.textContent = `Loading failed: ${(error as Error).message}`;
      });
  };
  load();
  const timer = window.setInterval(load, REFRESH_MS);
  signal.addEventListener('abort', () => window.clearInterval(timer));
  const headers = ['Name', 'Tags', 'Version', 'Builder', 'Executor', 'Slots', 'Last heartbeat', 'State'];
  const table = h('table', { 'aria-label': 'Delegates' }, h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', { scope: 'col' }, title)))), body);
  return { title: 'Delegates', nav: 'delegates', element: h('section', { class: 'page' }, h('h1', {}, 'Delegates'), h('div', { class: 'table-scroll' }, table), state) };
}
