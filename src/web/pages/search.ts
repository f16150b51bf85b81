/**
 * @module web/pages/search
 * The home page: search box results with verdict badges and snippets, facets, a timeline
 * chart and the main correspondents for the current query.
 */
import { snippetHtml, type Edge, type Facets, type FacetValue, type SearchResult, type SortOrder } from '../../search/index.ts';
import { html, raw, type Html } from '../html.ts';
import { fmtDate, layout, verdictBadge, type PageContext } from '../layout.ts';

export interface SearchPageData {
  result: SearchResult;
  facets: Facets;
  timeline: { day: string; count: number }[];
  edges: Edge[];
  limit: number;
  offset: number;
  sort: SortOrder | undefined;
  /** A query error, shown instead of results. */
  error: string | null;
}

function link(q: string, extra: Record<string, string | number | undefined> = {}): string {
  const u = new URLSearchParams();
  if (q) u.set('q', q);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `/?${s}` : '/';
}

/** Adds a field term to the query, quoting values with spaces. */
function refine(q: string, field: string, value: string): string {
  const v = /[\s()"]/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
  return `${q.trim()} ${field}:${v}`.trim();
}

function facetBlock(ctx: PageContext, title: string, field: string, values: FacetValue[], label: (v: string) => string = (v) => v): Html {
  if (!values.length) return html``;
  return html`<section class="facet"><h3>${title}</h3><ul>${values.map((v) => html`<li><a href="${link(refine(ctx.q, field, v.value))}">${label(v.value)}</a> <span class="n">${v.count}</span></li>`)}</ul></section>`;
}

/** Bars per day, or per month when the range is long; plain SVG, no script. */
function timelineSvg(ctx: PageContext, days: { day: string; count: number }[]): Html {
  if (!days.length) return html``;
  let buckets = days.map((d) => ({ key: d.day, count: d.count }));
  if (days.length > 60) {
    const m = new Map<string, number>();
    for (const d of days) m.set(d.day.slice(0, 7), (m.get(d.day.slice(0, 7)) ?? 0) + d.count);
    buckets = [...m].map(([key, count]) => ({ key, count }));
  }
  const W = 280;
  const H = 80;
  const max = Math.max(...buckets.map((b) => b.count));
  const bw = W / buckets.length;
  const bars = buckets.map((b, i) => {
    const h = Math.max(1, (b.count / max) * (H - 14));
    const range = b.key.length === 7 ? `${b.key}-01..${b.key}-31` : `${b.key}..${b.key}`;
    return html`<a href="${link(refine(ctx.q, 'date', range))}"><rect x="${(i * bw).toFixed(1)}" y="${(H - 12 - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${b.key}: ${b.count}</title></rect></a>`;
  });
  return html`<section class="facet"><h3>${ctx.t.timeline}</h3><svg class="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-label="${ctx.t.timeline}">${bars}<text x="0" y="${H - 1}">${buckets[0].key}</text><text x="${W}" y="${H - 1}" text-anchor="end">${buckets[buckets.length - 1].key}</text></svg></section>`;
}

function correspondentsBlock(ctx: PageContext, edges: Edge[]): Html {
  if (!edges.length) return html``;
  const top = edges.slice(0, 12);
  const max = top[0].count;
  return html`<section class="facet"><h3>${ctx.t.correspondents}</h3><ul class="edges">${top.map((e) => html`<li><a href="${link(refine(refine(ctx.q, 'from', e.from), 'to', e.to))}"><span class="who">${e.from}</span> → <span class="who">${e.to}</span></a> <span class="bar" style="width:${Math.round((e.count / max) * 60) + 4}px"></span> <span class="n">${e.count}</span></li>`)}</ul></section>`;
}

export function searchPage(ctx: PageContext, d: SearchPageData): string {
  const { t } = ctx;
  if (d.error) return layout(ctx, t.search, html`<p class="error" role="alert">${d.error}</p>`);
  const { total, hits } = d.result;
  const sorts: [SortOrder, string][] = [['relevance', t.sortRelevance], ['date', t.sortDate], ['date-asc', t.sortDateAsc]];
  const list = hits.length
    ? html`<ol class="hits" id="list" start="${d.offset + 1}">${hits.map((h) => html`<li class="hit" data-href="/messages/${h.id}">
  <div class="line1">${verdictBadge(t, h.verdict)} <a class="subject" href="/messages/${h.id}">${h.subject || '(no subject)'}</a></div>
  <div class="line2"><span class="from">${h.from_name ? `${h.from_name} <${h.from}>` : h.from}</span> · <time>${fmtDate(h.date, t)}</time></div>
  <div class="snippet">${raw(snippetHtml(h.snippet))}</div>
</li>`)}</ol>`
    : html`<p class="empty">${t.noResults}</p>`;
  const pager = html`<nav class="pager">${d.offset > 0 ? html`<a rel="prev" href="${link(ctx.q, { offset: Math.max(0, d.offset - d.limit), sort: d.sort })}">${t.prev}</a>` : ''} ${d.offset + hits.length < total ? html`<a rel="next" href="${link(ctx.q, { offset: d.offset + d.limit, sort: d.sort })}">${t.next}</a>` : ''}</nav>`;
  const body = html`<div class="searchpage">
<section class="results" aria-label="${t.search}">
  <div class="summary"><strong>${t.results(total)}</strong> <span class="sorts">${t.sort}: ${sorts.map(([s, label]) => (d.sort ?? (ctx.q ? 'relevance' : 'date')) === s ? html`<b>${label}</b> ` : html`<a href="${link(ctx.q, { sort: s })}">${label}</a> `)}</span></div>
  ${list}
  ${pager}
</section>
<aside class="facets" aria-label="${t.facets}">
  ${facetBlock(ctx, t.verdicts, 'verdict', d.facets.verdicts, (v) => t.verdict[v] ?? v)}
  ${timelineSvg(ctx, d.timeline)}
  ${facetBlock(ctx, t.evidence, 'evidence', d.facets.evidence)}
  ${facetBlock(ctx, t.senders, 'from', d.facets.senders)}
  ${facetBlock(ctx, t.domains, 'domain', d.facets.domains)}
  ${correspondentsBlock(ctx, d.edges)}
</aside>
</div>`;
  return layout(ctx, ctx.q || t.search, body);
}
