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
    '/api/threads/{id}': { get: { summary: "a thread's messages in time order", parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json('thread'), 404: err } } },
  },
} as const;
