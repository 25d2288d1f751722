/** Attributes and properties of an element built by {@link h}. */
export type Props = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** A child of an element: a node, text, or nothing. */
export type Child = Node | string | number | undefined | null | false;

/**
 * Creates an element. Keys starting with `on` add event listeners; `true`
 * sets a boolean attribute, and false or undefined leaves it out. Text
 * children become text nodes, so no value is ever parsed as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(key, '');
    else element.setAttribute(key, String(value));
  }
  append(element, children);
  return element;
}

/** Appends children to `parent`, skipping empty ones. */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Shows a short message in the polite live region. */
export function toast(message: string): void {
  const region = document.getElementById('toast');
  if (region === null) return;
  region.textContent = message;
  region.classList.add('visible');
  window.setTimeout(() => region.classList.remove('visible'), 3000);
}
