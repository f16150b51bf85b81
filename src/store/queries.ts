/**
 * @module store/queries
 * Read side of the case: accounting (`status`), export records, one message (`show`).
 */
import { deferredIndexes } from './bulk.ts';
import { ftsOwedCount } from '../search/fts-build.ts';
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { parseMessage } from '../mime/parse.ts';
import type { ParsedMessage } from '../mime/types.ts';
import { renderedKey } from './ingest-writer.ts';
import type { CaseDb } from './sqlite.ts';

export interface Status {
  messages: number;
  unique: number;
  duplicates: number;
  containers: number;
  files: number;
  skipped: { locator: string; code: string; reason: string }[];
  errors: { locator: string; code: string; message: string }[];
  /** Items read but worth a look (unsafe member names, inputs changed since last run). */
  warnings: { locator: string; code: string; message: string }[];
  /** Messages stored raw because they could not be parsed. */
  parse_errors: number;
  /** Containers whose walk has not finished (an interrupted ingest: run it again to resume). */
  incomplete: string[];
  bytes: number;
  runs: { id: number; started_at: string; finished_at: string | null; status: string }[];
  /** Secondary indexes a bulk load dropped and has not built again (store/bulk.ts): an ingest is running or was killed. Absent when none. */
  deferred_indexes?: string[];
  /**
   * Documents not in the full-text index yet (SQLite: an ingest's builder is adding them, or was
   * stopped; the next ingest, search or serve adds them, and searches miss them until then). Absent when none.
   */
  index_owed?: number;
  /** Server mode (PostgreSQL): the ingest queue and what each worker process has done. */
  queue?: { jobs: number; done: number; running: number; queued: number };
  workers?: WorkerStatus[];
}

export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  started_at: string;
  last_seen: string;
  current_job: string | null;
  jobs: number;
  messages: number;
  bytes: number;
  /** Seconds spent in jobs, and the rates over them. */
  busy_seconds: number;
  msg_per_s: number;
  mb_per_s: number;
}

/** Queue and worker figures, when the case is served from PostgreSQL and has seen queued ingest. */
function serverStatus(db: CaseDb): Pick<Status, 'queue' | 'workers'> {
  if (db.dialect !== 'postgres') return {};
  const has = db.stmt("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'ingest_workers'").get() as { n: number };
  if (!Number(has.n)) return {};
  const q = db.stmt("SELECT COUNT(*) AS jobs, COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0) AS done, COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) AS running FROM ingest_jobs").get() as Record<string, number>;
  const workers = (db.stmt('SELECT id, host, pid, started_at, last_seen, current_job, jobs, messages, bytes, busy_seconds FROM ingest_workers ORDER BY started_at, id').all() as Row[]).map((r) => {
    const busy = Number(r.busy_seconds);
    return {
      id: String(r.id), host: String(r.host), pid: Number(r.pid), started_at: String(r.started_at), last_seen: String(r.last_seen),
      current_job: (r.current_job as string | null) ?? null, jobs: Number(r.jobs), messages: Number(r.messages), bytes: Number(r.bytes),
      busy_seconds: Math.round(busy * 10) / 10,
      msg_per_s: busy > 0 ? Math.round((Number(r.messages) / busy) * 10) / 10 : 0,
      mb_per_s: busy > 0 ? Math.round((Number(r.bytes) / 1e6 / busy) * 100) / 100 : 0,
    };
  });
  const jobs = Number(q.jobs);
  const done = Number(q.done);
  const running = Number(q.running);
  return { queue: { jobs, done, running, queued: jobs - done - running }, workers };
}

type Row = Record<string, unknown>;

export function status(db: CaseDb): Status {
  const count = (sql: string) => Number((db.stmt(sql).get() as { n: number }).n);
  const warnings = (db.stmt("SELECT event, detail FROM log WHERE level = 'warning' ORDER BY id").all() as Row[]).map((r) => {
    const d = JSON.parse(String(r.detail)) as { locator?: string; reason?: string };
    return { locator: d.locator ?? '', code: String(r.event), message: d.reason ?? String(r.detail) };
  });
  return {
    messages: count("SELECT COUNT(*) AS n FROM items WHERE kind = 'message'"),
    unique: count('SELECT COUNT(*) AS n FROM messages'),
    duplicates: count("SELECT COUNT(*) AS n FROM items WHERE kind = 'message' AND duplicate = 1"),
    containers: count("SELECT COUNT(*) AS n FROM items WHERE kind = 'container'"),
    files: count("SELECT COUNT(*) AS n FROM items WHERE kind = 'file'"),
    skipped: (db.stmt("SELECT locator, code, reason FROM items WHERE kind = 'skipped' ORDER BY id").all() as Row[]).map((r) => ({ locator: String(r.locator), code: String(r.code), reason: String(r.reason) })),
    errors: (db.stmt("SELECT locator, code, reason FROM items WHERE kind = 'error' OR (kind = 'container' AND code IS NOT NULL) ORDER BY id").all() as Row[]).map((r) => ({ locator: String(r.locator), code: String(r.code), message: String(r.reason) })),
    warnings,
    parse_errors: count('SELECT COUNT(*) AS n FROM messages WHERE parse_error IS NOT NULL'),
    incomplete: (db.stmt("SELECT locator FROM items WHERE kind = 'container' AND done = 0 ORDER BY id").all() as Row[]).map((r) => String(r.locator)),
    bytes: count('SELECT COALESCE(SUM(size), 0) AS n FROM messages'),
    runs: db.stmt('SELECT id, started_at, finished_at, status FROM runs ORDER BY id').all() as Status['runs'],
    ...deferred(db),
    ...indexOwed(db),
    ...serverStatus(db),
  };
}

