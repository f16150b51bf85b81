/**
 * @module web/pages/thread
 * A thread's messages in time order, each with its verdict.
 */
import { html } from '../html.ts';
import { fmtDate, layout, verdictBadge, type PageContext } from '../layout.ts';

export interface ThreadRow {
  id: string;
  date: string | null;
  subject: string | null;
  from: string | null;
  verdict: string | null;
}

export function threadPage(ctx: PageContext, id: string, rows: ThreadRow[]): string {
  const { t } = ctx;
  const body = html`<section class="thread">
<p class="crumbs"><a href="/" data-key="u">${t.backToResults}</a> · <a href="/?q=${encodeURIComponent(`thread:${id}`)}">thread:${id}</a></p>
<h1>${t.thread}: ${rows[0]?.subject ?? id}</h1>
<ol class="hits" id="list">${rows.map((r) => html`<li class="hit" data-href="/messages/${r.id}">
  <div class="line1">${verdictBadge(t, r.verdict ?? 'unverifiable')} <a class="subject" href="/messages/${r.id}">${r.subject || '(no subject)'}</a></div>
  <div class="line2"><span class="from">${r.from ?? ''}</span> · <time>${fmtDate(r.date, t)}</time></div>
</li>`)}</ol>
</section>`;
  return layout(ctx, `${t.thread} ${id}`, body);
}
