/** Key of the API token in sessionStorage: the token lives as long as the browser tab. */
const TOKEN_KEY = 'kiln.apiToken';

export function getToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Actions the signed-in token may take, as GET /api/v1/session returns them. */
let actions = new Set<string>();

export function setActions(list: readonly string[]): void {
  actions = new Set(list);
}

export function mayUse(action: string): boolean {
  return actions.has(action);
}
