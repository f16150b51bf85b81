/**
 * @module search/indexer
 * Incremental full-text indexing: every message without a search_docs row is re-derived from
 * its raw bytes (bodies are not stored in the case) and added to the FTS table and the
 * address table, a batch per transaction. Interrupted or re-run, it picks up what is missing.
 */
import type { Address, ParsedMessage } from '../mime/types.ts';
import { reparse } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { indexVectors } from './fts-pg.ts';
import { htmlToText } from './html-text.ts';
import { normalizeText } from './normalize.ts';
import { rebuildThreads } from './threads.ts';

/** Body text indexed per message, in characters: bounds the index against huge bodies. */
export const MAX_INDEXED_BODY_CHARS = 2_000_000;
const BATCH = 500;

export interface IndexResult {
  indexed: number;
  seconds: number;
  /** Messages whose thread_id changed in the thread rebuild. */
  threadsUpdated: number;
}

/** example.mail.com → com.mail.example (a domain and its subdomains share a prefix). */
export function reverseDomain(domain: string): string {
  return domain.toLowerCase().split('.').filter(Boolean).reverse().join('.');
}

function people(list: Address[]): string {
  return list.map((a) => `${a.name} ${a.address}`.trim()).join('\n');
}

/** Outlook's Thread-Index: its first 22 bytes name the conversation. */
function threadIndexKey(m: ParsedMessage): string | null {
  const h = m.headers.find((x) => x.name.toLowerCase() === 'thread-index');
  if (!h) return null;
  const bytes = Buffer.from(h.value.replace(/\s+/g, ''), 'base64');
  return bytes.length >= 22 ? bytes.subarray(0, 22).toString('hex') : null;
}

export function bodyText(m: ParsedMessage): string {
  let text = m.text;
  // HTML-only messages, and HTML parts that carry more than their plain alternative
  if (m.html && (!text.trim() || text.length < m.html.length / 20)) text = (text ? text + '\n' : '') + htmlToText(m.html);
  return text.length > MAX_INDEXED_BODY_CHARS ? text.slice(0, MAX_INDEXED_BODY_CHARS) : text;
}

/** What the index holds for one message, normalised. Pure: computed in the parse workers at ingest. */
export interface IndexFields {
  subject: string;
  body: string;
  from: string;
  to: string;
  cc: string;
  filenames: string;
  /** Text extracted from attachments (PDF, Office, ODF, RTF, text), filled in by the ingest workers. */
  attachment: string;
  threadIndex: string | null;
  /** The message's date (ISO, UTC) or null: it orders the full-text rowids (docIdBase). */
  date?: string | null;
  addresses: { role: 'from' | 'to' | 'cc'; address: string; name: string | null; rdomain: string }[];
  /** PostgreSQL: the columns' tsvectors, when the parse workers made them (search/fts-pg.ts indexVectors). */
  pg?: ReturnType<typeof indexVectors>;
}

export function indexFields(m: ParsedMessage | null, storedSubject: string | null = null): IndexFields {
  const subject = m?.subject ?? storedSubject ?? '';
  const addresses: IndexFields['addresses'] = [];
  if (m) {
    for (const [role, list] of [['from', m.from], ['to', m.to], ['cc', m.cc]] as const) {
      const seen = new Set<string>();
      for (const a of list) {
        const address = a.address.trim().toLowerCase();
        if (!address || seen.has(address)) continue;
        seen.add(address);
        const at = address.lastIndexOf('@');
        addresses.push({ role, address, name: a.name || null, rdomain: at >= 0 ? reverseDomain(address.slice(at + 1)) : '' });
      }
    }
  }
  return {
    subject: normalizeText(subject),
    body: m ? normalizeText(bodyText(m)) : '',
    from: m ? normalizeText(people(m.from)) : '',
    to: m ? normalizeText(people(m.to)) : '',
    cc: m ? normalizeText(people(m.cc)) : '',
    filenames: normalizeText(m ? m.attachments.map((a) => a.filename ?? '').filter(Boolean).join('\n') : ''),
    attachment: '',
    threadIndex: m ? threadIndexKey(m) : null,
    date: m?.date ?? null,
    addresses,
  };
}

/**
 * Full-text rowids follow the messages' dates: seconds since 1970 × 4096, plus a slot taken from
 * the message id (the first 12 bits of its SHA-256, the next free one on a collision), and
 * undated messages below every dated one. "Newest first" is then the index's own order: the
 * first page of a query sorted by date is read off the start of the match list instead of
 * sorting every match (FTS5 walks a doclist in rowid order), and ties within a second fall in
 * the same order on every back-end and every run.
 */
export const DOC_SLOTS = 4096;
const UNDATED_BASE = -(2 ** 51);
const MAX_SECONDS = 2 ** 38; // ±8,700 years: keeps every id within 2^53

export function docIdBase(date: string | null | undefined, messageId: string): number {
  const t = date ? Date.parse(date) : NaN;
  if (!Number.isFinite(t)) return UNDATED_BASE + (parseInt(messageId.slice(0, 10), 16) || 0);
  const seconds = Math.max(-MAX_SECONDS, Math.min(MAX_SECONDS, Math.floor(t / 1000)));
  return seconds * DOC_SLOTS + (parseInt(messageId.slice(0, 3), 16) || 0);
}