function indexOwed(db: CaseDb): { index_owed?: number } {
  const n = ftsOwedCount(db);
  return n ? { index_owed: n } : {};
}

function deferred(db: CaseDb): { deferred_indexes?: string[] } {
  const names = deferredIndexes(db);
  return names.length ? { deferred_indexes: names } : {};
}

export interface ExportRecord {
  id: string;
  sources: { locator: string }[];
  message_id: string | null;
  date: string | null;
  from: { name: string; address: string }[];
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
  subject: string;
  size: number;
  thread_id: string;
  attachments: { filename: string | null; content_type: string; size: number; sha256: string; metadata: Record<string, unknown> }[];
  dkim: unknown[];
  arc: { result: string; instances: number };
  verdict: 'verified' | 'tampered' | 'unverifiable' | 'suspicious';
  evidence: { code: string; severity: string; detail: string }[];
  /** Extensions beyond the contract. */
  parent: string | null;
  origin: string;
  date_raw: string | null;
}

const MESSAGE_COLS = 'id, size, origin, message_id, date, date_raw, subject, thread_id, parent_message, parsed, verdict, analysis';

/**
 * The message a message was found attached to: that of its first source (by locator), so it
 * does not depend on which copy was written first (parse order, workers); null when the first
 * source is not inside a message. The stored parent_message is the answer when there is one copy.
 */
function parentOf(db: CaseDb, id: string, stored: string | null): string | null {
  const rows = db.stmt("SELECT i.locator, p.sha256 AS parent, p.kind AS pkind FROM items i LEFT JOIN items p ON p.id = i.parent_id WHERE i.sha256 = ? AND i.kind = 'message' ORDER BY i.locator LIMIT 2").all(id) as Row[];
  if (rows.length < 2) return stored ?? null;
  return rows[0].pkind === 'message' ? String(rows[0].parent) : null;
}

function toRecord(db: CaseDb, r: Row): ExportRecord {
  const id = String(r.id);
  const parsed = (r.parsed ? JSON.parse(String(r.parsed)) : null) as ParsedMessage | null;
  const analysis = (r.analysis ? JSON.parse(String(r.analysis)) : null) as { dkim?: unknown[]; arc?: { result: string; instances: number } } | null;
  const evidence = (db.stmt('SELECT code, severity, detail FROM evidence WHERE message = ? ORDER BY rowid').all(id) as Row[]).map((e) => ({ code: String(e.code), severity: String(e.severity), detail: String(e.detail) }));
  return {
    id,
    sources: (db.stmt("SELECT locator FROM items WHERE sha256 = ? AND kind = 'message' ORDER BY locator").all(id) as Row[]).map((s) => ({ locator: String(s.locator) })),
    message_id: (r.message_id as string | null) ?? null,
    date: (r.date as string | null) ?? null,
    from: parsed?.from ?? [],
    to: parsed?.to ?? [],
    cc: parsed?.cc ?? [],
    subject: String(r.subject ?? ''),
    size: Number(r.size),
    thread_id: String(r.thread_id),
    attachments: (db.stmt('SELECT filename, content_type, size, sha256, metadata FROM attachments WHERE message = ? ORDER BY idx').all(id) as Row[]).map((a) => ({
      filename: (a.filename as string | null) ?? null,
      content_type: String(a.content_type),
      size: Number(a.size),
      sha256: String(a.sha256),
      metadata: a.metadata ? (JSON.parse(String(a.metadata)) as Record<string, unknown>) : {},
    })),
    dkim: analysis?.dkim ?? [],
    arc: analysis?.arc ?? { result: 'none', instances: 0 },
    verdict: ((r.verdict as string | null) ?? 'unverifiable') as ExportRecord['verdict'],
    evidence,
    parent: parentOf(db, id, r.parent_message as string | null),
    origin: String(r.origin),
    date_raw: (r.date_raw as string | null) ?? null,
  };
}

/**
 * Every unique message, ordered by the first locator it was found at: stable whatever the
 * number of workers or the interruptions of the ingest.
 */
export function* exportRecords(db: CaseDb): Generator<ExportRecord> {
  const rows = db.db.prepare(`SELECT ${MESSAGE_COLS} FROM messages m ORDER BY (SELECT MIN(locator) FROM items i WHERE i.sha256 = m.id AND i.kind = 'message'), m.id`).iterate() as Iterable<Row>;
  for (const r of rows) yield toRecord(db, r);
}

/** One message by id (full sha256, or a unique prefix of at least 8 hex digits). */
export function findMessage(db: CaseDb, id: string): ExportRecord | null {
  const rows = /^[0-9a-f]{8,64}$/i.test(id)
    ? (db.stmt(`SELECT ${MESSAGE_COLS} FROM messages WHERE id >= ? AND id < ? LIMIT 2`).all(id.toLowerCase(), id.toLowerCase() + 'g') as Row[])
    : (db.stmt(`SELECT ${MESSAGE_COLS} FROM messages WHERE message_id = ? LIMIT 2`).all(id) as Row[]);
  if (rows.length !== 1) return null;
  return toRecord(db, rows[0]);
}

/** The parsed form of a stored message, re-derived from its raw bytes (or a .msg's rendering). */
export function reparse(db: CaseDb, id: string): ParsedMessage | null {
  const raw = blob(db, renderedKey(id)) ?? blob(db, id);
  return raw ? parseMessage(raw, DEFAULT_LIMITS).message : null;
}

export function messageBody(db: CaseDb, id: string): { text: string; html: string } {
  const m = reparse(db, id);
  return { text: m?.text ?? '', html: m?.html ?? '' };
}

export function blob(db: CaseDb, sha256: string): Uint8Array | null {
  const r = db.stmt('SELECT data FROM blobs WHERE sha256 = ?').get(sha256) as { data: Uint8Array } | undefined;
  return r?.data ?? null;
}
