import './styles.css';
import { api, setUnauthenticatedHandler } from './api-client.js';
import { h } from './dom.js';
import { Router } from './router.js';
import { clearToken, getToken, setActions } from './session.js';
import { buildsPage } from './views/builds-view.js';
import { delegatesPage } from './views/delegates-view.js';
import { executionPage } from './views/execution-view.js';
import { loginPage } from './views/login-view.js';
import { pipelinePage, pipelinesPage } from './views/pipelines-view.js';

const outlet = document.getElementById('main') as HTMLElement;
const logout = document.getElementById('logout') as HTMLButtonElement;

const router = new Router(outlet, () => ({ title: 'Not found', element: h('section', { class: 'page' }, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/' }, 'Go to the Builds list'))) }));

/** Shows the login screen, then returns to `returnTo` once a token works. */
function showLogin(returnTo: string): void {
  logout.hidden = true;
  // A rejected sign-in attempt also reports 401; the login form shows that itself.
  if (outlet.querySelector('.login') !== null) return;
  router.reset();
  const page = loginPage(() => {
    logout.hidden = false;
    router.navigate(returnTo, true);
  });
  document.title = `${page.title} · kiln`;
  outlet.replaceChildren(page.element);
  page.focus();
}

setUnauthenticatedHandler(() => showLogin(`${location.pathname}${location.search}${location.hash}`));

logout.addEventListener('click', () => {
  clearToken();
  showLogin('/');
});

router
  .add(/^\/$/, buildsPage)
  .add(/^\/executions\/([^/]+)$/, executionPage)
  .add(/^\/delegates$/, delegatesPage)
  .add(/^\/pipelines$/, pipelinesPage)
  .add(/^\/pipelines\/([^/]+)$/, pipelinePage);

async function start(): Promise<void> {
  if (getToken() === undefined) {
    showLogin(`${location.pathname}${location.search}${location.hash}`);
    return;
  }
  try {
    const session = await api<{ actions: string[] }>('session');
    setActions(session.actions);
    logout.hidden = false;
    router.render();
  } catch (error) {
    // A 401 already showed the login screen; another failure (manager down) is shown in place.
    if (getToken() !== undefined) {
      outlet.replaceChildren(h('section', { class: 'page' }, h('h1', {}, 'Cannot reach the manager'), h('p', { role: 'alert' }, (error as Error).message)));
    }
  }
}

void start();
