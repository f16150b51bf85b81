/**
 * @module store/ingest-writer
 * Everything ingest records, written through one open transaction committed in batches
 * (every `batchOps` writes or `batchMs` milliseconds). A message, its sources, blobs,
 * attachments, evidence and embedded children are written in one call, so they commit
 * together: a crash can lose a whole batch, never half a message.
 */
import type { KeyResolver } from '../auth/types.ts';
import { authenticateMessage } from '../pipeline/authenticate-message.ts';
import { storedParsed, type MessageResult } from '../pipeline/task.ts';
import { deferOrRun, indexFields, writeIndex } from '../search/indexer.ts';
import type { CaseDb } from './sqlite.ts';

export type ItemKind = 'message' | 'container' | 'file' | 'skipped' | 'error';

export interface ItemRow {
  id: number;
  kind: ItemKind;
  done: number;
  size: number | null;
  mtime: string | null;
  sha256: string | null;
}

export interface NewItem {
  locator: string;
  parentId: number | null;
  kind: ItemKind;
  format?: string | null;
  sha256?: string | null;
  size?: number | null;
  code?: string | null;
  reason?: string | null;
  mtime?: string | null;
  done?: boolean;
  duplicate?: boolean;
  meta?: Record<string, unknown> | null;
}

export interface RunCounts {
  messages: number;
  unique: number;
  duplicates: number;
  containers: number;
  files: number;
  skipped: number;
  errors: number;
  bytes: number;
}

export class IngestWriter {
  private ops = 0;
  private lastCommit = Date.now();
  readonly counts: RunCounts = { messages: 0, unique: 0, duplicates: 0, containers: 0, files: 0, skipped: 0, errors: 0, bytes: 0 };
  readonly db: CaseDb;
  readonly runId: number;
  private readonly batchOps: number;
  private readonly batchMs: number;

  /** Authenticates here the results that come without it (see ingest.ts: the parse worker's load). */
  private readonly resolve: KeyResolver | null;

  constructor(db: CaseDb, runId: number, opts: { batchOps?: number; batchMs?: number; resolve?: KeyResolver | null } = {}) {
    this.db = db;
    this.runId = runId;
    this.resolve = opts.resolve ?? null;
    // SQLite: large batches (each commit writes every page it dirtied, and FTS5 writes a new
    // segment): Enron 1x wrote 32% less at the same speed than with 2,000 ops / 1 s. PostgreSQL
    // keeps short transactions: its server-mode writers run side by side.
    const big = db.dialect === 'sqlite';
    this.batchOps = opts.batchOps ?? (big ? 20000 : 2000);
    this.batchMs = opts.batchMs ?? (big ? 5000 : 1000);
  }

  find(locator: string): ItemRow | undefined {
    return this.db.stmt('SELECT id, kind, done, size, mtime, sha256 FROM items WHERE locator = ?').get(locator) as ItemRow | undefined;
  }

  /**
   * Called at the start of every public write, never in the middle of one: a batch commits
   * only between whole operations (a message with all its rows), never inside one.
   */
  private tick(n = 1): void {
    if (this.ops >= this.batchOps || (this.ops > 0 && Date.now() - this.lastCommit >= this.batchMs)) this.flush();
    this.db.begin();
    this.ops += n;
  }

  /** Commits the open batch. */
  flush(): void {
    this.db.commit();
    this.ops = 0;
    this.lastCommit = Date.now();
  }

  addItem(it: NewItem): number {
    this.tick();
    return this.insertItem(it);
  }

  private insertItem(it: NewItem): number {
    const r = this.db
      .stmt('INSERT INTO items (locator, parent_id, kind, format, sha256, size, duplicate, done, code, reason, mtime, meta, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)')
      .run(it.locator, it.parentId, it.kind, it.format ?? null, it.sha256 ?? null, it.size ?? null, it.duplicate ? 1 : 0, it.done === false ? 0 : 1, it.code ?? null, it.reason ?? null, it.mtime ?? null, it.meta ? JSON.stringify(it.meta) : null, this.runId);
    const key = it.kind === 'message' ? null : it.kind === 'container' ? 'containers' : it.kind === 'file' ? 'files' : it.kind === 'skipped' ? 'skipped' : 'errors';
    if (key) this.counts[key]++;
    return Number(r.lastInsertRowid); // PostgreSQL: the store adds RETURNING id
  }

  /** Replaces a container's row after a resume found it unfinished (keeps its id). */
  updateItem(id: number, fields: { sha256?: string | null; size?: number | null; done?: boolean }): void {
    this.tick();
    deferOrRun(this.db, 'UPDATE items SET sha256 = COALESCE(?, sha256), size = COALESCE(?, size), done = COALESCE(?, done) WHERE id = ?',
      fields.sha256 ?? null, fields.size ?? null, fields.done === undefined ? null : fields.done ? 1 : 0, id);
  }

  markDone(id: number): void {
    this.tick();
    deferOrRun(this.db, 'UPDATE items SET done = 1 WHERE id = ?', id);
  }

  log(level: 'info' | 'warning' | 'error', event: string, detail: unknown): void {
    this.tick();
    deferOrRun(this.db, 'INSERT INTO log (run_id, ts, level, event, detail) VALUES (?,?,?,?,?)', this.runId, new Date().toISOString(), level, event, JSON.stringify(detail));
  }

