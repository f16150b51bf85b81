/**
 * @module web/pages/status
 * The ingest accounting (`trove status`) as a page.
 */
import type { Status } from '../../store/queries.ts';
import { html } from '../html.ts';
import { fmtBytes, layout, type PageContext } from '../layout.ts';

export function statusPage(ctx: PageContext, s: Status): string {
  const { t } = ctx;
  const counts: [string, string | number][] = [
    [t.messages, s.messages], [t.unique, s.unique], [t.duplicates, s.duplicates], [t.containers, s.containers],
    [t.files, s.files], [t.skipped, s.skipped.length], [t.errors, s.errors.length], [t.parseErrors, s.parse_errors], [t.bytes, fmtBytes(s.bytes)],
  ];
  const rows = (list: { locator: string; code: string; reason?: string; message?: string }[]) =>
    list.length ? html`<table class="items"><tbody>${list.map((r) => html`<tr><td><code>${r.code}</code></td><td><code>${r.locator}</code></td><td>${r.reason ?? r.message ?? ''}</td></tr>`)}</tbody></table>` : html`<p>${t.none}</p>`;
  const body = html`<section class="status">
<h1>${t.status}</h1>
<dl class="counts">${counts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
<h2>${t.skipped}</h2>${rows(s.skipped)}
<h2>${t.errors}</h2>${rows(s.errors)}
<h2>${t.warnings}</h2>${rows(s.warnings)}
${s.incomplete.length ? html`<h2>${t.incomplete}</h2><ul>${s.incomplete.map((l) => html`<li><code>${l}</code></li>`)}</ul>` : ''}
<h2>${t.runs}</h2><table class="items"><tbody>${s.runs.map((r) => html`<tr><td>#${r.id}</td><td>${r.started_at}</td><td>${r.finished_at ?? '…'}</td><td>${r.status}</td></tr>`)}</tbody></table>
</section>`;
  return layout(ctx, t.status, body);
}
