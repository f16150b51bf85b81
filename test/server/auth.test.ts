/**
 * Server mode's access control through app.request (no sockets), over a case built from the
 * demo dump and the hostile messages: every API route × (anonymous, reader, editor, admin,
 * API token), CSRF, session fixation, logout, expiry, disabled users, password hashing, the
 * login rate limit, the audit log, and the team endpoints.
 */
import { scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { addUser, API_RULES, changeUser, type Need, createApiToken, parseHash, ruleFor, SESSION_COOKIE, verifyPassword, hashPassword, IDLE_MS, ABSOLUTE_MS } from '../../src/server/auth/index.ts';
import { checkBinding } from '../../src/server/index.ts';
import { OPENAPI } from '../../src/server/openapi.ts';
import { addSavedSearch, getUser, listAudit, roleAtLeast, type Role } from '../../src/store/users.ts';
import { buildCase, type Fixture } from './case-fixture.ts';

const BASE = 'http://127.0.0.1:8080';
const PW = 'correct horse battery';
type App = ReturnType<typeof createApp>;

let f: Fixture;
let app: App;
/** The clock the app sees; tests move it. */
let clock = Date.parse('2026-01-05T09:00:00Z');
const now = () => new Date(clock);

interface Session { cookie: string; csrf: string }

function ipEnv(ip: string) {
  return { incoming: { socket: { remoteAddress: ip } } };
}

async function login(a: App, name: string, password = PW, headers: Record<string, string> = {}, ip = '10.0.0.1'): Promise<Response> {
  return a.request(`${BASE}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name, password }) }, ipEnv(ip));
}

async function session(a: App, name: string): Promise<Session> {
  const r = await login(a, name);
  expect(r.status, `login ${name}`).toBe(200);
  const set = r.headers.get('set-cookie')!;
  const body = (await r.json()) as { csrf: string };
  return { cookie: set.split(';')[0], csrf: body.csrf };
}

const code = async (r: Response) => ((await r.clone().json()) as { error?: { code: string } }).error?.code;

let msgId: string;
let attMsgId: string;
let threadId: string;
let sessions: Record<'reader' | 'editor' | 'admin', Session>;
let editorToken: string;

beforeAll(async () => {
  f = await buildCase();
  app = createApp(f.db, { now });
  msgId = f.byMessageId('<hostile-html@hostile.example>');
  attMsgId = f.byMessageId('<hostile-names@hostile.example>');
});
afterAll(() => f?.cleanup());

describe('open mode (no users)', () => {
  it('says so, lets loopback read and annotate, refuses admin endpoints and cross-site writes', async () => {
    expect(await (await app.request(`${BASE}/api/session`)).json()).toEqual({ mode: 'open', user: null, csrf: null });
    expect((await app.request(`${BASE}/api/status`)).status).toBe(200);
    expect((await app.request('http://evil.example/api/status', { headers: { host: 'evil.example' } })).status).toBe(403);
    const users = await app.request(`${BASE}/api/users`);
    expect(users.status).toBe(403);
    expect(await code(users)).toBe('forbidden');
    const tag = (init: RequestInit) => app.request(`${BASE}/api/messages/${msgId}/tags`, { method: 'POST', body: JSON.stringify({ tag: 'open-mode' }), ...init });
    expect((await tag({ headers: { 'content-type': 'application/json', origin: 'https://evil.example' } })).status).toBe(403);
    expect((await tag({ headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    const ok = await tag({ headers: { 'content-type': 'application/json', origin: BASE } });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ tag: 'open-mode', by: null });
    expect((await login(app, 'nobody')).status).toBe(400);
    // no audit in open mode
    expect(listAudit(f.db, 10, 0).total).toBe(0);
  });

  it('token mode (--token, no users): the shared token gets in, as `token` in the audit log', async () => {
    const token = 'a-shared-token-for-the-team';
    const t = createApp(f.db, { token, now });
    expect(await (await t.request('http://10.0.0.5/api/session', { headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ mode: 'token', user: null, csrf: null });
    expect((await t.request('http://10.0.0.5/api/search?q=budget')).status).toBe(401);
    expect((await t.request('http://10.0.0.5/api/search?q=budget', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await t.request('http://10.0.0.5/api/audit', { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    const rows = listAudit(f.db, 10, 0).items;
    expect(rows[0]).toMatchObject({ user: 'token', action: 'search', target: 'budget', detail: { status: 200, via: 'server-token' } });
  });
});

describe('users mode', () => {
  beforeAll(async () => {
    for (const role of ['reader', 'editor', 'admin'] as const) await addUser(f.db, role, role, PW, now());
    await addUser(f.db, 'target', 'reader', PW, now());
    sessions = { reader: await session(app, 'reader'), editor: await session(app, 'editor'), admin: await session(app, 'admin') };
    editorToken = createApiToken(f.db, 'editor', 'matrix', now()).token;
    const hits = (await (await app.request(`${BASE}/api/search?q=silence`, { headers: { cookie: sessions.reader.cookie } })).json()) as { hits: { thread_id: string }[] };
    threadId = hits.hits[0].thread_id;
  });

  it('answers GET /api/session with the mode, the user and the CSRF token', async () => {
    expect(await (await app.request(`${BASE}/api/session`)).json()).toEqual({ mode: 'users', user: null, csrf: null });
    const s = sessions.editor;
    expect(await (await app.request(`${BASE}/api/session`, { headers: { cookie: s.cookie } })).json()).toEqual({ mode: 'users', user: { name: 'editor', role: 'editor' }, csrf: s.csrf });
    expect(await (await app.request(`${BASE}/api/session`, { headers: { authorization: `Bearer ${editorToken}` } })).json()).toEqual({ mode: 'users', user: { name: 'editor', role: 'editor' }, csrf: null });
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/, Secure only over https', async () => {
    const plain = (await login(app, 'reader')).headers.get('set-cookie')!;
    expect(plain).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(plain).toMatch(/; HttpOnly/);
    expect(plain).toMatch(/; SameSite=Strict/);
    expect(plain).toMatch(/; Path=\//);
    expect(plain).not.toMatch(/Secure/);
    const tls = await app.request('https://trove.newsroom.example/api/session', { method: 'POST', headers: { 'content-type': 'application/json', host: 'trove.newsroom.example' }, body: JSON.stringify({ name: 'reader', password: PW }) });
    expect(tls.headers.get('set-cookie')).toMatch(/; Secure/);
    const proxied = await login(app, 'reader', PW, { 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  /**
   * Per API route: the least role it needs, written here from the specification (issue 10:
   * readers search and read, editors annotate, admins manage users and read the audit log),
   * independently of src/server/auth/rules.ts; and one sample request, valid for the route, so
   * a permitted caller gets a 2xx. A route the app serves without an entry here fails.
   */
  const samples = (): Record<string, [Need, () => { path: string; init?: RequestInit }]> => {
    const post = (path: string, body: unknown, method = 'POST') => ({ path, init: { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } });
    let n = 0;
    return {
      'GET /api/openapi.json': ['public', () => ({ path: '/api/openapi.json' })],
      'GET /api/session': ['public', () => ({ path: '/api/session' })],
      'POST /api/session': ['public', () => post('/api/session', { name: 'nobody', password: 'not a password' })],
      'DELETE /api/session': ['public', () => ({ path: '/api/session', init: { method: 'DELETE' } })],
      'GET /api/status': ['reader', () => ({ path: '/api/status' })],
      'GET /api/search': ['reader', () => ({ path: '/api/search?q=budget' })],
      'GET /api/facets': ['reader', () => ({ path: '/api/facets?q=budget' })],
      'GET /api/timeline': ['reader', () => ({ path: '/api/timeline?q=budget' })],
      'GET /api/correspondents': ['reader', () => ({ path: '/api/correspondents?q=budget' })],
      'GET /api/threads/:id': ['reader', () => ({ path: `/api/threads/${threadId}` })],
      'GET /api/messages/:id': ['reader', () => ({ path: `/api/messages/${msgId}` })],
      'GET /api/messages/:id/body.html': ['reader', () => ({ path: `/api/messages/${msgId}/body.html` })],
      'GET /api/messages/:id/raw': ['reader', () => ({ path: `/api/messages/${msgId}/raw` })],
      'GET /api/messages/:id/attachments/:n': ['reader', () => ({ path: `/api/messages/${attMsgId}/attachments/0` })],
      'GET /api/messages/:id/report': ['reader', () => ({ path: `/api/messages/${msgId}/report?format=json` })],
      'GET /api/forensics/summary': ['reader', () => ({ path: '/api/forensics/summary' })],
      'POST /api/provenance': ['reader', () => post('/api/provenance', { text: 'The budget meeting is moved to Thursday' })],
      'GET /api/messages/:id/annotations': ['reader', () => ({ path: `/api/messages/${msgId}/annotations` })],
      'POST /api/messages/:id/tags': ['editor', () => post(`/api/messages/${msgId}/tags`, { tag: 'matrix' })],
      'DELETE /api/messages/:id/tags/:tag': ['editor', () => ({ path: `/api/messages/${msgId}/tags/matrix`, init: { method: 'DELETE' } })],
      'POST /api/messages/:id/notes': ['editor', () => post(`/api/messages/${msgId}/notes`, { text: 'checked against the PDF' })],
      'GET /api/saved-searches': ['reader', () => ({ path: '/api/saved-searches' })],
      'POST /api/saved-searches': ['editor', () => post('/api/saved-searches', { name: 'budget', q: 'budget from:alice' })],
      'DELETE /api/saved-searches/:id': ['editor', () => ({ path: `/api/saved-searches/${addSavedSearch(f.db, 'tmp', 'x', null, now()).id}`, init: { method: 'DELETE' } })],
      'GET /api/users': ['admin', () => ({ path: '/api/users' })],
      'POST /api/users': ['admin', () => post('/api/users', { name: `new-${process.pid}-${n++}`, role: 'reader', password: PW })],
      'PATCH /api/users/:name': ['admin', () => post('/api/users/target', { role: 'reader' }, 'PATCH')],
      'GET /api/audit': ['admin', () => ({ path: '/api/audit?limit=5' })],
    };
  };

  it('has a rule and a sample for every API route the app serves', () => {
    const routes = app.routes.filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    const s = samples();
    for (const k of new Set(routes)) {
      expect(API_RULES, `no access rule for ${k} in src/server/auth/rules.ts`).toHaveProperty([k]);
      expect(s, `no expected role and sample request for ${k} in the authorisation matrix`).toHaveProperty([k]);
      expect(API_RULES[k].need, `${k}: the rule's role differs from the specification`).toBe(s[k][0]);
    }
    // and documented in the API description
    const documented = Object.keys(OPENAPI.paths);
    for (const k of new Set(routes)) if (k !== 'GET /api/openapi.json') expect(documented, `${k} missing from src/server/openapi.ts`).toContain(k.split(' ')[1].replace(/:(\w+)/g, '{$1}'));
    // and an unknown route fails closed
    expect(ruleFor('GET', null, '/api/new-thing').need).toBe('admin');
  });

  it('enforces every route × anonymous, reader, editor, admin and an editor API token', async () => {
    const s = samples();
    const keys = [...new Set(app.routes.filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
    // logging out last, so the sessions serve every other route first
    keys.sort((a, b) => Number(a === 'DELETE /api/session') - Number(b === 'DELETE /api/session'));
    const principals: { who: string; role: Role | null; headers: (unsafe: boolean) => Record<string, string> }[] = [
      { who: 'anonymous', role: null, headers: () => ({}) },
      ...(['reader', 'editor', 'admin'] as const).map((role) => ({
        who: role, role,
        headers: (unsafe: boolean): Record<string, string> => ({ cookie: sessions[role].cookie, ...(unsafe ? { 'x-csrf-token': sessions[role].csrf } : {}) }),
      })),
      { who: 'editor token', role: 'editor', headers: () => ({ authorization: `Bearer ${editorToken}` }) },
    ];
    const failures: string[] = [];
    let checked = 0;
    for (const key of keys) {
      const [need, sample] = s[key];
      for (const p of principals) {
        const { path, init = {} } = sample();
        const unsafe = (init.method ?? 'GET') !== 'GET';
        const r = await app.request(`${BASE}${path}`, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...p.headers(unsafe) } });
        const c = r.status >= 400 ? await code(r) : undefined;
        let want: string;
        let ok: boolean;
        if (need === 'public') {
          want = 'no unauthenticated/forbidden';
          ok = c !== 'unauthenticated' && c !== 'forbidden' && c !== 'csrf';
        } else if (p.role === null) {
          want = '401 unauthenticated';
          ok = r.status === 401 && c === 'unauthenticated';
        } else if (roleAtLeast(p.role, need)) {
          want = '2xx';
          ok = r.status >= 200 && r.status < 300;
        } else {
          want = '403 forbidden';
          ok = r.status === 403 && c === 'forbidden';
        }
        checked++;
        if (!ok) failures.push(`${key} as ${p.who}: got ${r.status} ${c ?? ''}, want ${want}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(keys.length * principals.length);
    // the sessions the matrix logged out
    sessions = { reader: await session(app, 'reader'), editor: await session(app, 'editor'), admin: await session(app, 'admin') };
  });

  it('fails closed on unknown API routes and non-API paths; serves the UI shell to anyone', async () => {
    const unknown = await app.request(`${BASE}/api/nothing-here`);
    expect(unknown.status).toBe(401);
    const admin = await app.request(`${BASE}/api/nothing-here`, { headers: { cookie: sessions.admin.cookie } });
    expect(admin.status).toBe(404);
    expect((await app.request(`${BASE}/favicon.ico`)).status).toBe(401);
    // the client's index.html (503 when not built): no case data, the sign-in form lives there
    for (const p of ['/', `/messages/${msgId}`, '/search']) expect([200, 503], p).toContain((await app.request(`${BASE}${p}`)).status);
  });

  describe('CSRF', () => {
    const tag = (headers: Record<string, string>) => app.request(`${BASE}/api/messages/${msgId}/tags`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ tag: 'csrf-test' }) });

    it('refuses a cookie-authenticated change without the session CSRF token, or with a wrong one', async () => {
      const e = sessions.editor;
      for (const h of [{}, { 'x-csrf-token': 'nope' }, { 'x-csrf-token': sessions.admin.csrf }] as Record<string, string>[]) {
        const r = await tag({ cookie: e.cookie, ...h });
        expect(r.status).toBe(403);
        expect(await code(r)).toBe('csrf');
      }
      expect((await tag({ cookie: e.cookie, 'x-csrf-token': e.csrf })).status).toBe(201);
    });

    it('refuses a cross-origin change even with the right token', async () => {
      const e = sessions.editor;
      for (const h of [{ origin: 'https://evil.example' }, { origin: 'null' }, { origin: 'http://127.0.0.1:9999' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
        const r = await tag({ cookie: e.cookie, 'x-csrf-token': e.csrf, ...h });
        expect(r.status, JSON.stringify(h)).toBe(403);
        expect(await code(r)).toBe('csrf');
      }
      expect((await tag({ cookie: e.cookie, 'x-csrf-token': e.csrf, origin: BASE, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    });

    it('exempts API-token requests (no cookie, nothing for a browser to forge)', async () => {
      expect((await tag({ authorization: `Bearer ${editorToken}`, origin: 'https://evil.example' })).status).toBe(201);
    });

    it('refuses a login posted from another site (login CSRF)', async () => {
      const r = await login(app, 'reader', PW, { origin: 'https://evil.example' });
      expect(r.status).toBe(403);
      expect(r.headers.get('set-cookie')).toBeNull();
    });
  });

  describe('sessions', () => {
    it('gives a new session id at every login; a planted or previous id is not the session after login', async () => {
      const planted = `${SESSION_COOKIE}=attacker-chosen-value-attacker-chosen-value1`;
      const r = await login(app, 'reader', PW, { cookie: planted });
      const fresh = r.headers.get('set-cookie')!.split(';')[0];
      expect(fresh).not.toBe(planted);
      expect((await app.request(`${BASE}/api/status`, { headers: { cookie: planted } })).status).toBe(401);
      expect((await app.request(`${BASE}/api/status`, { headers: { cookie: fresh } })).status).toBe(200);
      // someone who knows the session a browser holds (fixation with a real id) loses it at the next login
      const again = await login(app, 'editor', PW, { cookie: fresh });
      const next = again.headers.get('set-cookie')!.split(';')[0];
      expect(next).not.toBe(fresh);
      expect((await app.request(`${BASE}/api/status`, { headers: { cookie: fresh } })).status).toBe(401);
      expect(await (await app.request(`${BASE}/api/session`, { headers: { cookie: next } })).json()).toMatchObject({ user: { name: 'editor' } });
      // only a hash of the id is stored
      const id = next.split('=')[1];
      const rows = f.db.stmt('SELECT id_hash FROM sessions').all() as { id_hash: string }[];
      expect(rows.some((x) => x.id_hash === id)).toBe(false);
      expect(rows.every((x) => /^[0-9a-f]{64}$/.test(x.id_hash))).toBe(true);
    });

    it('logout ends the session and clears the cookie', async () => {
      const s = await session(app, 'reader');
      expect((await app.request(`${BASE}/api/status`, { headers: { cookie: s.cookie } })).status).toBe(200);
      const out = await app.request(`${BASE}/api/session`, { method: 'DELETE', headers: { cookie: s.cookie } });
      expect(out.status).toBe(200);
      expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=; .*Max-Age=0`));
      expect((await app.request(`${BASE}/api/status`, { headers: { cookie: s.cookie } })).status).toBe(401);
    });

    it('expires after 12 hours idle, and after 7 days however active', async () => {
      const start = clock;
      try {
        const s = await session(app, 'reader');
        const ok = async () => (await app.request(`${BASE}/api/status`, { headers: { cookie: s.cookie } })).status;
        clock = start + IDLE_MS - 60_000;
        expect(await ok()).toBe(200);
        clock += IDLE_MS - 60_000; // idle again just under the limit since the last request
        expect(await ok()).toBe(200);
        clock += IDLE_MS + 1000;
        expect(await ok()).toBe(401);

        clock = start;
        const t = await session(app, 'reader');
        const ok2 = async () => (await app.request(`${BASE}/api/status`, { headers: { cookie: t.cookie } })).status;
        while (clock + 11 * 3600_000 < start + ABSOLUTE_MS) {
          clock += 11 * 3600_000;
          expect(await ok2()).toBe(200);
        }
        clock = start + ABSOLUTE_MS + 1000;
        expect(await ok2()).toBe(401);
      } finally {
        clock = start;
      }
    });

    it('a disabled user cannot sign in, and loses their sessions and tokens', async () => {
      await addUser(f.db, 'leaver', 'editor', PW, now());
      const s = await session(app, 'leaver');
      const tok = createApiToken(f.db, 'leaver', null, now()).token;
      expect((await app.request(`${BASE}/api/status`, { headers: { authorization: `Bearer ${tok}` } })).status).toBe(200);
      const r = await app.request(`${BASE}/api/users/leaver`, { method: 'PATCH', headers: { cookie: sessions.admin.cookie, 'x-csrf-token': sessions.admin.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
      expect(r.status).toBe(200);
      expect((await app.request(`${BASE}/api/status`, { headers: { cookie: s.cookie } })).status).toBe(401);
      expect((await app.request(`${BASE}/api/status`, { headers: { authorization: `Bearer ${tok}` } })).status).toBe(401);
      const again = await login(app, 'leaver');
      expect(again.status).toBe(401);
      expect(await code(again)).toBe('bad-credentials');
    });

    it('refuses unknown, revoked or malformed bearer tokens', async () => {
      for (const h of ['Bearer trove_' + 'A'.repeat(43), 'Bearer ' + editorToken.slice(0, -1), 'Basic ' + editorToken]) {
        const r = await app.request(`${BASE}/api/status`, { headers: { authorization: h } });
        expect(r.status, h).toBe(401);
      }
      const { id, token } = createApiToken(f.db, 'reader', 'to revoke', now());
      expect((await app.request(`${BASE}/api/status`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      f.db.stmt('UPDATE api_tokens SET revoked = 1 WHERE id = ?').run(id);
      expect((await app.request(`${BASE}/api/status`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    });
  });

  describe('passwords and login', () => {
    it('stores scrypt PHC strings with a per-user salt and the parameters, re-derivable independently', async () => {
      const h = getUser(f.db, 'reader')!.password_hash;
      expect(h).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
      expect(h).not.toContain(PW);
      expect(getUser(f.db, 'editor')!.password_hash).not.toBe(h); // same password, other salt
      const p = parseHash(h)!;
      const key = scryptSync(PW.normalize('NFC'), p.salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
      expect(key.equals(p.key)).toBe(true);
      expect(await verifyPassword(PW, h)).toBe(true);
      expect(await verifyPassword(PW + ' ', h)).toBe(false);
      expect(await verifyPassword(PW, h.replace('ln=15', 'ln=14'))).toBe(false);
      expect(await verifyPassword(PW, 'plaintext')).toBe(false);
      expect(await hashPassword(PW)).not.toBe(await hashPassword(PW));
    });

    it('answers a wrong password and an unknown user alike, after similar work', async () => {
      const wrong = await login(app, 'reader', 'wrong password!', {}, '10.9.0.1');
      const unknown = await login(app, 'no-such-user', 'wrong password!', {}, '10.9.0.1');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(await wrong.json()).toEqual(await unknown.json());
      const time = async (name: string) => {
        const ts: number[] = [];
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now();
          await login(app, name, 'wrong password!', {}, `10.9.1.${i}`);
          ts.push(performance.now() - t0);
        }
        return ts.sort((a, b) => a - b)[1];
      };
      const [a, b] = [await time('reader'), await time('no-such-user')];
      // both derive a scrypt key (tens of ms); without the dummy derivation the unknown user would answer in well under 1 ms
      expect(Math.min(a, b) / Math.max(a, b)).toBeGreaterThan(0.25);
    });

    it('rate-limits failed logins per name and address, the right password included', async () => {
      await addUser(f.db, 'guessed', 'reader', PW, now());
      for (let i = 0; i < 5; i++) expect((await login(app, 'guessed', `guess ${i} guess`, {}, '10.6.6.6')).status).toBe(401);
      const blocked = await login(app, 'guessed', PW, {}, '10.6.6.6');
      expect(blocked.status).toBe(429);
      expect(await code(blocked)).toBe('rate-limited');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await login(app, 'guessed', PW, {}, '10.7.7.7')).status).toBe(200); // another address
      const start = clock;
      clock += 16 * 60_000;
      try {
        expect((await login(app, 'guessed', PW, {}, '10.6.6.6')).status).toBe(200);
      } finally {
        clock = start;
      }
    });
  });

  describe('audit log', () => {
    it('records who searched, opened and downloaded what, logins and failures; admins read it', async () => {
      const t = await session(app, 'reader');
      const get = (p: string) => app.request(`${BASE}${p}`, { headers: { cookie: t.cookie } }, ipEnv('10.0.0.42'));
      expect((await get('/api/search?q=budget%20meeting')).status).toBe(200);
      expect((await get(`/api/messages/${msgId}`)).status).toBe(200);
      expect((await get(`/api/messages/${msgId}/raw`)).status).toBe(200);
      expect((await get(`/api/messages/${attMsgId}/attachments/0`)).status).toBe(200);
      expect((await get(`/api/messages/${msgId}/report?format=md`)).status).toBe(200);
      expect((await get('/api/users')).status).toBe(403);
      await login(app, 'reader', 'not the password', {}, '10.0.0.43');

      const forbidden = await app.request(`${BASE}/api/audit`, { headers: { cookie: t.cookie } });
      expect(forbidden.status).toBe(403);
      const a = (await (await app.request(`${BASE}/api/audit?limit=8`, { headers: { cookie: sessions.admin.cookie } })).json()) as { total: number; items: { user: string | null; action: string; target: string | null; ip: string | null; detail: { status: number } | null }[] };
      expect(a.items).toHaveLength(8);
      const [audits, failed, forbid, report, att, raw, open, search] = a.items;
      expect(audits).toMatchObject({ user: 'reader', action: 'audit-read', detail: { status: 403 } });
      expect(failed).toMatchObject({ user: null, action: 'login-failed', target: 'reader', ip: '10.0.0.43' });
      expect(forbid).toMatchObject({ user: 'reader', action: 'users-list', detail: { status: 403 } });
      expect(report).toMatchObject({ user: 'reader', action: 'download-report', target: msgId, ip: '10.0.0.42' });
      expect(att).toMatchObject({ action: 'download-attachment', target: `${attMsgId}#0` });
      expect(raw).toMatchObject({ action: 'download-raw', target: msgId });
      expect(open).toMatchObject({ action: 'open', target: msgId, detail: { status: 200 } });
      expect(search).toMatchObject({ user: 'reader', action: 'search', target: 'budget meeting' });
      const all = listAudit(f.db, 100_000, 0).items;
      expect(all.some((x) => x.action === 'login' && x.user === 'reader')).toBe(true);
      expect(all.some((x) => x.action === 'logout')).toBe(true);
      expect(all.length).toBe(a.total + 1); // the read itself is logged once answered
      expect(all[0]).toMatchObject({ user: 'admin', action: 'audit-read', detail: { status: 200 } });
    });
  });

  describe('team: tags, notes, saved searches', () => {
    const send = (s: Session, method: string, path: string, body?: unknown) => app.request(`${BASE}${path}`, {
      method, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });

    it('shares tags and notes on a message, with who and when', async () => {
      const e = sessions.editor;
      const prefix = attMsgId.slice(0, 12);
      expect((await send(e, 'POST', `/api/messages/${prefix}/tags`, { tag: '  to verify ' })).status).toBe(201);
      expect((await send(e, 'POST', `/api/messages/${prefix}/tags`, { tag: 'to verify' })).status).toBe(201); // idempotent
      expect((await send(e, 'POST', `/api/messages/${prefix}/tags`, { tag: 'a\u0000b' })).status).toBe(400);
      expect((await send(e, 'POST', `/api/messages/${prefix}/tags`, { tag: '' })).status).toBe(400);
      const note = await send(e, 'POST', `/api/messages/${prefix}/notes`, { text: 'Called the sender: denies it.' });
      expect(note.status).toBe(201);
      const ann = (await (await app.request(`${BASE}/api/messages/${attMsgId}/annotations`, { headers: { cookie: sessions.reader.cookie } })).json()) as { tags: { tag: string; by: string; at: string }[]; notes: { id: string; text: string; by: string }[] };
      expect(ann.tags).toEqual([{ tag: 'to verify', by: 'editor', at: now().toISOString() }]);
      expect(ann.notes).toEqual([expect.objectContaining({ text: 'Called the sender: denies it.', by: 'editor' })]);
      expect(await (await send(e, 'DELETE', `/api/messages/${attMsgId}/tags/${encodeURIComponent('to verify')}`)).json()).toEqual({ removed: true });
      expect(await (await send(e, 'DELETE', `/api/messages/${attMsgId}/tags/${encodeURIComponent('to verify')}`)).json()).toEqual({ removed: false });
      expect((await send(e, 'POST', '/api/messages/0000000000000000/tags', { tag: 'x' })).status).toBe(404);
    });

    it('shares saved searches and refuses malformed queries', async () => {
      const e = sessions.editor;
      const r = await send(e, 'POST', '/api/saved-searches', { name: 'Alice, May', q: 'from:alice date:2017-05' });
      expect(r.status).toBe(201);
      const saved = (await r.json()) as { id: string };
      expect((await send(e, 'POST', '/api/saved-searches', { name: 'broken', q: '(' })).status).toBe(400);
      const list = (await (await app.request(`${BASE}/api/saved-searches`, { headers: { cookie: sessions.reader.cookie } })).json()) as { items: { id: string; name: string; q: string; by: string }[] };
      expect(list.items).toContainEqual(expect.objectContaining({ id: saved.id, name: 'Alice, May', q: 'from:alice date:2017-05', by: 'editor' }));
      expect((await send(e, 'DELETE', `/api/saved-searches/${saved.id}`)).status).toBe(200);
      expect((await send(e, 'DELETE', `/api/saved-searches/${saved.id}`)).status).toBe(404);
    });
  });

  describe('admin API', () => {
    const send = (method: string, path: string, body: unknown) => app.request(`${BASE}${path}`, {
      method, headers: { cookie: sessions.admin.cookie, 'x-csrf-token': sessions.admin.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });

    it('lists users without hashes, adds, refuses duplicates and weak passwords, keeps an admin', async () => {
      const list = (await (await app.request(`${BASE}/api/users`, { headers: { cookie: sessions.admin.cookie } })).json()) as { items: Record<string, unknown>[] };
      expect(list.items.map((u) => u.name)).toEqual(expect.arrayContaining(['admin', 'editor', 'reader']));
      expect(JSON.stringify(list)).not.toContain('scrypt');
      expect((await send('POST', '/api/users', { name: 'carol', role: 'editor', password: PW })).status).toBe(201);
      expect(await code(await send('POST', '/api/users', { name: 'carol', role: 'editor', password: PW }))).toBe('conflict');
      expect((await send('POST', '/api/users', { name: 'dave', role: 'editor', password: 'short' })).status).toBe(400);
      expect((await send('POST', '/api/users', { name: 'eve', role: 'owner', password: PW })).status).toBe(400);
      expect((await send('POST', '/api/users', { name: '../x', role: 'reader', password: PW })).status).toBe(400);
      const demote = await send('PATCH', '/api/users/admin', { role: 'editor' });
      expect(demote.status).toBe(409);
      expect((await send('PATCH', '/api/users/nobody-here', { role: 'editor' })).status).toBe(404);
      // a role change applies to live sessions at once
      const c = await session(app, 'carol');
      expect((await send('PATCH', '/api/users/carol', { role: 'reader' })).status).toBe(200);
      const tag = await app.request(`${BASE}/api/messages/${msgId}/tags`, { method: 'POST', headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ tag: 'x' }) });
      expect(tag.status).toBe(403);
      // a password change ends the user's sessions
      await changeUser(f.db, 'carol', { password: 'another long password' });
      expect((await app.request(`${BASE}/api/status`, { headers: { cookie: c.cookie } })).status).toBe(401);
    });
  });

  it('binds a non-loopback address in users mode, refuses a shared --token alongside users', () => {
    expect(() => checkBinding('0.0.0.0', undefined, true)).not.toThrow();
    expect(() => checkBinding('0.0.0.0', undefined, false)).toThrow(/--token/);
    expect(() => checkBinding('127.0.0.1', 'a-long-enough-token-value', true)).toThrow(/has users/);
    expect(() => checkBinding('0.0.0.0', 'a-long-enough-token-value', false)).not.toThrow();
  });
});
