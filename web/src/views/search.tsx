/**
 * @module web/views/search
 * The home view: results of the query with verdict badges and snippets, paging and sort,
 * facets (click to refine), the timeline and correspondent graph, and saved searches when
 * the server has them. j/k or ↑/↓ move through the results, Enter opens (see app.tsx).
 */
import { useState } from 'preact/hooks';
import { api, ApiFailure, optional, qs, type Edge, type Facets, type FacetValue, type SavedSearch, type SearchResult } from '../api.ts';
import { navigate, searchUrl } from '../router.ts';
import { Badge, ErrorBox, fmtDate, Loading, refine, Snippet, useLoad, useT } from '../ui.tsx';
import { Graph, Timeline } from './charts.tsx';

export const PAGE_SIZE = 25;

/** One facet; `field` null lists the counts without a refinement (no query field for them). */
function FacetBlock({ title, field, values, q, label }: { title: string; field: string | null; values: FacetValue[]; q: string; label?: (v: string) => string }) {
  if (!values.length) return null;
  const text = (v: string) => (label ? label(v) : v);
  return (
    <section class="facet">
      <h3>{title}</h3>
      <ul>{values.map((v) => <li>{field ? <a href={searchUrl(refine(q, field, v.value))}>{text(v.value)}</a> : <span>{text(v.value)}</span>} <span class="n">{v.count}</span></li>)}</ul>
    </section>
  );
}

function monthRange(ym: string): string {
  const [y, m] = ym.split('-').map(Number);
  return `${ym}-01..${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function SavedSearches({ q, canEdit }: { q: string; canEdit: boolean }) {
  const t = useT();
  const [saved, reload] = useLoad((signal) => optional(api<{ items: SavedSearch[] }>('/api/saved-searches', { signal })), []);
  const [name, setName] = useState('');
  const [err, setErr] = useState<Error | null>(null);
  if (saved.state !== 'ok' || saved.data === null) return null; // the server has no saved searches
  const run = (p: Promise<unknown>) => p.then(() => { setErr(null); reload(); }, (e: Error) => setErr(e));
  return (
    <section class="facet saved">
      <h3>{t.savedSearches}</h3>
      <ul>{saved.data.items.map((s) => (
        <li><a href={searchUrl(s.q)} title={s.q}>{s.name}</a>
          {canEdit && <button type="button" class="link" onClick={() => run(api(`/api/saved-searches/${encodeURIComponent(String(s.id))}`, { method: 'DELETE' }))}>{t.remove}</button>}</li>
      ))}</ul>
      {canEdit && q && (
        <form class="inline" onSubmit={(e) => { e.preventDefault(); if (name.trim()) run(api('/api/saved-searches', { json: { name: name.trim(), q } })).then(() => setName('')); }}>
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder={t.searchName} aria-label={t.searchName} />
          <button type="submit">{t.saveSearch}</button>
        </form>
      )}
      {err && <ErrorBox error={err} />}
    </section>
  );
}

export function SearchView({ q, offset, sort, selected, canEdit }: { q: string; offset: number; sort: string; selected: number; canEdit: boolean }) {
  const t = useT();
  const query = { q, limit: PAGE_SIZE, offset, sort };
  const [res] = useLoad((signal) => api<SearchResult>(`/api/search${qs(query)}`, { signal }), [q, offset, sort]);
  const [side] = useLoad(async (signal) => {
    const [facets, timeline, edges] = await Promise.all([
      api<Facets>(`/api/facets${qs({ q, size: 8 })}`, { signal }),
      api<{ days: { day: string; count: number }[] }>(`/api/timeline${qs({ q })}`, { signal }),
      api<{ edges: Edge[] }>(`/api/correspondents${qs({ q, limit: 30 })}`, { signal }),
    ]);
    return { facets, days: timeline.days, edges: edges.edges };
  }, [q]);
  const effectiveSort = sort || (q ? 'relevance' : 'date');
  const sorts: [string, string][] = [['relevance', t.sortRelevance], ['date', t.sortDate], ['date-asc', t.sortDateAsc]];

  let list;
  if (res.state === 'loading') list = <Loading />;
  else if (res.state === 'error') list = res.error instanceof ApiFailure && res.error.code === 'usage' ? <p class="error" role="alert">{res.error.message}</p> : <ErrorBox error={res.error} />;
  else {
    const { total, hits } = res.data;
    list = (
      <>
        <div class="summary">
          <strong class="total">{t.results(total)}</strong>
          {hits.length > 0 && <span class="range">{t.page(offset + 1, offset + hits.length, total)}</span>}
          <label class="sorts">{t.sort}{' '}
            <select value={effectiveSort} onChange={(e) => navigate(searchUrl(q, { sort: e.currentTarget.value }))}>
              {sorts.map(([v, label]) => <option value={v}>{label}</option>)}
            </select>
          </label>
        </div>
        {hits.length ? (
          <ol class="hits" id="list" start={offset + 1}>
            {hits.map((h, i) => (
              <li class={`hit${i === selected ? ' selected' : ''}`} data-href={`/messages/${h.id}`} aria-selected={i === selected}
                onClick={(e) => { if (!(e.target as Element).closest('a')) navigate(`/messages/${h.id}`); }}>
                <div class="line1"><Badge verdict={h.verdict} /> <a class="subject" href={`/messages/${h.id}`}>{h.subject || t.noSubject}</a></div>
                <div class="line2"><span class="from">{h.from_name ? `${h.from_name} <${h.from}>` : h.from}</span> · <time>{fmtDate(h.date, t)}</time></div>
                <Snippet text={h.snippet} />
              </li>
            ))}
          </ol>
        ) : <p class="empty">{t.noResults}</p>}
        <nav class="pager">
          {offset > 0 ? <a rel="prev" href={searchUrl(q, { offset: Math.max(0, offset - PAGE_SIZE), sort })}>{t.prev}</a> : <span />}
          {offset + hits.length < total ? <a rel="next" href={searchUrl(q, { offset: offset + PAGE_SIZE, sort })}>{t.next}</a> : <span />}
        </nav>
      </>
    );
  }

  const f = side.state === 'ok' ? side.data.facets : null;
  return (
    <div class="searchpage">
      <section class="results" aria-label={t.search}>{list}</section>
      <aside class="facets" aria-label={t.facets}>
        {side.state === 'ok' && f && (
          <>
            <FacetBlock title={t.verdicts} field="verdict" values={f.verdicts} q={q} label={(v) => t.verdict[v] ?? v} />
            <Timeline q={q} days={side.data.days} />
            <FacetBlock title={t.evidence} field="evidence" values={f.evidence} q={q} />
            <FacetBlock title={t.senders} field="from" values={f.senders} q={q} />
            <FacetBlock title={t.domains} field="domain" values={f.domains} q={q} />
            <FacetBlock title={t.months} field="date" values={f.months.map((m) => ({ value: monthRange(m.value), count: m.count }))} q={q} label={(v) => v.slice(0, 7)} />
            <FacetBlock title={t.attachmentTypes} field={null} values={f.attachment_types} q={q} />
            <Graph q={q} edges={side.data.edges} />
          </>
        )}
        <SavedSearches q={q} canEdit={canEdit} />
      </aside>
    </div>
  );
}
