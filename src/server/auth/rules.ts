/**
 * @module server/auth/rules
 * Who may call what: one rule per API route (method + the path as registered in Hono), with
 * the least role it needs and what the audit log records about it. The access middleware
 * looks the rule up from the route Hono actually matched, so the rule and the handler can
 * never disagree about which endpoint a request reaches. An /api route without a rule needs
 * `admin` (fail closed), and test/server/auth.test.ts fails until it gets one.
 */
import type { Context } from 'hono';
import type { Role } from '../../store/users.ts';

/** `public`: no authentication (the session endpoints, the API description, static assets). */
export type Need = 'public' | Role;

/** What the audit log records: an action name and the request's target. */
export interface AuditSpec {
  action: string;
  target?: (c: Context) => string | null;
}

export interface Rule {
  need: Need;
  audit?: AuditSpec;
  /** Only meaningful with users (managing them, reading the audit log): 403 in open and token mode. */
  usersOnly?: true;
}

const q = (c: Context) => c.req.query('q') ?? '';
const id = (c: Context) => c.req.param('id') ?? null;
const name = (c: Context) => c.req.param('name') ?? null;

/** Keyed by `METHOD path` exactly as the route is registered (app.routes). */
export const API_RULES: Readonly<Record<string, Rule>> = {
  // no authentication
  'GET /api/openapi.json': { need: 'public' },
  'GET /api/session': { need: 'public' },
  'POST /api/session': { need: 'public' },
  'DELETE /api/session': { need: 'public' },

  // readers: search and read
  'GET /api/status': { need: 'reader', audit: { action: 'status' } },
  'GET /api/search': { need: 'reader', audit: { action: 'search', target: q } },
  'GET /api/facets': { need: 'reader', audit: { action: 'facets', target: q } },
  'GET /api/timeline': { need: 'reader', audit: { action: 'timeline', target: q } },
  'GET /api/correspondents': { need: 'reader', audit: { action: 'correspondents', target: q } },
  'GET /api/threads/:id': { need: 'reader', audit: { action: 'open-thread', target: id } },
  'GET /api/messages/:id': { need: 'reader', audit: { action: 'open', target: id } },
  'GET /api/messages/:id/body.html': { need: 'reader', audit: { action: 'open-body', target: id } },
  'GET /api/messages/:id/raw': { need: 'reader', audit: { action: 'download-raw', target: id } },
  'GET /api/messages/:id/attachments/:n': { need: 'reader', audit: { action: 'download-attachment', target: (c) => `${c.req.param('id')}#${c.req.param('n')}` } },
  'GET /api/messages/:id/report': { need: 'reader', audit: { action: 'download-report', target: id } },
  'GET /api/messages/:id/annotations': { need: 'reader', audit: { action: 'annotations', target: id } },
  'GET /api/saved-searches': { need: 'reader', audit: { action: 'saved-searches' } },
  'GET /api/forensics/summary': { need: 'reader', audit: { action: 'forensics-summary' } },
  // read-only: compares a text or an upload with the case, changes nothing
  'POST /api/provenance': { need: 'reader', audit: { action: 'provenance' } },

  // editors: annotate and share searches
  'POST /api/messages/:id/tags': { need: 'editor', audit: { action: 'tag-add', target: id } },
  'DELETE /api/messages/:id/tags/:tag': { need: 'editor', audit: { action: 'tag-remove', target: (c) => `${c.req.param('id')} ${c.req.param('tag')}` } },
  'POST /api/messages/:id/notes': { need: 'editor', audit: { action: 'note-add', target: id } },
  'POST /api/saved-searches': { need: 'editor', audit: { action: 'saved-search-add' } },
  'DELETE /api/saved-searches/:id': { need: 'editor', audit: { action: 'saved-search-remove', target: id } },

  // admins: users and the audit log
  'GET /api/users': { need: 'admin', usersOnly: true, audit: { action: 'users-list' } },
  'POST /api/users': { need: 'admin', usersOnly: true, audit: { action: 'user-add' } },
  'PATCH /api/users/:name': { need: 'admin', usersOnly: true, audit: { action: 'user-update', target: name } },
  'GET /api/audit': { need: 'admin', usersOnly: true, audit: { action: 'audit-read' } },
};

/**
 * Web UI routes (src/web/static.ts): the client's files and its index.html shell hold no case
 * data (the client reads everything through the API), and the shell must load for anyone so
 * the sign-in form can show. Any other non-API path needs a reader (fail closed).
 */
export const WEB_RULES: Readonly<Record<string, Rule>> = Object.fromEntries(
  ['/assets/:name', '/', '/search', '/status', '/forensics', '/provenance', '/messages/:id', '/threads/:id'].map((p) => [`GET ${p}`, { need: 'public' } as Rule]),
);

const FAIL_CLOSED_API: Rule = { need: 'admin', audit: { action: 'api' } };
const DEFAULT_WEB: Rule = { need: 'reader', audit: { action: 'page', target: (c) => c.req.path } };

/**
 * The rule for the route that answers a request: `path` is the first route Hono matched for the
 * request's own method (middleware and catch-alls are registered for ALL methods and are not
 * endpoints); null when none did, and then the fail-closed default applies.
 */
export function ruleFor(method: string, path: string | null, requestPath: string): Rule {
  if (path !== null) {
    const key = `${method} ${path}`;
    const r = API_RULES[key] ?? WEB_RULES[key];
    if (r) return r;
  }
  return requestPath === '/api' || requestPath.startsWith('/api/') ? FAIL_CLOSED_API : DEFAULT_WEB;
}
