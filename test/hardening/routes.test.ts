/**
 * Path traversal and hostile ids against every server route that takes an id or a name: the
 * API answers a 4xx JSON error, never a file. Ids are database keys and names a fixed folder of
 * built assets, so `..`, encoded dots and slashes, backslashes, NUL, `__proto__` and 100 KB ids
 * must all stop at validation or lookup. The asset route is also tried against a dist folder
 * with a secret beside `assets/` and one outside it: neither may come back. Also here: the query
 * complexity limits of core/limits reach the API as 400 `usage` errors, not 500s.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_LIMITS } from '../../src/core/limits.ts';
import { createApp } from '../../src/server/app.ts';
import { webRoutes } from '../../src/web/static.ts';
import { buildCase, type Fixture } from '../server/case-fixture.ts';

let f: Fixture;
let app: ReturnType<typeof createApp>;
const get = (path: string, init?: RequestInit) => app.request(`http://127.0.0.1:8080${path}`, init);

beforeAll(async () => {
  f = await buildCase();
  app = createApp(f.db);
}, 120_000);
afterAll(() => f?.cleanup());

/** Ids a traversal attempt would use, as they appear in the URL path (already encoded where needed). */
const HOSTILE_IDS = [
  '..%2f..%2fetc%2fpasswd',
  '..%2F..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%2e%2e',
  '..',
  '.',
  '%252e%252e%252fetc%252fpasswd',
  '..%5c..%5cwindows%5cwin.ini',
  '..%255c..%255cboot.ini',
  '%c0%ae%c0%ae%c0%afetc%c0%afpasswd',
  'abcdef12%00..%2f..%2fetc%2fpasswd',
  '%00',
  'abcdef1234567890%00',
  '__proto__',
  'constructor',
  'a'.repeat(100_000),
  '0'.repeat(64) + '%2f..',
  '%2fetc%2fpasswd',
  'C:%5cWindows%5cwin.ini',
  'file:%2f%2f%2fetc%2fpasswd',
];

/** Every API route with an id (or a name) in its path; {id} is replaced by the hostile id. */
const API_ROUTES: { method: string; path: string; body?: string }[] = [
  { method: 'GET', path: '/api/messages/{id}' },
  { method: 'GET', path: '/api/messages/{id}/raw' },
  { method: 'GET', path: '/api/messages/{id}/body.html' },
  { method: 'GET', path: '/api/messages/{id}/attachments/0' },
  { method: 'GET', path: '/api/messages/{id}/report' },
  { method: 'GET', path: '/api/messages/{id}/report?format=md' },
  { method: 'GET', path: '/api/threads/{id}' },
  { method: 'GET', path: '/api/messages/{id}/annotations' },
  { method: 'POST', path: '/api/messages/{id}/tags', body: '{"tag":"x"}' },
  { method: 'DELETE', path: '/api/messages/{id}/tags/{id}' },
  { method: 'POST', path: '/api/messages/{id}/notes', body: '{"text":"x"}' },
  { method: 'DELETE', path: '/api/saved-searches/{id}' },
];

/** Content of files a traversal would reach; none may ever be in a response. */
const LEAKS = [/root:.*:0:0:/, /\[boot loader\]/i, /"name":\s*"trove"/, /\[fonts\]/i, /TOP SECRET BESIDE/, /TOP SECRET OUTSIDE/];

function noLeak(text: string, what: string): void {
  for (const re of LEAKS) expect(re.test(text), `${what} leaked ${re}`).toBe(false);
}