  private putBlob(sha256: string, bytes: Uint8Array): void {
    deferOrRun(this.db, 'INSERT INTO blobs (sha256, size, data) VALUES (?,?,?) ON CONFLICT DO NOTHING', sha256, bytes.length, bytes);
  }

  /** Records a parsed message found at `locator`, and everything embedded in it. Returns its item id. */
  addMessage(locator: string, parentId: number | null, r: MessageResult, meta: Record<string, unknown> | null = null): number {
    this.tick(4 + (r.parsed?.attachments.length ?? 0));
    return this.writeMessage(locator, parentId, r, null, meta);
  }

  private writeMessage(locator: string, parentId: number | null, r: MessageResult, parentMessage: string | null, meta: Record<string, unknown> | null = null): number {
    if (!r.parsed && r.nonMail.length > 0) {
      // an Outlook item that is not mail (appointment, contact): accounted as a known file
      return this.insertItem({ locator, parentId, kind: 'file', format: r.nonMail[0].what, sha256: r.sha256, size: r.size });
    }
    // as parse-message.ts would have: an Outlook item's bytes are not what was sent
    if (this.resolve && !r.auth) r.auth = authenticateMessage(r.bytes, r.format === 'msg' ? 'synthesized' : r.origin, this.resolve);
    const fresh = Number(
      this.db.stmt(`INSERT INTO messages (id, size, origin, format, message_id, date, date_raw, subject, from_address, thread_id, parent_message, parsed, parse_error, verdict, analysis, domains, header_facts)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`).run(
        r.sha256, r.size, r.origin, r.format,
        r.parsed?.messageId ?? null, r.parsed?.date ?? null, r.parsed?.dateRaw ?? null, r.parsed?.subject ?? null,
        r.parsed?.from[0]?.address.toLowerCase() ?? null, r.threadId, parentMessage,
        // bodies and the header list are not stored twice: they are re-derived from the raw blob
        // (parsing is sub-millisecond), which halves what ingest writes
        r.parsedJson ?? storedParsed(r.parsed),
        r.error,
        r.auth?.verdict ?? null,
        r.auth ? JSON.stringify({ dkim: r.auth.dkim, arc: r.auth.arc }) : null,
        r.domains ?? null,
        r.headerFacts ?? null,
      ).changes,
    ) > 0;
    const itemId = this.insertItem({ locator, parentId, kind: 'message', format: r.format, sha256: r.sha256, size: r.size, duplicate: !fresh, meta });
    this.counts.messages++;
    if (!fresh) {
      this.counts.duplicates++;
      return itemId;
    }
    this.counts.unique++;
    this.counts.bytes += r.size;
    this.putBlob(r.sha256, r.bytes);
    const ev = { run: (...p: unknown[]) => deferOrRun(this.db, 'INSERT INTO evidence (message, stage, code, severity, detail) VALUES (?,?,?,?,?)', ...p) };
    if (r.error) ev.run(r.sha256, 'parse', 'parse-error', 'warning', `The message could not be parsed (${r.error}); its raw bytes are kept.`);
    if (r.auth) writeAuthEvidence(this.db, r.sha256, r.auth.evidence, { fresh: true });
    else if (r.origin === 'synthesized' || r.format === 'msg') ev.run(r.sha256, 'parse', 'synthesized', 'info', 'This message was rebuilt from an Outlook file (.msg/.pst), not found as it was sent, so its signatures cannot be checked.');
    if (r.parsed) {
      for (const a of r.parsed.anomalies) ev.run(r.sha256, 'parse', a.code, 'info', a.detail);
      r.parsed.attachments.forEach((a, i) => deferOrRun(this.db, 'INSERT INTO attachments (message, idx, part, filename, content_type, disposition, content_id, size, sha256, metadata) VALUES (?,?,?,?,?,?,?,?,?,?)', r.sha256, i, a.part, a.filename, a.contentType, a.disposition, a.contentId, a.size, a.sha256, '{}'));
    }
    writeIndex(this.db, r.sha256, r.index ?? indexFields(null, r.parsed?.subject ?? null));
    for (const b of r.blobs) this.putBlob(b.sha256, b.bytes);
    if (r.rendered) this.putBlob(renderedKey(r.sha256), r.rendered);
    for (const c of r.children) this.writeMessage(`${locator}!part-${c.part}`, itemId, c.result, r.sha256);
    for (const n of r.nonMail) this.insertItem({ locator: `${locator}!${n.name || 'item'}`, parentId: itemId, kind: 'file', format: n.what });
    return itemId;
  }
}

/**
 * Replaces a message's authentication evidence (ingest, and `trove analyze` after key imports).
 * `fresh`: the message was inserted in this transaction, so it has none to replace (and a bulk
 * load has no index on evidence.message to find it by: store/bulk.ts).
 */
export function writeAuthEvidence(db: CaseDb, id: string, evidence: readonly { code: string; severity: string; detail: string }[], opts: { fresh?: boolean } = {}): void {
  if (!opts.fresh) deferOrRun(db, "DELETE FROM evidence WHERE message = ? AND stage = 'auth'", id);
  for (const e of evidence) deferOrRun(db, 'INSERT INTO evidence (message, stage, code, severity, detail) VALUES (?,?,?,?,?)', id, 'auth', e.code, e.severity, e.detail);
}

/** Blob key of the RFC 5322 rendering of a .msg, stored beside the original bytes. */
export function renderedKey(sha256: string): string {
  return `${sha256}.rendered`;
}
