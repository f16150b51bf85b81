/**
 * The JSON API and the server's safety headers, through app.request (no sockets).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { checkBinding } from '../../src/server/index.ts';
import { CSP } from '../../src/server/security.ts';
import { buildCase, type Fixture } from './case-fixture.ts';
import { HOSTILE_HOST } from './hostile-mail.ts';

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
    for (const p of ['/api/search', '/api/messages/{id}', '/api/messages/{id}/raw', '/api/messages/{id}/attachments/{n}', '/api/status', '/api/facets', '/api/timeline', '/api/correspondents', '/api/threads/{id}']) expect(o.paths).toHaveProperty([p]);
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
    for (const p of ['/', '/status', `/messages/${id}`, '/api/status', '/api/nothing', '/messages/nothing1234', '/assets/app.js', `/api/messages/${id}/raw`]) {
      const r = await get(p);
      expect(r.headers.get('content-security-policy'), p).toMatch(p.endsWith('/raw') ? /^default-src 'none'; sandbox$/ : new RegExp(`^${CSP}$`));
      expect(r.headers.get('referrer-policy'), p).toBe('no-referrer');
    }
    expect(CSP).not.toMatch(/https?:|\*/);
  });

  it('renders hostile subjects, names and file names as text', async () => {
    const id = f.byMessageId('<hostile-names@hostile.example>');
    const page = await (await get(`/messages/${id}`)).text();
    const ui = await (await get('/?q=hostile')).text();
    for (const p of [page, ui]) {
      expect(p).not.toMatch(/<script>alert|<img src=x|<img src=https/);
      expect(p).not.toMatch(HOSTILE_HOST.source === '' ? /$^/ : /src="https?:\/\/[^"]*\.example/);
    }
    expect(page).toContain('&#60;script&#62;alert(&#39;subject&#39;)');
  });

  it('puts message HTML only in a sandboxed srcdoc iframe without scripts or same-origin', async () => {
    const id = f.byMessageId('<hostile-html@hostile.example>');
    const page = await (await get(`/messages/${id}`)).text();
    const frames = page.match(/<iframe[^>]*>/g) ?? [];
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatch(/\ssandbox=""/);
    expect(frames[0]).toMatch(/\ssrcdoc="/);
    expect(frames[0]).not.toMatch(/allow-/);
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
    expect((await locked.request('http://10.0.0.5/status', { headers: { cookie: cookie.split(';')[0] } })).status).toBe(200);
  });
});

describe('UI pages', () => {
  it('serves search, message, thread and status pages in English and French', async () => {
    const en = await (await get('/?q=budget')).text();
    expect(en).toContain('3 messages');
    const fr = await (await get('/?q=budget&lang=fr')).text();
    expect(fr).toContain('Rechercher');
    expect(fr).toContain('invérifiable');
    const id = f.byMessageId('<a81f@onedrive-horizon.example>');
    const m = await (await get(`/messages/${id.slice(0, 12)}`, { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } })).text();
    expect(m).toContain('ressource distante bloquée');
    expect(m).toContain('tracker.onedrive-horizon.example');
    expect((await get('/status')).status).toBe(200);
    expect((await get('/?q=(')).status).toBe(400);
    expect((await get('/messages/0000000000000000')).status).toBe(404);
  });
});
