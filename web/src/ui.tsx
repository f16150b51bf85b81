/**
 * @module web/ui
 * Pieces shared by the views: the interface text in context, verdict badges, snippets,
 * formatting, and a hook that loads API data for the current parameters. Text from the case
 * is hostile: it is only ever rendered as text nodes (Preact escapes it), never as markup.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Lang, Strings } from './i18n.ts';
import { strings } from './i18n.ts';
import { ApiFailure } from './api.ts';

export const LangContext = createContext<{ lang: Lang; t: Strings }>({ lang: 'en', t: strings('en') });

export function useT(): Strings {
  return useContext(LangContext).t;
}

export function Badge({ verdict }: { verdict: string | null }) {
  const t = useT();
  const v = verdict ?? 'unverifiable';
  return <span class={`badge v-${v}`} title={t.verdictHelp[v] ?? ''}>{t.verdict[v] ?? v}</span>;
}

/** The search snippet: U+0002 … U+0003 around each match become <mark> elements (as text). */
export function Snippet({ text }: { text: string }) {
  const parts: ComponentChildren[] = [];
  const re = /\u0002([^\u0003]*)\u0003/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(<mark>{m[1]}</mark>);
    last = re.lastIndex;
  }
  if (last < text.length) parts.push(text.slice(last).replace(/[\u0002\u0003]/g, ''));
  return <div class="snippet">{parts}</div>;
}

export function fmtDate(d: string | null | undefined, t: Strings): string {
  return d ? d.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : t.undated;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function addrList(list: { name: string; address: string }[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; error: ApiFailure | Error };

/** Runs `load` whenever `deps` change; aborts the previous run. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [s, set] = useState<Loaded<T>>({ state: 'loading' });
  const [n, bump] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    set({ state: 'loading' });
    load(ac.signal).then(
      (data) => { if (!ac.signal.aborted) set({ state: 'ok', data }); },
      (error: Error) => { if (!ac.signal.aborted) set({ state: 'error', error }); },
    );
    return () => ac.abort();
  }, [...deps, n]);
  return [s, () => bump((x) => x + 1)];
}

export function ErrorBox({ error }: { error: Error }) {
  const t = useT();
  const code = error instanceof ApiFailure ? error.code : 'error';
  return <p class="error" role="alert"><strong>{t.error}</strong> <code>{code}</code> {error.message}</p>;
}

export function Loading() {
  return <p class="loading" aria-busy="true">{useT().loading}</p>;
}

/** Adds a field term to a query, quoting values with spaces or parentheses. */
export function refine(q: string, field: string, value: string): string {
  const v = /[\s()"]/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
  return `${q.trim()} ${field}:${v}`.trim();
}
