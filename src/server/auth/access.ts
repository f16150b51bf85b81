/**
 * @module server/auth/access
 * The access middleware every request passes. The server's mode is decided per request, so
 * adding the first user to a running case closes it at once:
 * - `users`: the case has at least one user. Every route but the public ones needs a session
 *   cookie or `Authorization: Bearer <API token>`, and the role its rule names (rules.ts).
 *   Requests authenticated by cookie that change anything carry the session's CSRF token in
 *   `X-CSRF-Token`, and an Origin header, when sent, must be the server's own.
 * - `token`: no users, `--token` given: the shared token of server/security.ts.
 * - `open`: no users, no token: loopback names only, as a single investigator's laptop.
 * In users and token mode every authenticated request is written to the audit log after it
 * is answered (who, what, the query or message id, the status).
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { getCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import { getConnInfo } from '@hono/node-server/conninfo';
import { countUsers, roleAtLeast, writeAudit } from '../../store/users.ts';
import type { CaseDb } from '../../store/sqlite.ts';
import { ApiError } from '../errors.ts';
import { loopbackOnly, requireToken } from '../security.ts';
import { sameSecret } from './password.ts';
import { ruleFor, type Rule } from './rules.ts';
import { resolveApiToken, resolveSession, SESSION_COOKIE, type Principal } from './sessions.ts';

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal | null;
  }
}

export type Mode = 'users' | 'token' | 'open';

export interface AccessOptions {
  /** The shared token of token mode (`trove serve --token`). */
  token?: string;
  /** The clock (tests move it to expire sessions). */
  now: () => Date;
}

export function serverMode(db: CaseDb, token: string | undefined): Mode {
  if (countUsers(db) > 0) return 'users';
  return token ? 'token' : 'open';
}

/** The signed-in user of a request, if any (set by the access middleware). */
export function principalOf(c: Context): Principal | null {
  return c.get('principal') ?? null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the request came over https (directly, or through a proxy that says so). */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0].trim() === 'https';
}

/** The server's own origin as the client sees it: scheme and Host. */
export function ownOrigin(c: Context): string {
  const url = new URL(c.req.url);
  return `${isHttps(c) ? 'https:' : url.protocol}//${c.req.header('host') ?? url.host}`;
}

/**
 * A request that changes something must come from our own pages: an Origin header, when sent,
 * must be the server's own, and a browser's Sec-Fetch-Site must not say another site sent it.
 */
export function checkOrigin(c: Context): void {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== ownOrigin(c)) throw new ApiError('csrf', `requests from ${origin} are refused: this server accepts changes from its own pages only`);
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new ApiError('csrf', `a ${site} request is refused: this server accepts changes from its own pages only`);
}

export function clientIp(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // no socket (app.request in tests)
  }
}

/** The route Hono matched for the request's own method: the endpoint that will answer. */
function endpointPath(c: Context): string | null {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  for (const r of matchedRoutes(c)) if (r.method === method) return r.path;
  return null;
}

function bearer(c: Context): string | undefined {
  const h = c.req.header('authorization');
  return h ? /^Bearer\s+(\S+)\s*$/i.exec(h)?.[1] : undefined;
}

function audit(db: CaseDb, c: Context, rule: Rule, p: Principal, at: Date, status = c.res.status): void {
  if (!rule.audit) return;
  const url = new URL(c.req.url);
  writeAudit(db, {
    user: p.name,
    action: rule.audit.action,
    target: rule.audit.target?.(c) ?? null,
    detail: { method: c.req.method, path: url.pathname + url.search, status, via: p.via },
    ip: clientIp(c),
  }, at);
}

export function accessControl(db: CaseDb, opts: AccessOptions): MiddlewareHandler {
  const local = loopbackOnly();
  const shared = opts.token ? requireToken(opts.token) : null;

  const openMode = async (c: Context, next: Next) => {
    // no session to carry a CSRF token: browsers' Origin and Sec-Fetch-Site stop cross-site writes
    if (!SAFE_METHODS.has(c.req.method)) checkOrigin(c);
    const rule = ruleFor(c.req.method, endpointPath(c), c.req.path);
    // without users there is nobody to tell apart: whoever reaches the server may do anything,
    // except what only makes sense with users (managing them, reading the audit log)
    if (rule.usersOnly) throw new ApiError('forbidden', 'this case has no users: add one with `trove users add NAME --role admin`, then sign in');
    c.set('principal', { name: null, role: 'admin', via: 'open' });
    await next();
  };

  const tokenMode = async (c: Context, next: Next) => {
    if (!SAFE_METHODS.has(c.req.method)) checkOrigin(c);
    const rule = ruleFor(c.req.method, endpointPath(c), c.req.path);
    if (rule.usersOnly) throw new ApiError('forbidden', 'this case has no users: add one with `trove users add NAME --role admin`, then sign in');
    const p: Principal = { name: 'token', role: 'admin', via: 'server-token' };
    c.set('principal', p);
    await next();
    audit(db, c, rule, p, opts.now());
  };

  const usersMode = async (c: Context, next: Next) => {
    const now = opts.now();
    const rule = ruleFor(c.req.method, endpointPath(c), c.req.path);
    let p: Principal | null = null;
    const b = bearer(c);
    if (b !== undefined) {
      p = resolveApiToken(db, b, now);
      if (!p && rule.need !== 'public') throw new ApiError('unauthenticated', 'this API token is unknown, revoked, or its user is disabled');
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) p = resolveSession(db, cookie, now);
    }
    c.set('principal', p);
    if (rule.need === 'public') return next();
    if (!p) throw new ApiError('unauthenticated', 'sign in first (POST /api/session), or send Authorization: Bearer <API token>');
    if (!roleAtLeast(p.role, rule.need)) {
      audit(db, c, rule, p, now, 403);
      throw new ApiError('forbidden', `this needs the ${rule.need} role; ${p.name} is ${p.role}`);
    }
    if (p.via === 'session' && !SAFE_METHODS.has(c.req.method)) {
      const sent = c.req.header('x-csrf-token');
      if (!sent || !sameSecret(sent, p.session!.csrf)) throw new ApiError('csrf', 'missing or wrong X-CSRF-Token (GET /api/session gives it)');
      checkOrigin(c);
    }
    await next();
    audit(db, c, rule, p, now);
  };

  return async (c, next) => {
    const mode = serverMode(db, opts.token);
    if (mode === 'users') return usersMode(c, next);
    if (mode === 'token') return shared!(c, () => tokenMode(c, next));
    return local(c, () => openMode(c, next));
  };
}
