/**
 * @module server/security
 * Headers and access checks applied to every response. The CSP forbids every remote origin:
 * a page of the UI, and the message bodies framed in it (srcdoc frames inherit the policy),
 * may load only from the server itself or data: images. The Host check stops DNS rebinding
 * (a web page on another site reaching 127.0.0.1 through a name it controls); the token, when
 * set, is required from every client (header or cookie).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { errorBody } from './errors.ts';

export const CSP = [
  "default-src 'none'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "frame-src 'self'",
  "connect-src 'self'",
  "font-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "manifest-src 'none'",
  // the UI's own search form; message HTML has no forms (sanitised) and no form permission (sandbox)
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every response, API and UI alike. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  // a route may set a stricter one (downloads: default-src 'none'; sandbox)
  if (!c.res.headers.has('Content-Security-Policy')) c.res.headers.set('Content-Security-Policy', CSP);
  c.res.headers.set('Referrer-Policy', 'no-referrer');
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
  c.res.headers.set('X-Frame-Options', 'DENY');
  c.res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  c.res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  c.res.headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
  if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
};

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** Host header without the port. */
function hostName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  return header.replace(/:\d+$/, '');
}

/** Local mode: only requests naming a loopback host (DNS rebinding guard). */
export function loopbackOnly(): MiddlewareHandler {
  return async (c, next) => {
    // @hono/node-server builds the request URL from the Host header
    if (!isLoopbackHost(hostName(c.req.header('host') ?? new URL(c.req.url).host))) {
      return c.json(errorBody('forbidden-host', 'this server answers only to 127.0.0.1 / localhost'), 403);
    }
    await next();
  };
}

export const TOKEN_COOKIE = 'trove_token';

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Requires the token as `Authorization: Bearer TOKEN` or the trove_token cookie. Opening any
 * page with `?token=TOKEN` once sets the cookie (HttpOnly, SameSite=Strict) and redirects to
 * the same page without it, so the token does not stay in the address bar or history.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const auth = c.req.header('authorization');
    const bearer = auth && /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    const fromQuery = c.req.query('token');
    if (fromQuery !== undefined && sameSecret(fromQuery, token) && c.req.method === 'GET') {
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      c.header('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`);
      return c.redirect(url.pathname + url.search, 303);
    }
    const cookie = getCookie(c, TOKEN_COOKIE);
    if ((bearer && sameSecret(bearer, token)) || (cookie && sameSecret(cookie, token))) return next();
    return c.json(errorBody('unauthorized', 'this server needs its token: Authorization: Bearer TOKEN, or open any page once with ?token=TOKEN'), 401);
  };
}
