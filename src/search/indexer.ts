/**
 * @module search/indexer
 * Incremental full-text indexing: every message without a search_docs row is re-derived from
 * its raw bytes (bodies are not stored in the case) and added to the index's text (SQLite:
 * search_text, from which search/fts-build.ts builds the FTS5 index; PostgreSQL: search_fts) and
 * the address table, a batch per transaction. Interrupted or re-run, it picks up what is missing.
 */
import type { Address, ParsedMessage } from '../mime/types.ts';
import { restoreIndexes } from '../store/bulk.ts';
import { reparse } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { indexVectors } from './fts-pg.ts';
import { htmlToText } from './html-text.ts';
import { normalizeText } from './normalize.ts';
import { rebuildThreads } from './threads.ts';
import { finishFts, markFtsDirty } from './fts-build.ts';

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
  /** Whether it has an attachment: a part with a file name or Content-Disposition: attachment (the attachments table's rule). */
  hasAttachment: boolean;
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
    hasAttachment: !!m && m.attachments.some((a) => a.filename != null || a.disposition?.toLowerCase() === 'attachment'),
    date: m?.date ?? null,
    addresses,
  };
}

/**
 * Full-text rowids follow the messages' dates: seconds since 1970 × 4096, plus a slot taken from
 * the message id (the first 12 bits of its SHA-256; on a collision the next free slot of the
 * same second, wrapping round), and undated messages below every dated one. "Newest first" is
 * then the index's own order: the first page of a query sorted by date is read off the start of
 * the match list instead of sorting every match (FTS5 walks a doclist in rowid order), and ties
 * within a second fall in the same order on every back-end and every run. A date range is a
 * rowid range too (search/compile-fields.ts), as long as every document number holds its
 * message's second: see docDates.
 */
export const DOC_SLOTS = 4096;
const UNDATED_BASE = -(2 ** 51);
const MAX_SECONDS = 2 ** 38; // ±8,700 years: keeps every id within 2^53
/** The lowest document number of a dated message; every undated one is below it. */
export const DATED_MIN = -MAX_SECONDS * DOC_SLOTS;

/** The message's date in whole seconds since 1970 (unclamped), or null. */
function secondsOf(date: string | null | undefined): number | null {
  const t = date ? Date.parse(date) : NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : null;
}

export function docIdBase(date: string | null | undefined, messageId: string): number {
  const s = secondsOf(date);
  if (s === null) return UNDATED_BASE + (parseInt(messageId.slice(0, 10), 16) || 0);
  const seconds = Math.max(-MAX_SECONDS, Math.min(MAX_SECONDS, s));
  return seconds * DOC_SLOTS + (parseInt(messageId.slice(0, 3), 16) || 0);
}

/**
 * Whether a document number stands for its message's date: its second is the date's (dated),
 * or it is below DATED_MIN (undated). Only a second holding more than 4096 messages, or a date
 * beyond ±8,700 years, breaks it.
 */
export function docHoldsDate(doc: number, date: string | null | undefined): boolean {
  const s = secondsOf(date);
  return s === null ? doc < DATED_MIN : Math.floor(doc / DOC_SLOTS) === s;
}

/**
 * meta 'doc_dates': 'exact' while every document number holds its message's date (then date
 * ranges are answered as document-number ranges), 'inexact' once one does not (then they are
 * answered from messages.date). Absent in an index built before it was kept: indexPending checks
 * the whole index once.
 */
export type DocDates = 'exact' | 'inexact' | 'unknown';

export function docDates(db: CaseDb): DocDates {
  const r = db.stmt("SELECT value FROM meta WHERE key = 'doc_dates'").get() as { value: string } | undefined;
  return r?.value === 'exact' || r?.value === 'inexact' ? r.value : 'unknown';
}

function setDocDates(db: CaseDb, v: 'exact' | 'inexact'): void {
  deferOrRun(db, "INSERT INTO meta (key, value) VALUES ('doc_dates', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", v);
}

/** Checks every document of an index built before 'doc_dates' was kept. */
function checkDocDates(db: CaseDb): void {
  let exact = true;
  for (const r of db.stmt('SELECT d.id AS doc, m.date AS date FROM search_docs d JOIN messages m ON m.id = d.message').iterate() as Iterable<{ doc: number | bigint; date: string | null }>) {
    if (!docHoldsDate(Number(r.doc), r.date)) {
      exact = false;
      break;
    }
  }
  db.tx(() => setDocDates(db, exact ? 'exact' : 'inexact'));
}

