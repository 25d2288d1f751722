import { api, ApiError } from '../api-client.js';
import { h } from '../dom.js';
import { clearToken, setActions, setToken } from '../session.js';

/**
 * Builds the login screen, where the user pastes the manager's API token (KILN_API_TOKEN,
 * the token the kiln CLI uses). It is checked against GET /api/v1/session and
 * kept in sessionStorage, so it is gone when the tab closes.
 */
export function loginPage(onSignedIn: () => void): { title: string; element: HTMLElement; focus(): void } {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'login-form', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in to kiln'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { class: 'hint' }, 'An API token: the manager\'s KILN_API_TOKEN or one made with kiln token create, as the kiln CLI sends it. It is kept in this browser tab only.'),
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    setToken(input.value.trim());
    api<{ actions: string[] }>('session')
      .then((session) => {
        setActions(session.actions);
        onSignedIn();
      })
      .catch((caught: unknown) => {
        clearToken();
        error.textContent = caught instanceof ApiError && caught.status === 401 ? `The manager rejected the token: ${caught.message}` : `Sign-in failed: ${(caught as Error).message}`;
        input.focus();
      })
      .finally(() => (submit.disabled = false));
  });
  return { title: 'Sign in', element: h('section', { class: 'page login' }, form), focus: () => input.focus() };
}
