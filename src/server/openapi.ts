/**
 * @module server/openapi
 * The API's OpenAPI 3.1 description, written by hand (served at /api/openapi.json).
 */

const idParam = { name: 'id', in: 'path', required: true, description: 'SHA-256, a unique prefix of 8+ hex digits, or a Message-ID', schema: { type: 'string' } };
const qParam = { name: 'q', in: 'query', required: false, description: 'query language of CONTRACT.md; empty = every message', schema: { type: 'string' } };
const err = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const json = (description: string, schema: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const file = (description: string, type: string) => ({ description: `${description} (Content-Disposition: attachment)`, content: { [type]: { schema: { type: 'string', format: 'binary' } } } });

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'trove API', version: '1', description: 'Read-only access to a trove case. Errors are {"error":{"code","message"}}.' },
  components: {
    schemas: {
      Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
      Hit: { type: 'object', properties: { id: { type: 'string' }, subject: { type: 'string' }, from: { type: 'string' }, from_name: { type: 'string' }, date: { type: ['string', 'null'] }, snippet: { type: 'string', description: 'matches between U+0002 and U+0003' }, verdict: { type: 'string' }, thread_id: { type: ['string', 'null'] }, score: { type: ['number', 'null'] } } },
    },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'only when the server was started with --token' } },
  },
  paths: {
    '/api/status': { get: { summary: 'case accounting (as `trove status --json`)', responses: { 200: json('status') } } },
    '/api/messages/{id}': { get: { summary: 'export record, header fields, decoded text and sanitised HTML', parameters: [idParam], responses: { 200: json('message'), 404: err } } },
    '/api/messages/{id}/raw': { get: { summary: 'the raw message as found', parameters: [idParam], responses: { 200: file('raw bytes', 'message/rfc822'), 404: err } } },
    '/api/messages/{id}/body.html': { get: { summary: 'the sanitised HTML body as a document for a sandboxed iframe (CSP: no scripts, no remote loads, sandbox)', parameters: [idParam], responses: { 200: { description: 'sanitised HTML document', content: { 'text/html': { schema: { type: 'string' } } } }, 404: err } } },
    '/api/messages/{id}/attachments/{n}': { get: { summary: 'attachment n (0-based), always as a download', parameters: [idParam, { name: 'n', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }], responses: { 200: file('attachment', 'application/octet-stream'), 404: err } } },
    '/api/messages/{id}/report': { get: { summary: 'authenticity report', parameters: [idParam, { name: 'format', in: 'query', schema: { enum: ['html', 'md', 'json'], default: 'html' } }], responses: { 200: file('report', 'text/html'), 404: err } } },
    '/api/search': {
      get: {
        summary: 'search (answers like `trove search --json`)',
        parameters: [qParam, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 1000, default: 20 } }, { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } }, { name: 'sort', in: 'query', schema: { enum: ['relevance', 'date', 'date-asc'] } }],
        responses: { 200: json('hits', { type: 'object', properties: { total: { type: 'integer' }, hits: { type: 'array', items: { $ref: '#/components/schemas/Hit' } } } }), 400: err },
      },
    },
    '/api/facets': { get: { summary: 'counts per sender, domain, year, month, verdict, evidence code, attachment type', parameters: [qParam, { name: 'size', in: 'query', schema: { type: 'integer', default: 10 } }], responses: { 200: json('facets'), 400: err } } },
    '/api/timeline': { get: { summary: 'matching messages per UTC day', parameters: [qParam], responses: { 200: json('{"days":[{"day","count"}]}'), 400: err } } },
    '/api/correspondents': { get: { summary: 'who wrote to whom among the matches', parameters: [qParam, { name: 'limit', in: 'query', schema: { type: 'integer', default: 100 } }], responses: { 200: json('{"edges":[{"from","to","count"}]}'), 400: err } } },
    '/api/forensics/summary': { get: { summary: 'document metadata across the case: authors, companies, software, devices, with first and last seen (as `trove forensics summary --json`)', responses: { 200: json('{"authors","companies","software","devices"}: [{value, script, files, messages, first_seen, last_seen}]') } } },
    '/api/provenance': {
      post: {
        summary: 'where a circulating quote or document stands in the case (as `trove provenance --json`)',
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 1000000 }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 5 } } } },
            'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'at most 64 MiB' }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 5 } } } },
          },
        },
        responses: { 200: json('{"threshold","found","matches":[{id, similarity, match, passage, diff, …}],"input"}'), 400: err },
      },
    },
    '/api/threads/{id}': { get: { summary: "a thread's messages in time order", parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json('thread'), 404: err } } },
    // server mode (server/auth, server/team): in users mode every route but /api/session and this
    // description needs a session cookie (changes also X-CSRF-Token) or Authorization: Bearer <API token>
    '/api/session': {
      get: { summary: 'the server mode and who is signed in: {mode: users|token|open, user: {name, role} | null, csrf: string | null}', responses: { 200: json('session') } },
      post: { summary: 'sign in (users mode): sets the trove_session cookie (HttpOnly, SameSite=Strict), a new one at every login', requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'password'], properties: { name: { type: 'string' }, password: { type: 'string' } } } } } }, responses: { 200: json('{user: {name, role}, csrf}'), 401: err, 429: err } },
      delete: { summary: 'sign out: ends the session', responses: { 200: json('{ok: true}') } },
    },
    '/api/messages/{id}/annotations': { get: { summary: 'tags and notes on a message (reader)', parameters: [idParam], responses: { 200: json('{tags: [{tag, by, at}], notes: [{id, text, by, at}]}'), 404: err } } },
    '/api/messages/{id}/tags': { post: { summary: 'tag a message (editor; idempotent)', parameters: [idParam], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['tag'], properties: { tag: { type: 'string', maxLength: 64 } } } } } }, responses: { 201: json('{tag, by, at}'), 400: err, 404: err } } },
    '/api/messages/{id}/tags/{tag}': { delete: { summary: 'remove a tag (editor)', parameters: [idParam, { name: 'tag', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json('{removed: boolean}'), 404: err } } },
    '/api/messages/{id}/notes': { post: { summary: 'add a note to a message (editor)', parameters: [idParam], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 20000 } } } } } }, responses: { 201: json('{id, text, by, at}'), 400: err, 404: err } } },
    '/api/saved-searches': {
      get: { summary: "the team's saved searches (reader)", responses: { 200: json('{items: [{id, name, q, by, at}]}') } },
      post: { summary: 'save a search (editor); a malformed query is refused', requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'q'], properties: { name: { type: 'string' }, q: { type: 'string' } } } } } }, responses: { 201: json('{id, name, q, by, at}'), 400: err } },
    },
    '/api/saved-searches/{id}': { delete: { summary: 'delete a saved search (editor)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json('{removed: true}'), 404: err } } },
    '/api/users': {
      get: { summary: 'users and roles, never password hashes (admin)', responses: { 200: json('{items: [{name, role, created_at, disabled}]}') } },
      post: { summary: 'add a user (admin)', requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'role', 'password'], properties: { name: { type: 'string' }, role: { enum: ['reader', 'editor', 'admin'] }, password: { type: 'string', minLength: 10 } } } } } }, responses: { 201: json('{user}'), 400: err, 409: err } },
    },
    '/api/users/{name}': { patch: { summary: 'change role, disable/enable, or set the password (admin); disabling or a new password ends their sessions; the last enabled admin stays', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { role: { enum: ['reader', 'editor', 'admin'] }, disabled: { type: 'boolean' }, password: { type: 'string' } } } } } }, responses: { 200: json('{user}'), 400: err, 404: err, 409: err } } },
    '/api/audit': { get: { summary: 'the audit log, newest first (admin)', parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }, { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } }], responses: { 200: json('{total, items: [{id, at, user, action, target, detail, ip}]}') } } },
  },
} as const;