/** Writes one message's index rows (inside the caller's transaction). */
export function writeIndex(db: CaseDb, id: string, f: IndexFields): void {
  const at = new Date().toISOString();
  const base = docIdBase(f.date, id);
  const dated = base >= DATED_MIN;
  const second = Math.floor(base / DOC_SLOTS) * DOC_SLOTS;
  let doc = base;
  // a taken slot (same second, same 12 bits, or a concurrent worker): the next one in the same
  // second, wrapping round; past 4096 messages in one second, the slots above it
  for (let i = 1; !db.stmt('INSERT INTO search_docs (id, message, thread_index, has_attachment, indexed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id').get(doc, id, f.threadIndex, f.hasAttachment ? 1 : 0, at); i++) {
    doc = !dated ? doc + 1 : i < DOC_SLOTS ? second + ((base - second + i) % DOC_SLOTS) : i === DOC_SLOTS ? second + DOC_SLOTS : doc + 1;
  }
  if (!docHoldsDate(doc, f.date)) setDocDates(db, 'inexact');
  if (db.dialect === 'postgres') {
    // the text (for snippets) and its tokens as SQLite's tokenizer makes them (search/fts-pg.ts)
    const cols = [f.subject, f.body, f.from, f.to, f.cc, f.filenames, f.attachment];
    const ix = f.pg ?? indexVectors(cols);
    deferOrRun(db, `INSERT INTO search_fts (rowid, subject, body, from_, to_, cc_, filename, attachment, v_subject, v_body, v_from, v_to, v_cc, v_filename, v_attachment, chunked)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::tsvector, ?::tsvector, ?::tsvector, ?::tsvector, ?::tsvector, ?::tsvector, ?::tsvector, ?)`, doc, ...cols, ...ix.vectors, ix.chunks !== null);
    // a column past tsvector's limits: every column as exact overlapping chunks (search/fts-pg.ts)
    for (const c of ix.chunks ?? []) deferOrRun(db, 'INSERT INTO search_chunks (doc, col, n, v) VALUES (?, ?, ?, ?::tsvector)', doc, c.col, c.n, c.v);
  } else {
    // The text, appended in the order written (store/migrations.ts, version 9); the full-text
    // index is built from it afterwards, in the index file (search/fts-build.ts). (Sorting each
    // transaction's rows by document number first, as the text was once written, made Enron's
    // read stage 0.15-0.3 s slower: its queue of text outlived the young generation.)
    db.stmt('INSERT INTO search_text (doc, subject, body, from_, to_, cc_, filename, attachment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(doc, f.subject, f.body, f.from, f.to, f.cc, f.filenames, f.attachment);
    markFtsDirty(db);
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
  db.oncePerTx('threads_dirty', () => deferOrRun(db, "INSERT INTO meta (key, value) VALUES ('threads_dirty', '1') ON CONFLICT (key) DO NOTHING"));
}

/** Rebuilds threads if messages were indexed since the last rebuild. */
export function rebuildThreadsIfDirty(db: CaseDb): number {
  const dirty = db.stmt("SELECT value FROM meta WHERE key = 'threads_dirty'").get();
  if (!dirty) return 0;
  const n = rebuildThreads(db);
  db.tx(() => {
    db.stmt("DELETE FROM meta WHERE key = 'threads_dirty'").run();
    db.forgetOnce('threads_dirty');
  });
  return n;
}

function indexOne(db: CaseDb, id: string, storedSubject: string | null): void {
  writeIndex(db, id, indexFields(reparse(db, id), storedSubject));
}

/**
 * Indexes every message not indexed yet, then rebuilds threads if anything was added.
 * `keepDeferred`: leaves the indexes this process's bulk load deferred for the caller to build
 * after (store/bulk.ts); nothing here needs them.
 */
export function indexPending(db: CaseDb, opts: { onProgress?: (done: number, total: number) => void; keepDeferred?: boolean } = {}): IndexResult {
  const started = Date.now();
  const pendingSql = 'SELECT m.id AS id, m.subject AS subject FROM messages m WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.message = m.id)';
  // indexes a bulk load deferred, if the process that deferred them is gone (store/bulk.ts)
  if (!opts.keepDeferred) restoreIndexes(db);
  if (docDates(db) === 'unknown') checkDocDates(db);
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
  finishFts(db);
  const threadsUpdated = rebuildThreadsIfDirty(db);
  return { indexed, seconds: (Date.now() - started) / 1000, threadsUpdated };
}

/** Drops the index (e.g. after a change to what is indexed); indexPending rebuilds it. */
export function clearIndex(db: CaseDb): void {
  db.tx(() => {
    if (db.dialect === 'sqlite') {
      db.db.exec("DELETE FROM search_addresses; DELETE FROM search_docs; DELETE FROM search_text; INSERT INTO search.search_fts (search_fts) VALUES ('delete-all'); DELETE FROM search.fts_docs;");
    } else db.db.exec('DELETE FROM search_addresses; DELETE FROM search_docs; DELETE FROM search_fts; DELETE FROM search_chunks;');
    setDocDates(db, 'exact');
  });
}