describe('path traversal in API routes', () => {
  it('every id route answers a 4xx JSON error for every hostile id, and no file content', async () => {
    let tried = 0;
    const seen = new Map<number, number>();
    for (const route of API_ROUTES) {
      for (const id of HOSTILE_IDS) {
        const path = route.path.replaceAll('{id}', id);
        const r = await get(path, {
          method: route.method,
          headers: route.body ? { 'content-type': 'application/json', origin: 'http://127.0.0.1:8080' } : { origin: 'http://127.0.0.1:8080' },
          body: route.body,
        });
        const what = `${route.method} ${path.slice(0, 120)}`;
        const text = await r.text();
        tried++;
        seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        expect(r.status, `${what}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${what}: ${text.slice(0, 200)}`).toBeLessThan(500);
        expect(r.headers.get('content-type'), what).toMatch(/application\/json/);
        const body = JSON.parse(text) as { error?: { code?: string } };
        expect(typeof body.error?.code, what).toBe('string');
        noLeak(text, what);
      }
    }
    expect(tried).toBe(API_ROUTES.length * HOSTILE_IDS.length);
    console.log(`route traversal: ${tried} requests, statuses ${JSON.stringify(Object.fromEntries(seen))}`);
  });

  it('unencoded traversal in the path is not routed to a file either', async () => {
    for (const path of ['/api/messages/../../etc/passwd', '/api/../../etc/passwd', '/api/messages/..\\..\\etc\\passwd', '/api/messages/%2e%2e/%2e%2e/etc/passwd/raw']) {
      const r = await get(path);
      const text = await r.text();
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      noLeak(text, path);
    }
  });

  it('a real message still answers (the checks do not block everything)', async () => {
    const id = f.db.stmt('SELECT id FROM messages LIMIT 1').get() as { id: string };
    const r = await get(`/api/messages/${id.id}/raw`);
    expect(r.status).toBe(200);
  });
});

describe('path traversal in the asset route (files on disk)', () => {
  let dist: string;
  let web: ReturnType<typeof webRoutes>;
  beforeAll(() => {
    const outer = mkdtempSync(join(tmpdir(), 'trove-dist-'));
    dist = join(outer, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(join(dist, 'assets', 'app-ABCDEFGH.js'), 'console.log(1)');
    writeFileSync(join(dist, 'secret.txt'), 'TOP SECRET BESIDE');
    writeFileSync(join(outer, 'secret.txt'), 'TOP SECRET OUTSIDE');
    web = webRoutes(dist);
  });
  afterAll(() => rmSync(join(dist, '..'), { recursive: true, force: true }));

  it('serves a real asset, and nothing outside assets/ for any spelling of ..', async () => {
    expect((await web.request('http://127.0.0.1/assets/app-ABCDEFGH.js')).status).toBe(200);
    const names = ['..%2fsecret.txt', '..%2f..%2fsecret.txt', '%2e%2e%2fsecret.txt', '..%5csecret.txt', '..%255csecret.txt',
      '%252e%252e%252fsecret.txt', 'secret.txt%00.js', '%00', '__proto__', 'constructor', 'a'.repeat(100_000), '..%2f..%2f..%2f..%2fetc%2fpasswd',
      '..%2findex.html', '...', '....%2f%2fsecret.txt'];
    for (const name of names) {
      const r = await web.request(`http://127.0.0.1/assets/${name}`);
      const text = await r.text();
      const what = `/assets/${name.slice(0, 80)}`;
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      noLeak(text, what);
      expect(text, what).not.toContain('<title>ui</title>');
    }
    // dot segments, literal or %2e-encoded, are resolved by the URL parser before routing
    // (/assets/.. is /): at most another route answers, never a file outside assets/
    for (const path of ['/assets/..', '/assets/.', '/assets/%2e%2e', '/assets/%2e', '/assets/../secret.txt', '/assets/..\\secret.txt', '/assets/%2e%2e/secret.txt', '/assets/../../secret.txt']) {
      const r = await web.request(`http://127.0.0.1${path}`);
      noLeak(await r.text(), path);
    }
  });
});

describe('query complexity limits through the API', () => {
  const q = (s: string) => get(`/api/search?q=${encodeURIComponent(s)}`);
  it('a query at the limits answers; one past them is a 400 usage error with the column, not a crash', async () => {
    const { maxQueryDepth, maxQueryTerms } = QUERY_LIMITS;
    const deep = (n: number) => '('.repeat(n) + 'budget' + ')'.repeat(n);
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' OR ');
    expect((await q(deep(maxQueryDepth))).status).toBe(200);
    expect((await q(terms(maxQueryTerms))).status).toBe(200);
    expect((await q('NOT '.repeat(maxQueryDepth) + 'budget')).status).toBe(200);
    for (const bad of [deep(maxQueryDepth + 1), deep(5_000).slice(0, 9_000), terms(maxQueryTerms + 1), 'NOT '.repeat(maxQueryDepth + 1) + 'budget', '-'.repeat(3_000) + 'x', 'x '.repeat(3_000)]) {
      const r = await q(bad);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(r.status, bad.slice(0, 40)).toBe(400);
      expect(body.error.code).toBe('usage');
      expect(body.error.message).toMatch(/column \d+/);
    }
  });
});
