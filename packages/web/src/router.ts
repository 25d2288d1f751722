/** A mounted page: its root element; the router aborts `signal` when the page is left. */
export interface Page {
  element: HTMLElement;
  title: string;
  /** `data-nav` of the main menu entry to mark as current. */
  nav?: string;
}

export type PageFactory = (params: string[], url: URL, signal: AbortSignal) => Page;

interface Route {
  pattern: RegExp;
  page: PageFactory;
}

/** History-API routing for the app's paths; the manager serves index.html for all of them. */
export class Router {
  private readonly routes: Route[] = [];
  private current: AbortController | undefined;
  private currentPath = '';

  constructor(private readonly outlet: HTMLElement, private readonly notFound: PageFactory) {
    window.addEventListener('popstate', () => this.render());
    document.addEventListener('click', (event) => this.onClick(event));
  }

  add(pattern: RegExp, page: PageFactory): this {
    this.routes.push({ pattern, page });
    return this;
  }

  /** Goes to `href` (a path with query and hash) and renders its page. */
  navigate(href: string, replace = false): void {
    if (replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    this.render();
  }

  /** Renders the page of the current location again, e.g. after signing in. */
  render(): void {
    const url = new URL(window.location.href);
    const pathAndQuery = `${url.pathname}${url.search}`;
    // A hash-only change (a log line link) stays on the page.
    if (pathAndQuery === this.currentPath && this.current !== undefined) return;
    this.currentPath = pathAndQuery;
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    const route = this.routes.find((candidate) => candidate.pattern.test(url.pathname));
    const params = route === undefined ? [] : (route.pattern.exec(url.pathname) ?? []).slice(1).map((part) => decodeURIComponent(part));
    const page = (route?.page ?? this.notFound)(params, url, controller.signal);
    document.title = `${page.title} · kiln`;
    for (const link of document.querySelectorAll<HTMLElement>('[data-nav]')) {
      if (link.dataset.nav === page.nav) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    this.outlet.replaceChildren(page.element);
  }

  /** Forces the next render to build the page again even if the path did not change. */
  reset(): void {
    this.current?.abort();
    this.current = undefined;
  }

  private onClick(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest('a');
    if (anchor === null || anchor === undefined || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    event.preventDefault();
    this.navigate(`${url.pathname}${url.search}${url.hash}`);
  }
}
