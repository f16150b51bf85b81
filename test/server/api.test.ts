/**
 * The JSON API and the server's safety headers, through app.request (no sockets).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forensicsSummary } from '../../src/forensics/summary.ts';
import { BODY_CSP } from '../../src/server/api.ts';
import { createApp } from '../../src/server/app.ts';
import { checkBinding } from '../../src/server/index.ts';
import { messageView } from '../../src/server/message-view.ts';
import { CSP } from '../../src/server/security.ts';
import { webRoutes } from '../../src/web/static.ts';
import { buildCase, type Fixture } from './case-fixture.ts';

let f: Fixture;
let app: ReturnType<typeof createApp>;
const get = (path: string, init?: RequestInit) => app.request(`http://127.0.0.1:8080${path}`, init);

beforeAll(async () => {
  f = await buildCase();
  app = createApp(f.db);
});
afterAll(() => f?.cleanup());

describe('API', () => {
  it('answers /api/status like trove status --json', async () => {
    const r = await get('/api/status');
    expect(r.status).toBe(200);
    const s = (await r.json()) as { unique: number; skipped: unknown[] };
    expect(s.unique).toBeGreaterThanOrEqual(11);
    expect(Array.isArray(s.skipped)).toBe(true);
  });

  it('searches with the query language, paged, with a true total', async () => {
    const all = (await (await get('/api/search?q=budget&limit=1')).json()) as { total: number; hits: { id: string; verdict: string; snippet: string }[] };
    expect(all.total).toBe(3);
    expect(all.hits).toHaveLength(1);
    expect(Object.keys(all.hits[0])).toEqual(expect.arrayContaining(['id', 'subject', 'from', 'date', 'snippet', 'verdict']));
    const page2 = (await (await get('/api/search?q=budget&limit=1&offset=1')).json()) as { hits: { id: string }[] };
    expect(page2.hits[0].id).not.toBe(all.hits[0].id);
    const empty = (await (await get('/api/search')).json()) as { total: number };
    expect(empty.total).toBeGreaterThanOrEqual(11);
  });

  it('rejects invalid parameters and queries with JSON errors', async () => {
    for (const [path, status, code] of [
      ['/api/search?limit=-1', 400, 'bad-request'],
      ['/api/search?sort=sideways', 400, 'bad-request'],
      ['/api/search?q=(', 400, 'usage'],
      ['/api/messages/deadbeefdeadbeef', 404, 'not-found'],
      ['/api/messages/short', 400, 'bad-request'],
      ['/api/nothing-here', 404, 'route-not-found'],
      ['/api/threads/nope', 404, 'not-found'],
    ] as const) {
      const r = await get(path);
      expect(r.status, path).toBe(status);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code, path).toBe(code);
      expect(body.error.message).toBeTruthy();
    }
  });

  it('serves facets, timeline, correspondents and threads', async () => {
    const facets = (await (await get('/api/facets?q=budget')).json()) as { verdicts: { value: string; count: number }[] };
    expect(facets.verdicts.reduce((n, v) => n + v.count, 0)).toBe(3);
    const tl = (await (await get('/api/timeline?q=budget')).json()) as { days: { day: string; count: number }[] };
    expect(tl.days.reduce((n, d) => n + d.count, 0)).toBe(3);
    const edges = (await (await get('/api/correspondents?q=budget')).json()) as { edges: { from: string; to: string }[] };
    expect(edges.edges.length).toBeGreaterThan(0);
    const hit = ((await (await get('/api/search?q=silence')).json()) as { hits: { thread_id: string }[] }).hits[0];
    const thread = (await (await get(`/api/threads/${hit.thread_id}`)).json()) as { messages: unknown[] };
    expect(thread.messages.length).toBeGreaterThanOrEqual(2);
  });

  it('describes itself in OpenAPI', async () => {
    const o = (await (await get('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(o.openapi).toMatch(/^3\./);
    for (const p of ['/api/search', '/api/messages/{id}', '/api/messages/{id}/raw', '/api/messages/{id}/body.html', '/api/messages/{id}/attachments/{n}', '/api/status', '/api/facets', '/api/timeline', '/api/correspondents', '/api/threads/{id}', '/api/forensics/summary', '/api/provenance']) expect(o.paths).toHaveProperty([p]);
  });
});

describe('messages', () => {
  it('gives the record, headers, text and sanitised HTML with remote images counted', async () => {
    const id = f.byMessageId('<a81f@onedrive-horizon.example>');
    const m = (await (await get(`/api/messages/${id}`)).json()) as { id: string; headers: unknown[]; html: string; remote_blocked: number; remote_hosts: string[] };
    expect(m.id).toBe(id);
    expect(m.headers.length).toBeGreaterThan(3);
    expect(m.remote_blocked).toBe(1);
    expect(m.remote_hosts).toEqual(['tracker.onedrive-horizon.example']);
    expect(m.html).not.toMatch(/<a\b|<img[^>]+https?:/i);
    expect(m.html).toContain('https://onedrive-horizon.example/login'); // the real target, shown
  });

  it('strips everything active or remote from the hostile message', async () => {
    const id = f.byMessageId('<hostile-html@hostile.example>');
    const m = (await (await get(`/api/messages/${id}`)).json()) as { html: string; remote_blocked: number };
    expect(m.html).not.toMatch(/<(script|iframe|object|embed|form|input|svg|video|audio|meta|base|link|style|math)\b/i);
    expect(m.html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(m.html).not.toMatch(/(?<![-\w])(src|href|background|poster|srcset)\s*=\s*"?(https?:)?\/\//i);
    expect(m.html).not.toMatch(/url\s*\(/i);
    expect(m.html).toMatch(/<img src="data:image\/png;base64,/); // the cid: image, inlined
    expect(m.remote_blocked).toBeGreaterThanOrEqual(5);
  });

  it('serves the raw message as a message/rfc822 download', async () => {
    const id = f.byMessageId('<hostile-html@hostile.example>');
    const r = await get(`/api/messages/${id}/raw`);
    expect(r.headers.get('content-type')).toBe('message/rfc822');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment;/);
    const bytes = new Uint8Array(await r.arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(id);
  });

  it('serves attachments only as downloads, never with an active type', async () => {
    const id = f.byMessageId('<hostile-names@hostile.example>');
    for (const n of [0, 1]) {
      const r = await get(`/api/messages/${id}/attachments/${n}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"<>]*"; filename\*=UTF-8''/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('content-type')).toBe('application/octet-stream');
      expect(r.headers.get('content-security-policy')).toContain('sandbox');
    }
    expect((await get(`/api/messages/${id}/attachments/9`)).status).toBe(404);
  });

  it('downloads the authenticity report', async () => {
    const id = f.byMessageId('<a81f@onedrive-horizon.example>');
    const r = await get(`/api/messages/${id}/report?format=json`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(((await r.json()) as { message: { sha256: string } }).message.sha256).toBe(id);
  });
});

describe('safety headers and access', () => {
  it('sends the CSP and no-referrer on every response, API and UI, errors included', async () => {
    const id = f.byMessageId('<hostile-html@hostile.example>');
    for (const p of ['/', '/status', `/messages/${id}`, '/api/status', '/api/nothing', '/messages/nothing1234', '/assets/nothing.js', `/api/messages/${id}/raw`, `/api/messages/${id}/body.html`]) {
      const r = await get(p);
      const want = p.endsWith('/raw') ? "default-src 'none'; sandbox" : p.endsWith('body.html') ? BODY_CSP : CSP;
      expect(r.headers.get('content-security-policy'), p).toBe(want);
      expect(r.headers.get('referrer-policy'), p).toBe('no-referrer');
    }
    expect(CSP).not.toMatch(/https?:|\*/);
  });

  it('serves the sanitised body as its own locked-down document for the sandboxed frame', async () => {
    const id = f.byMessageId('<hostile-html@hostile.example>');
    const r = await get(`/api/messages/${id}/body.html`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = r.headers.get('content-security-policy')!;
    // nothing may run or load but inline style and data: images, and the document is sandboxed
    expect(csp.split('; ')).toEqual(expect.arrayContaining(["default-src 'none'", 'img-src data:', "style-src 'unsafe-inline'", 'sandbox']));
    expect(csp).not.toMatch(/script-src|https?:|\*|allow-/);
    const doc = await r.text();
    expect(doc).toContain(messageView(f.db, id)!.html!);
    expect(doc).not.toMatch(/<(script|iframe|object|embed|form|svg|base|link)\b/i);
    expect(doc).not.toMatch(/\son[a-z]+\s*=/i);
    expect(doc).not.toMatch(/(?<![-\w])(src|href|background|poster|srcset)\s*=\s*"?(https?:)?\/\//i);
    // a message without an HTML part has no body document
    const plain = f.byMessageId('<hostile-names@hostile.example>');
    const none = await get(`/api/messages/${plain}/body.html`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('not-found');
  });

  it('answers only to loopback host names (DNS rebinding)', async () => {
    const r = await app.request('http://evil.example/api/status', { headers: { host: 'evil.example' } });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden-host');
  });

  it('refuses a non-loopback bind without a token, and requires the token when set', async () => {
    expect(() => checkBinding('0.0.0.0', undefined)).toThrow(/--token/);
    expect(() => checkBinding('127.0.0.1', undefined)).not.toThrow();
    expect(() => checkBinding('::1', undefined)).not.toThrow();
    const token = 'correct-horse-battery-staple';
    const locked = createApp(f.db, { token });
    expect((await locked.request('http://10.0.0.5/api/status')).status).toBe(401);
    expect((await locked.request('http://10.0.0.5/api/status', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    expect((await locked.request('http://10.0.0.5/api/status', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const login = await locked.request(`http://10.0.0.5/status?token=${token}`);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/status');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect((await locked.request('http://10.0.0.5/api/status', { headers: { cookie: cookie.split(';')[0] } })).status).toBe(200);
  });
});

describe('forensics and provenance endpoints', () => {
  it('gives the forensics summary of the case', async () => {
    const r = await get('/api/forensics/summary');
    expect(r.status).toBe(200);
    const body = (await r.json()) as Record<string, unknown[]>;
    expect(Object.keys(body).sort()).toEqual(['authors', 'companies', 'devices', 'software']);
    expect(body).toEqual(JSON.parse(JSON.stringify(forensicsSummary(f.db))));
  });

  it('finds a pasted quote (JSON) and an uploaded copy (multipart) in the case', async () => {
    const id = f.byMessageId('<hostile-names@hostile.example>');
    const source = f.byMessageId('<20170503071401.4821@horizon.example>');
    const quote = messageView(f.db, source)!.text.split(/\s+/).filter(Boolean).slice(0, 30).join(' ');
    expect(quote.split(' ').length).toBeGreaterThan(10);
    const r = await get('/api/provenance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: quote, limit: 3 }) });
    expect(r.status, await r.clone().text()).toBe(200);
    const res = (await r.json()) as { found: boolean; matches: { id: string; similarity: number }[]; input: { kind: string } };
    expect(res.input.kind).toBe('text');
    expect(res.matches.length).toBeLessThanOrEqual(3);
    expect(res.matches[0].id).toBe(source);
    expect(res.found).toBe(true);

    const raw = new Uint8Array(await (await get(`/api/messages/${id}/raw`)).arrayBuffer());
    const form = new FormData();
    form.set('file', new File([raw], 'leaked.eml', { type: 'message/rfc822' }));
    const up = await get('/api/provenance', { method: 'POST', body: form });
    expect(up.status).toBe(200);
    const ures = (await up.json()) as { matches: { id: string; exact?: string }[]; input: { kind: string; sha256?: string } };
    expect(ures.input.kind).toBe('file');
    expect(ures.input.sha256).toBe(id);
    expect(ures.matches[0]).toMatchObject({ id, exact: 'message' });
  });

  it('rejects malformed provenance requests with JSON errors', async () => {
    const post = (body: string | FormData, type?: string) => get('/api/provenance', { method: 'POST', body, headers: type ? { 'content-type': type } : {} });
    for (const [r, code] of [
      [await post('{"text": ""}', 'application/json'), 'bad-request'],
      [await post('{"text": "x", "limit": 0}', 'application/json'), 'bad-request'],
      [await post('{"txt": "x"}', 'application/json'), 'bad-request'],
      [await post('not json', 'application/json'), 'bad-request'],
      [await post('text=hello', 'application/x-www-form-urlencoded'), 'bad-request'],
      [await post(new FormData()), 'bad-request'],
    ] as const) {
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });
});

describe('web client assets', () => {
  let dist: string;
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'trove-dist-'));
  });
  afterAll(() => rmSync(dist, { recursive: true, force: true }));
  const web = (dir: string) => new Hono().route('/', webRoutes(dir));

  it('answers UI routes with a page saying to build the client when dist/web is missing (the API still works)', async () => {
    const missing = web(join(dist, 'absent'));
    for (const [lang, text] of [['en-GB,en', 'Run <code>npm run build</code>'], ['fr-FR,fr;q=0.9', 'Lancez <code>npm run build</code>']]) {
      const r = await missing.request('/messages/abc', { headers: { 'accept-language': lang } });
      expect(r.status).toBe(503);
      const page = await r.text();
      expect(page).toContain(text);
      expect(page).not.toMatch(/<script/i);
    }
    expect((await get('/api/status')).status).toBe(200);
  });

  it('serves index.html for every UI route and hashed assets as immutable', async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><script type="module" src="/assets/index-AbCd1234.js"></script>');
    writeFileSync(join(dist, 'assets/index-AbCd1234.js'), 'export {};');
    writeFileSync(join(dist, 'assets/plain.css'), 'body{}');
    const app = web(dist);
    for (const p of ['/', '/?q=budget', '/messages/abcdef12', '/threads/t1', '/status', '/forensics', '/provenance']) {
      const r = await app.request(p);
      expect(r.status, p).toBe(200);
      expect(await r.text()).toContain('/assets/index-AbCd1234.js');
      expect(r.headers.get('cache-control')).toBe('no-cache');
    }
    const js = await app.request('/assets/index-AbCd1234.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await app.request('/assets/plain.css')).headers.get('cache-control')).toBe('no-cache');
    for (const p of ['/assets/nothing.js', '/assets/..%2Findex.html', '/messages/a/b', '/nowhere']) expect((await app.request(p)).status, p).toBe(404);
  });
});
