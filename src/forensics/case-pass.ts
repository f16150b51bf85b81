/**
 * @module forensics/case-pass
 * The case-level forensic pass, run after authentication (end of `ingest` and `analyze`, or
 * `trove forensics run`). It is idempotent: it deletes its own evidence (stage 'forensics')
 * and rewrites it, re-extracts attachment metadata, and recomputes `suspicious` from the
 * authentication verdict, so running it twice gives the same case.
 *
 * Verdict rule (CONTRACT.md): an `unverifiable` message with a finding that contradicts its
 * own claims (severity warning or critical) becomes `suspicious`; `verified` and `tampered`
 * never change (a verified signature outranks heuristics; the finding is still listed). A
 * message never analysed (verdict null, `--no-analyze`) keeps null.
 *
 * Reads the case through the CaseDb handle only (the one place forensics touches storage).
 */
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { splitHeaders, getHeaders } from '../mime/headers.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { attachmentFindings, PEOPLE_FIELDS } from './attachments.ts';
import { dateFindings } from './dates.ts';
import { divergentDuplicates } from './duplicates.ts';
import { extractMetadata } from './metadata/index.ts';
import type { DocMetadata } from './metadata/types.ts';
import { parseReceived } from './received.ts';
import { majorityScript } from './script.ts';
import { STAGE, type Finding } from './types.ts';

export interface ForensicsOptions {
  /** The clock, ms since the epoch (tests inject it). */
  now?: number;
}

export interface ForensicsSummary {
  messages: number;
  /** Messages with at least one finding of the code. */
  flagged: Record<string, number>;
  suspicious: number;
  attachmentsWithMetadata: number;
  seconds: number;
}

/**
 * Header bytes read per message: a first small read covers nearly every header block; the
 * larger one only runs when no blank line was found. Reading big slices for every message
 * made the pass allocate (and the process hold) hundreds of MB on the corpora.
 */
const HEADER_FIRST_READ = 16 * 1024;
const HEADER_READ_BYTES = 256 * 1024;

function readHead(db: CaseDb, key: string): Uint8Array | null {
  const q = db.stmt('SELECT substr(data, 1, ?) AS h, length(data) AS n FROM blobs WHERE sha256 = ?');
  const r = q.get(HEADER_FIRST_READ, key) as { h: Uint8Array | null; n: number } | undefined;
  if (!r || !r.h) return null;
  const b = Buffer.from(r.h.buffer, r.h.byteOffset, r.h.byteLength);
  if (r.n <= HEADER_FIRST_READ || b.includes('\n\n') || b.includes('\r\n\r\n')) return r.h;
  return ((q.get(HEADER_READ_BYTES, key) as { h: Uint8Array } | undefined)?.h) ?? null;
}
const BATCH = 2000;

type Row = Record<string, unknown>;

/** Extracts metadata of every attachment the case holds into attachments.metadata. */
function extractAll(db: CaseDb): number {
  let n = 0;
  const heads = db.db.prepare('SELECT sha256, substr(data, 1, 1024) AS head FROM blobs WHERE sha256 IN (SELECT DISTINCT sha256 FROM attachments)').iterate() as Iterable<Row>;
  const candidates: string[] = [];
  for (const r of heads) {
    if (!r.head) continue;
    const h = Buffer.from(r.head as Uint8Array);
    if (h.includes('%PDF-') || (h[0] === 0x50 && h[1] === 0x4b) || (h[0] === 0xd0 && h[1] === 0xcf) || (h[0] === 0xff && h[1] === 0xd8) || h.subarray(0, 4).equals(Buffer.from('II*\0', 'latin1')) || h.subarray(0, 4).equals(Buffer.from('MM\0*', 'latin1'))) candidates.push(String(r.sha256));
  }
  const get = db.stmt('SELECT data FROM blobs WHERE sha256 = ?');
  const set = db.stmt('UPDATE attachments SET metadata = ? WHERE sha256 = ?');
  db.tx(() => {
    for (const sha of candidates) {
      const data = (get.get(sha) as { data: Uint8Array } | undefined)?.data;
      const m = data ? extractMetadata(data) : null;
      if (!m) continue;
      set.run(JSON.stringify(m), sha);
      n++;
    }
  });
  return n;
}

function peopleNames(db: CaseDb): string[] {
  const names: string[] = [];
  for (const r of db.stmt("SELECT DISTINCT metadata FROM attachments WHERE metadata IS NOT NULL AND metadata <> '{}'").all() as Row[]) {
    const m = JSON.parse(String(r.metadata)) as Record<string, unknown>;
    for (const f of PEOPLE_FIELDS) if (typeof m[f] === 'string' && m[f]) names.push(m[f] as string);
  }
  return names;
}

