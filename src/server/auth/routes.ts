/**
 * @module server/auth/routes
 * The session endpoints (public) and the admin endpoints, mounted under /api:
 * `GET|POST|DELETE /session`, `GET|POST /users`, `PATCH /users/:name`, `GET /audit`.
 * Login answers a wrong password and an unknown or disabled user the same way, after the
 * same scrypt work, and opens a new session every time (an id planted before login is never
 * the one used after it).
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { isTroveError } from '../../core/errors.ts';
import type { CaseDb } from '../../store/sqlite.ts';
import { getUser, listAudit, listUsers, publicUser, writeAudit } from '../../store/users.ts';
import { ApiError } from '../errors.ts';
import { checkOrigin, clientIp, isHttps, principalOf, serverMode, type AccessOptions } from './access.ts';
import { dummyHash, MAX_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import { LoginLimiter } from './rate-limit.ts';
import { ABSOLUTE_MS, closeSession, openSession, SESSION_COOKIE } from './sessions.ts';
import { addUser, changeUser, LastAdmin, UserExists } from './users.ts';

const loginBody = z.object({ name: z.string().min(1).max(200), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });
const newUserBody = z.object({ name: z.string(), role: z.string(), password: z.string() });
const changeBody = z.object({ role: z.string().optional(), disabled: z.boolean().optional(), password: z.string().optional() }).strict();
const page = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) });

function sessionCookie(c: Context, value: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${isHttps(c) ? '; Secure' : ''}`;
}

async function body(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError('bad-request', 'the body must be JSON');
  }
}

/** TroveErrors of user management as HTTP answers. */
function asApi(e: unknown): never {
  if (e instanceof UserExists || e instanceof LastAdmin) throw new ApiError('conflict', e.message);
  if (isTroveError(e) && e.code === 'usage') throw new ApiError('bad-request', e.message);
  throw e;
}

export function authRoutes(db: CaseDb, opts: AccessOptions): Hono {
  const r = new Hono();
  const limiter = new LoginLimiter(opts.now);

  r.get('/session', (c) => {
    const p = principalOf(c);
    const signedIn = p && (p.via === 'session' || p.via === 'api-token') ? p : null;
    return c.json({
      mode: serverMode(db, opts.token),
      user: signedIn ? { name: signedIn.name, role: signedIn.role } : null,
      csrf: signedIn?.session?.csrf ?? null,
    });
  });

  r.post('/session', async (c) => {
    checkOrigin(c); // login CSRF: a page elsewhere must not sign the browser in as someone else
    if (serverMode(db, opts.token) !== 'users') throw new ApiError('bad-request', 'this case has no users to sign in as (trove users add NAME --role admin)');
    const { name, password } = loginBody.parse(await body(c));
    const ip = clientIp(c);
    const wait = limiter.retryAfter(name, ip);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new ApiError('rate-limited', `too many failed logins for ${name}; try again in ${Math.ceil(wait / 60)} min`);
    }
    const now = opts.now();
    const u = getUser(db, name);
    // the same derivation whether or not the user exists or is disabled: no timing tells them apart
    const ok = (await verifyPassword(password, u?.password_hash ?? (await dummyHash()))) && u !== null && !u.disabled;
    if (!ok || !u) {
      limiter.fail(name, ip);
      writeAudit(db, { user: null, action: 'login-failed', target: name, detail: null, ip }, now);
      throw new ApiError('bad-credentials', 'wrong name or password');
    }
    limiter.succeed(name, ip);
    // whatever session the browser brought is ended, not reused (session fixation)
    const old = getCookie(c, SESSION_COOKIE);
    if (old) closeSession(db, old);
    const s = openSession(db, u.name, now);
    writeAudit(db, { user: u.name, action: 'login', target: null, detail: null, ip }, now);
    c.header('Set-Cookie', sessionCookie(c, s.secret, ABSOLUTE_MS / 1000));
    return c.json({ user: { name: u.name, role: u.role }, csrf: s.row.csrf });
  });

  r.delete('/session', (c) => {
    const p = principalOf(c);
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) closeSession(db, cookie);
    if (p?.via === 'session') writeAudit(db, { user: p.name, action: 'logout', target: null, detail: null, ip: clientIp(c) }, opts.now());
    c.header('Set-Cookie', sessionCookie(c, '', 0));
    return c.json({ ok: true });
  });

  r.get('/users', (c) => c.json({ items: listUsers(db).map(publicUser) }));

  r.post('/users', async (c) => {
    const b = newUserBody.parse(await body(c));
    const user = await addUser(db, b.name, b.role, b.password, opts.now()).catch(asApi);
    return c.json({ user }, 201);
  });

  r.patch('/users/:name', async (c) => {
    const change = changeBody.parse(await body(c));
    const user = await changeUser(db, c.req.param('name'), change).catch(asApi);
    return c.json({ user });
  });

  r.get('/audit', (c) => {
    const { limit, offset } = page.parse(c.req.query());
    return c.json(listAudit(db, limit, offset));
  });

  return r;
}
