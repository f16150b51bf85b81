/**
 * @module web/layout
 * The page frame shared by every view: header with the search box, language switch, footer
 * with the keyboard help. Assets come from the server itself (/assets), as the CSP requires.
 */
import { html, type Html } from './html.ts';
import type { Lang, Strings } from './i18n.ts';

export interface PageContext {
  lang: Lang;
  t: Strings;
  /** Current query (kept in the search box). */
  q: string;
  /** Path and query of this page, for the language switch. */
  here: string;
}

function withLang(here: string, lang: Lang): string {
  const u = new URL(here, 'http://x');
  u.searchParams.set('lang', lang);
  return u.pathname + u.search;
}

export function layout(ctx: PageContext, title: string, body: Html, opts: { bodyClass?: string } = {}): string {
  const { t } = ctx;
  return '<!doctype html>\n' + html`<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · trove</title>
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/app.js" defer></script>
</head>
<body class="${opts.bodyClass ?? ''}">
<header class="top">
  <a class="brand" href="/">trove</a>
  <form class="search" action="/" method="get" role="search">
    <input id="q" name="q" type="search" value="${ctx.q}" placeholder="${t.searchPlaceholder}" aria-label="${t.search}" autocomplete="off" spellcheck="false" list="q-fields">
    <datalist id="q-fields">${['from:', 'to:', 'cc:', 'subject:', 'domain:', 'date:', 'has:attachment', 'filename:', 'verdict:verified', 'verdict:tampered', 'verdict:suspicious', 'verdict:unverifiable', 'evidence:', 'thread:'].map((f) => html`<option value="${f}"></option>`)}</datalist>
    <button type="submit">${t.search}</button>
  </form>
  <nav><a href="/status">${t.status}</a> <a href="${withLang(ctx.here, t.otherLang)}" hreflang="${t.otherLang}">${t.language}</a></nav>
</header>
<main>${body}</main>
<footer class="keys">${t.keys}</footer>
</body>
</html>
`.value;
}

export function verdictBadge(t: Strings, verdict: string): Html {
  return html`<span class="badge v-${verdict}" title="${t.verdictHelp[verdict] ?? ''}">${t.verdict[verdict] ?? verdict}</span>`;
}

export function fmtDate(d: string | null, t: Strings): string {
  return d ? d.replace('T', ' ').replace(/:\d\d\.\d+Z$|:\d\dZ$/, ' UTC') : t.undated;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function addrList(list: { name: string; address: string }[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}