/** Findings from the message's own headers and attachments. */
function messageFindings(db: CaseDb, id: string, date: string | null, majority: ReturnType<typeof majorityScript>, now: number): Finding[] {
  const head = readHead(db, `${id}.rendered`) ?? readHead(db, id);
  const out: Finding[] = [];
  const sent = date ? Date.parse(date) : null;
  if (head) {
    const fields = splitHeaders(head, 0, head.length, DEFAULT_LIMITS, []).fields;
    out.push(...dateFindings(sent, parseReceived(getHeaders(fields, 'received')), now));
  }
  for (const a of db.stmt("SELECT filename, metadata FROM attachments WHERE message = ? AND metadata IS NOT NULL AND metadata <> '{}' ORDER BY idx").all(id) as Row[]) {
    const metadata = JSON.parse(String(a.metadata)) as DocMetadata & { error?: string };
    if (metadata.error || !metadata.format) continue;
    out.push(...attachmentFindings({ filename: (a.filename as string | null) ?? null, metadata }, sent, majority));
  }
  return out;
}

export function runForensics(db: CaseDb, opts: ForensicsOptions = {}): ForensicsSummary {
  const t0 = Date.now();
  const now = opts.now ?? Date.now();
  const attachmentsWithMetadata = extractAll(db);
  const majority = majorityScript(peopleNames(db));

  // Duplicates first: they need several messages at once.
  const dupFindings = new Map<string, Finding[]>();
  const getRaw = db.stmt('SELECT data FROM blobs WHERE sha256 = ?');
  for (const g of db.stmt('SELECT message_id FROM messages WHERE message_id IS NOT NULL GROUP BY message_id HAVING COUNT(*) > 1').all() as Row[]) {
    const mid = String(g.message_id);
    const copies = (db.stmt('SELECT id, verdict FROM messages WHERE message_id = ? ORDER BY id').all(mid) as Row[]).flatMap((r) => {
      const id = String(r.id);
      const raw = ((getRaw.get(`${id}.rendered`) ?? getRaw.get(id)) as { data: Uint8Array } | undefined)?.data;
      return raw ? [{ id, verdict: (r.verdict as string | null) ?? null, raw }] : [];
    });
    for (const [id, f] of divergentDuplicates(mid, copies)) dupFindings.set(id, f);
  }

  const flagged: Record<string, number> = {};
  let suspicious = 0;
  let done = 0;
  const del = db.stmt('DELETE FROM evidence WHERE message = ? AND stage = ?');
  const ins = db.stmt('INSERT INTO evidence (message, stage, code, severity, detail) VALUES (?,?,?,?,?)');
  const setVerdict = db.stmt('UPDATE messages SET verdict = ? WHERE id = ?');
  // lookalike-domain evidence (src/lookalike, run just before this pass) contradicts the sender's claims too
  const lookalike = db.stmt("SELECT 1 FROM evidence WHERE message = ? AND stage = 'lookalike' AND severity <> 'info' LIMIT 1");
  // Keyset pages rather than one array of every message: keeps the pass's memory flat.
  const page = db.stmt('SELECT id, date, verdict FROM messages WHERE id > ? ORDER BY id LIMIT ?');
  db.begin();
  try {
    for (let after = '', rows = page.all(after, BATCH) as Row[]; rows.length; after = String(rows[rows.length - 1].id), rows = page.all(after, BATCH) as Row[]) for (const r of rows) {
      const id = String(r.id);
      const findings = [...(dupFindings.get(id) ?? []), ...messageFindings(db, id, (r.date as string | null) ?? null, majority, now)];
      del.run(id, STAGE);
      for (const f of findings) ins.run(id, STAGE, f.code, f.severity, f.detail);
      for (const code of new Set(findings.map((f) => f.code))) flagged[code] = (flagged[code] ?? 0) + 1;
      const old = (r.verdict as string | null) ?? null;
      const base = old === 'suspicious' ? 'unverifiable' : old;
      const contradicted = findings.some((f) => f.contradicts && f.severity !== 'info') || lookalike.get(id) !== undefined;
      const next = base === 'unverifiable' && contradicted ? 'suspicious' : base;
      if (next === 'suspicious') suspicious++;
      if (next !== old) setVerdict.run(next, id);
      if (++done % BATCH === 0) {
        db.commit();
        db.begin();
      }
    }
    db.commit();
  } catch (e) {
    db.rollback();
    throw e;
  }
  return { messages: done, flagged, suspicious, attachmentsWithMetadata, seconds: (Date.now() - t0) / 1000 };
}
