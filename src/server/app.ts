/**
 * @module server/app
 * The Hono application: security headers and access checks on everything, the JSON API under
 * /api, the web UI (src/web) everywhere else.
 */
import { Hono } from 'hono';
import type { CaseDb } from '../store/sqlite.ts';
import { webRoutes } from '../web/routes.ts';
import { apiRoutes } from './api.ts';
import { ApiError, errorBody, jsonError } from './errors.ts';
import { loopbackOnly, requireToken, securityHeaders } from './security.ts';

export interface AppOptions {
  /** Required from every client when set (non-loopback binding). */
  token?: string;
}

export function createApp(db: CaseDb, opts: AppOptions = {}): Hono {
  const app = new Hono();
  app.use('*', securityHeaders);
  // with a token, the server may be reached by other names; without, loopback names only
  app.use('*', opts.token ? requireToken(opts.token) : loopbackOnly());
  app.route('/api', apiRoutes(db));
  app.all('/api/*', () => {
    throw new ApiError('route-not-found', 'no such API endpoint (see /api/openapi.json)');
  });
  app.route('/', webRoutes(db));
  app.notFound((c) => c.json(errorBody('route-not-found', 'not found'), 404));
  app.onError((e, c) => (c.req.path.startsWith('/api/') ? jsonError(e, c) : webError(e, c.req.header('accept-language'))));
  return app;
}

import { classify, httpStatus } from './errors.ts';
import { errorPage } from '../web/pages/error.ts';

function webError(e: unknown, acceptLanguage: string | undefined): Response {
  const { code, message } = classify(e);
  const status = httpStatus(code);
  if (code === 'internal') process.stderr.write(`trove serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return new Response(errorPage(status, code, message, acceptLanguage), { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
