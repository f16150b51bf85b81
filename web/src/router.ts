/**
 * @module web/router
 * History-API routing for the client's few views. Written here rather than taken from a
 * router library: the routes are five fixed patterns, and a dependency would add more code
 * than this file. Same-origin link clicks are intercepted by the app shell (Link below).
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'search'; q: string; offset: number; sort: string }
  | { view: 'message'; id: string }
  | { view: 'thread'; id: string }
  | { view: 'status' }
  | { view: 'forensics' }
  | { view: 'provenance' }
  | { view: 'not-found'; path: string };

const listeners = new Set<() => void>();

export function parseRoute(path: string, search: string): Route {
  const p = new URLSearchParams(search);
  let m: RegExpExecArray | null;
  if (path === '/' || path === '/search') return { view: 'search', q: p.get('q') ?? '', offset: Math.max(0, Number(p.get('offset')) || 0), sort: p.get('sort') ?? '' };
  if ((m = /^\/messages\/([^/]+)$/.exec(path))) return { view: 'message', id: decodeURIComponent(m[1]) };
  if ((m = /^\/threads\/([^/]+)$/.exec(path))) return { view: 'thread', id: decodeURIComponent(m[1]) };
  if (path === '/status') return { view: 'status' };
  if (path === '/forensics') return { view: 'forensics' };
  if (path === '/provenance') return { view: 'provenance' };
  return { view: 'not-found', path };
}

export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.scrollTo(0, 0);
  for (const f of listeners) f();
}

/** The URL of a search. */
export function searchUrl(q: string, extra: { offset?: number; sort?: string } = {}): string {
  const u = new URLSearchParams();
  if (q.trim()) u.set('q', q.trim());
  if (extra.sort) u.set('sort', extra.sort);
  if (extra.offset) u.set('offset', String(extra.offset));
  const s = u.toString();
  return s ? `/?${s}` : '/';
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** Left clicks without modifiers on same-origin links navigate inside the app. */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.hasAttribute('download') || a.target || !a.href) return;
  const u = new URL(a.href);
  if (u.origin !== location.origin || u.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(u.pathname + u.search);
}
