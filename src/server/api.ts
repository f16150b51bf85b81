/**
 * @module server/api
 * The JSON API under /api: status, messages (record, raw source, sanitised body, attachments,
 * report), search, facets, timeline, correspondents, threads, the forensics summary and
 * provenance. Parameters are validated with zod; failures are JSON errors (server/errors.ts).
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { forensicsSummary } from '../forensics/summary.ts';
import { provenanceQuery } from '../provenance/index.ts';
import { buildReport, renderReport, REPORT_FORMATS, type ReportFormat } from '../report/index.ts';
import { correspondents, facets, parseQuery, search, SORT_ORDERS, threadMessages, timeline, type QueryNode, type SortOrder } from '../search/index.ts';
import { blob, findMessage, status } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { ApiError } from './errors.ts';
import { messageView } from './message-view.ts';
import { OPENAPI } from './openapi.ts';
import { frameDocument, SAFE_IMAGE_TYPES } from './sanitize.ts';

/** Matches every message: what an empty query means in the API and the UI (browse all). */
export const ALL: QueryNode = { kind: 'and', children: [] };

export function toQuery(q: string | undefined): QueryNode {
  return q && q.trim() ? parseQuery(q) : ALL;
}

const id = z.string().min(8).max(998);
const messageParams = z.object({ id });
const queryOnly = z.object({ q: z.string().max(10_000).optional() });
const searchQuery = queryOnly.extend({
  limit: z.coerce.number().int().min(0).max(1000).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  sort: z.enum(SORT_ORDERS as [SortOrder, ...SortOrder[]]).optional(),
});
const facetQuery = queryOnly.extend({ size: z.coerce.number().int().min(1).max(200).default(10) });
const edgeQuery = queryOnly.extend({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const attachmentParams = z.object({ id, n: z.coerce.number().int().min(0) });
const reportQuery = z.object({ format: z.enum(REPORT_FORMATS as [ReportFormat, ...ReportFormat[]]).default('html') });
const provenanceLimit = z.coerce.number().int().min(1).max(100).default(5);
const provenanceJson = z.object({ text: z.string().min(1).max(1_000_000), limit: provenanceLimit }).strict();
const provenanceForm = z.object({ file: z.instanceof(File), limit: provenanceLimit });

/** Largest document POST /api/provenance accepts (a leaked PDF or a whole .eml). */
export const MAX_PROVENANCE_UPLOAD = 64 * 1024 * 1024;

/**
 * The policy of a message body document, framed by the UI in `<iframe sandbox="">`: nothing
 * but its own inline style and data: images (cid: parts inlined by the sanitiser); the
 * sandbox directive makes it an opaque origin without scripts, forms or popups even if it is
 * opened outside the frame. frame-ancestors 'self' lets the UI (only) frame it; browsers then
 * ignore the X-Frame-Options: DENY sent with every response.
 */
export const BODY_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";

/** A Content-Disposition value that survives any file name a hostile message carries. */
export function attachmentDisposition(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f"\\/]/g, '_').slice(0, 200) || 'attachment';
  const ascii = clean.replace(/[^\x20-\x7e]|[<>;%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean)}`;
}

function download(bytes: Uint8Array | string, type: string, name: string): Response {
  return new Response(typeof bytes === 'string' ? bytes : new Uint8Array(bytes), {
    headers: {
      'Content-Type': type,
      'Content-Disposition': attachmentDisposition(name),
      'X-Content-Type-Options': 'nosniff',
      // were it ever opened as a document, it could do nothing
      'Content-Security-Policy': "default-src 'none'; sandbox",
    },
  });
}

function need<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw new ApiError('not-found', what);
  return v;
}

export function apiRoutes(db: CaseDb): Hono {
  const api = new Hono();

  api.get('/openapi.json', (c) => c.json(OPENAPI));
  api.get('/status', (c) => c.json(status(db)));

  api.get('/messages/:id', (c) => {
    const { id: mid } = messageParams.parse(c.req.param());
    return c.json(need(messageView(db, mid), `no single message matches ${mid}`));
  });

  api.get('/messages/:id/raw', (c) => {
    const { id: mid } = messageParams.parse(c.req.param());
    const r = need(findMessage(db, mid), `no single message matches ${mid}`);
    const raw = need(blob(db, r.id), `the raw bytes of ${r.id} are missing from the case`);
    // Outlook items are stored as .msg bytes: those are the evidence, served as they are
    return r.origin === 'as-found' ? download(raw, 'message/rfc822', `${r.id}.eml`) : download(raw, 'application/octet-stream', `${r.id}.msg`);
  });

  api.get('/messages/:id/body.html', (c) => {
    const { id: mid } = messageParams.parse(c.req.param());
    const m = need(messageView(db, mid), `no single message matches ${mid}`);
    const html = need(m.html, `message ${m.id} has no HTML body (see its text in /api/messages/${m.id})`);
    return c.body(frameDocument(html), 200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': BODY_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
  });

  api.get('/messages/:id/attachments/:n', (c) => {
    const { id: mid, n } = attachmentParams.parse(c.req.param());
    const r = need(findMessage(db, mid), `no single message matches ${mid}`);
    const a = need(r.attachments[n], `message ${r.id} has no attachment ${n}`);
    const bytes = need(blob(db, a.sha256), `the bytes of attachment ${n} are missing from the case`);
    const type = a.content_type.toLowerCase().split(';')[0].trim();
    // never the declared type for anything but raster images: HTML, SVG, PDF… are downloads
    return download(bytes, SAFE_IMAGE_TYPES.has(type) ? type : 'application/octet-stream', a.filename ?? `attachment-${n}`);
  });

  api.get('/messages/:id/report', (c) => {
    const { id: mid } = messageParams.parse(c.req.param());
    const { format } = reportQuery.parse(c.req.query());
    const rep = need(buildReport(db, mid), `no single message matches ${mid}`);
    const type = format === 'html' ? 'text/html; charset=utf-8' : format === 'md' ? 'text/markdown; charset=utf-8' : 'application/json';
    return download(renderReport(rep, format), type, `trove-report-${rep.message.sha256.slice(0, 16)}.${format}`);
  });

  api.get('/search', (c) => {
    const o = searchQuery.parse(c.req.query());
    return c.json(search(db, toQuery(o.q), { limit: o.limit, offset: o.offset, sort: o.sort }));
  });

  api.get('/facets', (c) => {
    const o = facetQuery.parse(c.req.query());
    return c.json(facets(db, toQuery(o.q), o.size));
  });

  api.get('/timeline', (c) => {
    const o = queryOnly.parse(c.req.query());
    return c.json({ days: timeline(db, toQuery(o.q)) });
  });

  api.get('/correspondents', (c) => {
    const o = edgeQuery.parse(c.req.query());
    return c.json({ edges: correspondents(db, toQuery(o.q), o.limit) });
  });

  api.get('/threads/:id', (c) => {
    const tid = z.object({ id: z.string().min(1).max(64) }).parse(c.req.param()).id;
    const messages = threadMessages(db, tid);
    if (!messages.length) throw new ApiError('not-found', `no thread ${tid}`);
    return c.json({ id: tid, messages });
  });

  api.get('/forensics/summary', (c) => c.json(forensicsSummary(db)));

  api.post('/provenance', bodyLimit({
    maxSize: MAX_PROVENANCE_UPLOAD,
    onError: () => {
      throw new ApiError('bad-request', `the upload is larger than ${MAX_PROVENANCE_UPLOAD / 1024 / 1024} MiB`);
    },
  }), async (c) => {
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (type.startsWith('application/json')) {
      const body = provenanceJson.parse(await c.req.json().catch(() => {
        throw new ApiError('bad-request', 'the body is not valid JSON');
      }));
      return c.json(await provenanceQuery(db, { text: body.text }, { limit: body.limit }));
    }
    if (type.startsWith('multipart/form-data')) {
      const form = provenanceForm.parse(await c.req.parseBody());
      const bytes = new Uint8Array(await form.file.arrayBuffer());
      return c.json(await provenanceQuery(db, { file: { name: form.file.name, bytes } }, { limit: form.limit }));
    }
    throw new ApiError('bad-request', 'send JSON {"text": "..."} or a multipart/form-data upload with a "file" field');
  });

  return api;
}
