/**
 * @module web/routes
 * The UI's pages, rendered on the server (no build step): `/` search, `/messages/:id` (the
 * deep link of CONTRACT.md), `/threads/:id`, `/status`, and the two static assets.
 */
import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { isTroveError } from '../core/errors.ts';
import { correspondents, facets, search, SORT_ORDERS, threadMessages, timeline, type SortOrder } from '../search/index.ts';
import { status } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { toQuery } from '../server/api.ts';
import { ApiError } from '../server/errors.ts';
import { messageView } from '../server/message-view.ts';
import { pickLang, strings } from './i18n.ts';
import type { PageContext } from './layout.ts';
import { messagePage } from './pages/message.ts';
import { searchPage } from './pages/search.ts';
import { statusPage } from './pages/status.ts';
import { threadPage } from './pages/thread.ts';

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
const ASSETS: Record<string, { body: string; type: string }> = {
  'app.js': { body: asset('app.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { body: asset('style.css'), type: 'text/css; charset=utf-8' },
};

const PAGE_SIZE = 25;
const searchQuery = z.object({
  q: z.string().max(10_000).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  sort: z.enum(SORT_ORDERS as [SortOrder, ...SortOrder[]]).optional(),
});

function pageContext(c: Context): PageContext {
  const qLang = c.req.query('lang');
  const lang = pickLang(qLang, getCookie(c, 'trove_lang'), c.req.header('accept-language'));
  if (qLang === 'en' || qLang === 'fr') c.header('Set-Cookie', `trove_lang=${qLang}; Path=/; SameSite=Strict`);
  const url = new URL(c.req.url);
  url.searchParams.delete('lang');
  return { lang, t: strings(lang), q: c.req.query('q') ?? '', here: url.pathname + url.search };
}

export function webRoutes(db: CaseDb): Hono {
  const web = new Hono();

  web.get('/assets/:name', (c) => {
    const a = ASSETS[c.req.param('name')];
    if (!a) throw new ApiError('route-not-found', 'no such asset');
    return c.body(a.body, 200, { 'Content-Type': a.type, 'Cache-Control': 'no-cache' });
  });

  web.get('/', (c) => {
    const ctx = pageContext(c);
    const o = searchQuery.parse(c.req.query());
    try {
      const q = toQuery(o.q);
      return c.html(searchPage(ctx, {
        result: search(db, q, { limit: PAGE_SIZE, offset: o.offset, sort: o.sort }),
        facets: facets(db, q, 8),
        timeline: timeline(db, q),
        edges: correspondents(db, q, 12),
        limit: PAGE_SIZE,
        offset: o.offset,
        sort: o.sort,
        error: null,
      }));
    } catch (e) {
      if (!isTroveError(e) || e.code !== 'usage') throw e;
      return c.html(searchPage(ctx, { result: { total: 0, hits: [] }, facets: null as never, timeline: [], edges: [], limit: PAGE_SIZE, offset: 0, sort: undefined, error: e.message }), 400);
    }
  });

  web.get('/messages/:id', (c) => {
    const id = c.req.param('id');
    const m = messageView(db, id);
    if (!m) throw new ApiError('not-found', `no single message matches ${id}`);
    return c.html(messagePage(pageContext(c), m));
  });

  web.get('/threads/:id', (c) => {
    const id = c.req.param('id');
    const rows = threadMessages(db, id);
    if (!rows.length) throw new ApiError('not-found', `no thread ${id}`);
    return c.html(threadPage(pageContext(c), id, rows));
  });

  web.get('/status', (c) => c.html(statusPage(pageContext(c), status(db))));

  return web;
}
