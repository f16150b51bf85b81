/**
 * @module web/pages/message
 * One message: the verdict and why, header fields, the body (sanitised HTML in a sandboxed
 * srcdoc iframe: no scripts, no same-origin, no forms, no popups), plain text, all headers,
 * attachments with metadata, the evidence panel with DKIM details, sources and thread.
 */
import type { MessageView } from '../../server/message-view.ts';
import { frameDocument } from '../../server/sanitize.ts';
import { html, type Html } from '../html.ts';
import { addrList, fmtBytes, fmtDate, layout, verdictBadge, type PageContext } from '../layout.ts';

interface Dkim {
  domain?: string;
  selector?: string;
  algorithm?: string;
  result?: string;
  body_hash?: string;
  header_signature?: string;
  aligned?: boolean;
  key?: string;
  length_limit?: number | null;
  signed_headers?: string[];
}

function metadataList(meta: Record<string, unknown>): Html {
  const entries = Object.entries(meta).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (!entries.length) return html``;
  return html`<dl class="meta">${entries.slice(0, 30).map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>`)}</dl>`;
}

export function messagePage(ctx: PageContext, m: MessageView): string {
  const { t } = ctx;
  const dkim = m.dkim as Dkim[];
  const yes = (b: boolean | undefined) => (b ? t.yes : t.no);
  const fields: [string, string][] = [
    [t.from, addrList(m.from)],
    [t.to, addrList(m.to)],
    ...(m.cc.length ? [[t.cc, addrList(m.cc)] as [string, string]] : []),
    [t.date, `${fmtDate(m.date, t)}${m.date_raw ? `  (${m.date_raw})` : ''}`],
    [t.messageId, m.message_id ?? '—'],
    [t.sha256, m.id],
    [t.size, fmtBytes(m.size)],
  ];
  const body = m.html !== null
    ? html`<div class="notes">
  ${m.remote_blocked ? html`<p class="blocked" role="status">${t.remoteBlocked(m.remote_blocked, m.remote_hosts)}</p>` : ''}
  <p class="sandbox">${t.sandboxNote}${m.links ? ' ' + t.linksNote : ''}</p>
</div>
<iframe class="mailbody" title="${t.body}" sandbox="" referrerpolicy="no-referrer" loading="eager" srcdoc="${frameDocument(m.html)}"></iframe>
<details class="plain"><summary>${t.text}</summary><pre>${m.text || t.noBody}</pre></details>`
    : html`<pre class="textbody">${m.text || t.noBody}</pre>`;
  const evidence = html`<section class="panel evidence" aria-labelledby="ev-h">
  <h2 id="ev-h">${t.evidencePanel}</h2>
  <p class="verdict-line">${verdictBadge(t, m.verdict)} ${t.verdictHelp[m.verdict] ?? ''}</p>
  ${m.evidence.length ? html`<ul class="findings">${m.evidence.map((e) => html`<li class="sev-${e.severity}"><span class="sev">${e.severity}</span> <code>${e.code}</code><p>${e.detail}</p></li>`)}</ul>` : html`<p>${t.noEvidence}</p>`}
  <h3>${t.dkim}</h3>
  ${dkim.length ? dkim.map((s) => html`<table class="dkim"><tbody>
    <tr><th>${t.domain}</th><td>${s.domain ?? ''}</td></tr>
    <tr><th>${t.selector}</th><td>${s.selector ?? ''}</td></tr>
    <tr><th>${t.result}</th><td><b class="r-${s.result ?? ''}">${s.result ?? ''}</b></td></tr>
    <tr><th>${t.algorithm}</th><td>${s.algorithm ?? ''}</td></tr>
    <tr><th>${t.bodyHash}</th><td>${s.body_hash ?? ''}</td></tr>
    <tr><th>${t.headerSig}</th><td>${s.header_signature ?? ''}</td></tr>
    <tr><th>${t.aligned}</th><td>${yes(s.aligned)}</td></tr>
    <tr><th>${t.key}</th><td>${s.key ?? ''}</td></tr>
    ${s.length_limit !== null && s.length_limit !== undefined ? html`<tr><th>${t.lengthLimit}</th><td>${s.length_limit}</td></tr>` : ''}
    <tr><th>${t.signedHeaders}</th><td>${(s.signed_headers ?? []).join(', ')}</td></tr>
  </tbody></table>`) : html`<p>${t.noDkim}</p>`}
  <p>${t.arc}: ${m.arc.result}${m.arc.instances ? ` (${m.arc.instances})` : ''}</p>
  <p class="downloads"><a class="button" href="/api/messages/${m.id}/report?format=html" download>${t.report} (HTML)</a> <a href="/api/messages/${m.id}/report?format=md" download>Markdown</a> · <a href="/api/messages/${m.id}/report?format=json" download>JSON</a></p>
</section>`;
  const attachments = html`<section class="panel" aria-labelledby="att-h"><h2 id="att-h">${t.attachments}</h2>
  ${m.attachments.length ? html`<ul class="attachments">${m.attachments.map((a, i) => html`<li>
    <a href="/api/messages/${m.id}/attachments/${i}" download>${a.filename ?? `(${a.content_type})`}</a> <span class="ct">${a.content_type}</span> · ${fmtBytes(a.size)}
    <div class="sha">sha256 ${a.sha256}</div>${metadataList(a.metadata)}</li>`)}</ul>` : html`<p>${t.noAttachments}</p>`}
</section>`;
  const page = html`<article class="message">
<p class="crumbs"><a href="/" data-key="u">${t.backToResults}</a> · <a href="/threads/${m.thread_id}">${t.viewThread}</a> · <a href="/api/messages/${m.id}/raw" download>${t.raw}</a></p>
<h1>${verdictBadge(t, m.verdict)} ${m.subject || '(no subject)'}</h1>
<div class="columns">
<div class="main">
<table class="fields"><tbody>${fields.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>
${body}
<details class="headers"><summary>${t.headers} (${m.headers.length})</summary><table class="allheaders"><tbody>${m.headers.map((h) => html`<tr><th>${h.name}</th><td>${h.value}</td></tr>`)}</tbody></table></details>
<section class="panel"><h2>${t.sources}</h2><ul class="sources">${m.sources.map((s) => html`<li><code>${s.locator}</code></li>`)}</ul></section>
</div>
<div class="side">${evidence}${attachments}</div>
</div>
</article>`;
  return layout(ctx, m.subject || m.id.slice(0, 12), page);
}