/** Writes one message's index rows (inside the caller's transaction). */
export function writeIndex(db: CaseDb, id: string, f: IndexFields): void {
  const at = new Date().toISOString();
  let doc = docIdBase(f.date, id);
  // a taken slot (same second, same 12 bits, or a concurrent worker): the next one
  while (!db.stmt('INSERT INTO search_docs (id, message, thread_index, indexed_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id').get(doc, id, f.threadIndex, at)) doc++;
  if (db.dialect === 'postgres') {
    // the text (for snippets) and its tokens as SQLite's tokenizer makes them (search/fts-pg.ts)
    const cols = [f.subject, f.body, f.from, f.to, f.cc, f.filenames, f.attachment];
    const ix = f.pg ?? indexVectors(cols);
    deferOrRun(db, `INSERT INTO search_fts (rowid, subject, body, from_, to_, cc_, filename, attachment, v_subject, v_body, v_from, v_to, v_cc, v_filename, v_attachment, chunked)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::tsvector, ?::tsvector, ?::tsvector, ?::tsvector, ?::tsvector, ?::tsvector, ?::tsvector, ?)`, doc, ...cols, ...ix.vectors, ix.chunks !== null);
    // a column past tsvector's limits: every column as exact overlapping chunks (search/fts-pg.ts)
    for (const c of ix.chunks ?? []) deferOrRun(db, 'INSERT INTO search_chunks (doc, col, n, v) VALUES (?, ?, ?, ?::tsvector)', doc, c.col, c.n, c.v);
  } else {
    db.stmt('INSERT INTO search_fts (rowid, subject, body, from_, to_, cc_, filename, attachment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      doc, f.subject, f.body, f.from, f.to, f.cc, f.filenames, f.attachment,
    );
  }
  for (const a of f.addresses) deferOrRun(db, 'INSERT INTO search_addresses (doc, role, address, name, rdomain) VALUES (?, ?, ?, ?, ?)', doc, a.role, a.address, a.name, a.rdomain);
  markThreadsDirty(db);
}

/** A write whose result is not needed: batched with the next round trip where the store can (PostgreSQL). */
export function deferOrRun(db: CaseDb, sql: string, ...params: unknown[]): void {
  const d = (db as { defer?: (sql: string, ...params: unknown[]) => void }).defer;
  if (d) d.call(db, sql, ...params);
  else db.stmt(sql).run(...params);
}

/** Threads are rebuilt over the whole case after messages were added (also after a crash: the mark commits with them). */
export function markThreadsDirty(db: CaseDb): void {
  // DO NOTHING, not an update: once the row is committed, concurrent writers (server-mode
  // workers) do not queue on its lock for every message
  deferOrRun(db, "INSERT INTO meta (key, value) VALUES ('threads_dirty', '1') ON CONFLICT (key) DO NOTHING");
}

/** Rebuilds threads if messages were indexed since the last rebuild. */
export function rebuildThreadsIfDirty(db: CaseDb): number {
  const dirty = db.stmt("SELECT value FROM meta WHERE key = 'threads_dirty'").get();
  if (!dirty) return 0;
  const n = rebuildThreads(db);
  db.tx(() => db.stmt("DELETE FROM meta WHERE key = 'threads_dirty'").run());
  return n;
}

function indexOne(db: CaseDb, id: string, storedSubject: string | null): void {
  writeIndex(db, id, indexFields(reparse(db, id), storedSubject));
}

/** Indexes every message not indexed yet, then rebuilds threads if anything was added. */
export function indexPending(db: CaseDb, opts: { onProgress?: (done: number, total: number) => void } = {}): IndexResult {
  const started = Date.now();
  const pendingSql = 'SELECT m.id AS id, m.subject AS subject FROM messages m WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.message = m.id)';
  const total = Number((db.stmt(`SELECT COUNT(*) AS n FROM (${pendingSql}) p`).get() as { n: number }).n);
  let indexed = 0;
  while (indexed < total) {
    const rows = db.stmt(`${pendingSql} LIMIT ${BATCH}`).all() as { id: string; subject: string | null }[];
    if (!rows.length) break;
    db.tx(() => {
      for (const r of rows) indexOne(db, r.id, r.subject);
    });
    indexed += rows.length;
    opts.onProgress?.(indexed, total);
  }
  const threadsUpdated = rebuildThreadsIfDirty(db);
  return { indexed, seconds: (Date.now() - started) / 1000, threadsUpdated };
}

/** Drops the index (e.g. after a change to what is indexed); indexPending rebuilds it. */
export function clearIndex(db: CaseDb): void {
  db.tx(() => {
    db.db.exec(`DELETE FROM search_addresses; DELETE FROM search_docs; DELETE FROM search_fts;${db.dialect === 'postgres' ? ' DELETE FROM search_chunks;' : ''}`);
  });
}
