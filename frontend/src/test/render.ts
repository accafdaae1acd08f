// Mount a component into the jsdom document for a test and give back its
// container. Components render exactly as in the browser (Svelte's client
// build), so what the tests inspect is the DOM a participant would get.

import { flushSync, mount, unmount, type Component } from 'svelte';

export interface Rendered {
  container: HTMLElement;
  destroy(): void;
}

export function render<P extends Record<string, unknown>>(component: Component<P>, props: P): Rendered {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const instance = mount(component, { target: container, props });
  flushSync();
  return {
    container,
    destroy() {
      unmount(instance);
      container.remove();
    },
  };
}

const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'background', 'data'];

/**
 * Everything in the subtree that could run script: script-capable elements,
 * event-handler attributes, style attributes, and URL attributes that are
 * not plain http(s)/mailto. Returns one line per finding.
 */
export function dangers(root: Element): string[] {
  const found: string[] = [];
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'style', 'link', 'meta', 'base', 'img', 'math', 'form', 'frame', 'details'].includes(tag)) {
      found.push(`element <${tag}>`);
    }
    for (const a of Array.from(el.attributes)) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) found.push(`<${tag}> ${name}`);
      if (name === 'style') found.push(`<${tag}> style`);
      if (URL_ATTRS.includes(name)) {
        const v = a.value;
        let ok = false;
        try {
          ok = ['http:', 'https:', 'mailto:'].includes(new URL(v).protocol) && /^(https?:\/\/|mailto:)/i.test(v);
        } catch {
          ok = false;
        }
        if (!ok) found.push(`<${tag}> ${name}=${JSON.stringify(v)}`);
      }
    }
  }
  return found;
}
