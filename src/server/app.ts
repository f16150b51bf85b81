/**
 * @module server/app
 * The Hono application: security headers and access checks on everything, the JSON API under
 * /api, the web UI (src/web) everywhere else.
 */
import { Hono } from 'hono';
import type { CaseDb } from '../store/sqlite.ts';
import { webRoutes } from '../web/static.ts';
import { apiRoutes } from './api.ts';
import { ApiError, errorBody, jsonError } from './errors.ts';
import { securityHeaders } from './security.ts';
import { accessControl, authRoutes } from './auth/index.ts';
import { teamRoutes } from './team.ts';

export interface AppOptions {
  /** Required from every client when set (non-loopback binding). */
  token?: string;
  /** The clock for sessions, tokens and the audit log (tests move it). */
  now?: () => Date;
}

export function createApp(db: CaseDb, opts: AppOptions = {}): Hono {
  const app = new Hono();
  app.use('*', securityHeaders);
  // users mode (the case has users), token mode (--token) or open mode (loopback names only):
  // decided per request, see server/auth/access.ts
  const access = { token: opts.token, now: opts.now ?? (() => new Date()) };
  app.use('*', accessControl(db, access));
  app.route('/api', apiRoutes(db));
  app.route('/api', authRoutes(db, access));
  app.route('/api', teamRoutes(db, access.now));
  app.all('/api/*', () => {
    throw new ApiError('route-not-found', 'no such API endpoint (see /api/openapi.json)');
  });
  app.route('/', webRoutes());
  app.notFound((c) => c.json(errorBody('route-not-found', 'not found'), 404));
  app.onError((e, c) => (c.req.path.startsWith('/api/') ? jsonError(e, c) : webError(e, c.req.header('accept-language'))));
  return app;
}

import { classify, httpStatus } from './errors.ts';
import { errorPage } from '../web/static.ts';

function webError(e: unknown, acceptLanguage: string | undefined): Response {
  const { code, message } = classify(e);
  const status = httpStatus(code);
  if (code === 'internal') process.stderr.write(`trove serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return new Response(errorPage(status, code, message, acceptLanguage), { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
