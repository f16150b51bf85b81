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
 * Two passes over the messages' header facts (header-facts.ts: made at ingest, or read from the
 * stored bytes for older messages): the first learns every group's mailer habits
 * (mailer-model.ts), the second judges each message. Nothing learned is stored: it is
 * recomputed on every run, from the case as it is.
 *
 * Reads the case through the CaseDb handle only (the one place forensics touches storage).
 */
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { splitHeaders } from '../mime/headers.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { attachmentFindings, PEOPLE_FIELDS } from './attachments.ts';
import { dateFindings } from './dates.ts';
import { divergentDuplicates } from './duplicates.ts';
import { MailerModel } from './mailer-model.ts';
import { extractMetadata } from './metadata/index.ts';
import type { DocMetadata } from './metadata/types.ts';
import { majorityScript, scriptOf } from './script.ts';
import { SenderProfiles } from './sender-profile.ts';
import { STAGE, type Finding } from './types.ts';
import { relieveHeap } from '../core/memory.ts';
import { factsOf, hasBlankLine, HEADER_FIRST_READ, HEADER_READ_BYTES, type HeaderFacts } from './header-facts.ts';
import { restoreIndexes } from '../store/bulk.ts';

export interface ForensicsOptions {
  /** The clock, ms since the epoch (tests inject it). */
  now?: number;
}

export interface ForensicsSummary {
  messages: number;
  /** Messages with at least one finding of the code (any severity). */
  flagged: Record<string, number>;
  /** Messages with a finding of the code that contradicts their claims (warning or critical): what can make them suspicious. */
  contradicting: Record<string, number>;
  suspicious: number;
  /** Of those, the messages a finding of this pass makes suspicious (the rest: lookalike-domain evidence only). */
  suspiciousFromForensics: number;
  attachmentsWithMetadata: number;
  seconds: number;
}


function readHead(db: CaseDb, key: string): Uint8Array | null {
  const q = db.stmt('SELECT substr(data, 1, ?) AS h, length(data) AS n FROM blobs WHERE sha256 = ?');
  const r = q.get(HEADER_FIRST_READ, key) as { h: Uint8Array | null; n: number } | undefined;
  if (!r || !r.h) return null;
  if (r.n <= HEADER_FIRST_READ || hasBlankLine(r.h)) return r.h;
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

function headerFields(db: CaseDb, id: string) {
  const head = readHead(db, `${id}.rendered`) ?? readHead(db, id);
  return head ? splitHeaders(head, 0, head.length, DEFAULT_LIMITS, []).fields : null;
}

/** A message's header facts: stored at ingest, else read from its blob; null when it has no bytes. */
function headerFacts(db: CaseDb, r: Row): HeaderFacts | null {
  if (typeof r.header_facts === 'string') return JSON.parse(r.header_facts) as HeaderFacts;
  const fields = headerFields(db, String(r.id));
  return fields ? factsOf(fields) : null;
}

/**
 * Keyset pages rather than one array of every message: keeps the pass's memory flat. In the
 * table's own order (SQLite's rowid: the order messages were stored), not by id: ids are
 * hashes, and reading rows in id order read a page of the table per message.
 */
function* pages(db: CaseDb): Generator<Row[]> {
  const key = db.dialect === 'sqlite' ? 'rowid' : 'id';
  const page = db.stmt(`SELECT ${key} AS k, id, date, verdict, from_address, header_facts FROM messages WHERE ${key} > ? ORDER BY ${key} LIMIT ?`);
  for (let after: unknown = db.dialect === 'sqlite' ? -1 : '', rows = page.all(after, BATCH) as Row[]; rows.length; after = rows[rows.length - 1].k, rows = page.all(after, BATCH) as Row[]) yield rows;
}

/** First pass: the mailer habits of every group (see mailer-model.ts). */
function learnMailers(db: CaseDb): MailerModel {
  const model = new MailerModel();
  for (const rows of pages(db)) for (const r of rows) {
    relieveHeap();
    const facts = headerFacts(db, r);
    if (facts) model.learn(facts.fp, (r.verdict as string | null) ?? null);
  }
  return model;
}

/** Every sender's attachments (by From address), for the sender-habit checks. */
function senderProfiles(db: CaseDb): SenderProfiles {
  const p = new SenderProfiles();
  for (const r of db.stmt("SELECT DISTINCT m.from_address AS sender, a.sha256, a.metadata FROM attachments a JOIN messages m ON m.id = a.message WHERE m.from_address IS NOT NULL AND a.metadata IS NOT NULL AND a.metadata <> '{}'").iterate() as Iterable<Row>) {
    const metadata = JSON.parse(String(r.metadata)) as DocMetadata & { error?: string };
    if (!metadata.error && metadata.format) p.add(String(r.sender).toLowerCase(), String(r.sha256), metadata);
  }
  return p;
}

interface PassContext {
  majority: ReturnType<typeof majorityScript>;
  mailers: MailerModel;
  senders: SenderProfiles;
  now: number;
}

/** Findings from the message's own headers and attachments. */
function messageFindings(db: CaseDb, r: Row, ctx: PassContext): Finding[] {
  const id = String(r.id);
  const date = (r.date as string | null) ?? null;
  const verdict = (r.verdict as string | null) ?? null;
  const facts = headerFacts(db, r);
  const out: Finding[] = [];
  const sent = date ? Date.parse(date) : null;
  const mailer = facts ? facts.mailer : null;
  if (facts) {
    out.push(...dateFindings(sent, facts.hops, ctx.now));
    const m = ctx.mailers.judge(facts.fp, verdict === 'suspicious' ? 'unverifiable' : verdict);
    if (m) out.push(m);
  }
  const sender = r.from_address;
  for (const a of db.stmt("SELECT filename, sha256, metadata FROM attachments WHERE message = ? AND metadata IS NOT NULL AND metadata <> '{}' ORDER BY idx").all(id) as Row[]) {
    const metadata = JSON.parse(String(a.metadata)) as DocMetadata & { error?: string };
    if (metadata.error || !metadata.format) continue;
    const filename = (a.filename as string | null) ?? null;
    const found = attachmentFindings({ filename, metadata }, sent, ctx.majority, { mailer });
    out.push(...found);
    // the corpus-wide script check already named a foreign author: do not say it twice
    const foreign = ctx.majority !== null && [metadata.author, metadata.lastModifiedBy].some((v) => v && scriptOf(v) && scriptOf(v) !== ctx.majority);
    const name = filename ? `"${filename}"` : `an attached ${metadata.format.toUpperCase()} file`;
    out.push(...ctx.senders.judge(typeof sender === 'string' ? sender.toLowerCase() : null, String(a.sha256), metadata, name, foreign));
  }
  return out;
}

/**
 * Whether a message (by the pass's page key `k`, and its id) has evidence matching `where` (on
 * `e`, the evidence table). SQLite: the matching messages' rowids are read once, ascending, and
 * the pass, which goes in rowid order too, walks them alongside: two lookups a message were
 * 0.44 s of a 4x Enron case's 2.7 s pass. A number a matching message. Keys must be asked in
 * ascending order. PostgreSQL asks for each message.
 */
function evidenceOf(db: CaseDb, where: string, ...params: unknown[]): (k: unknown, id: string) => boolean {
  if (db.dialect !== 'sqlite') {
    const q = db.stmt(`SELECT 1 FROM evidence e WHERE e.message = ? AND ${where} LIMIT 1`);
    return (_k, id) => q.get(id, ...params) !== undefined;
  }
  const keys: number[] = [];
  for (const r of db.stmt(`SELECT DISTINCT m.rowid AS k FROM evidence e JOIN messages m ON m.id = e.message WHERE ${where} ORDER BY 1`).iterate(...params) as Iterable<Row>) keys.push(Number(r.k));
  let i = 0;
  return (k) => {
    const key = Number(k);
    while (i < keys.length && keys[i] < key) i++;
    return i < keys.length && keys[i] === key;
  };
}

export function runForensics(db: CaseDb, opts: ForensicsOptions = {}): ForensicsSummary {
  const t0 = Date.now();
  restoreIndexes(db);
  const now = opts.now ?? Date.now();
  const attachmentsWithMetadata = extractAll(db);
  const majority = majorityScript(peopleNames(db));
  const mailers = learnMailers(db);
  const senders = senderProfiles(db);

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
  const contradicting: Record<string, number> = {};
  let suspicious = 0;
  let suspiciousFromForensics = 0;
  let done = 0;
  const del = db.stmt('DELETE FROM evidence WHERE message = ? AND stage = ?');
  const ins = db.stmt('INSERT INTO evidence (message, stage, code, severity, detail) VALUES (?,?,?,?,?)');
  const setVerdict = db.stmt('UPDATE messages SET verdict = ? WHERE id = ?');
  // the messages with evidence of this pass to replace, and with lookalike-domain evidence (src/
  // lookalike, run just before this pass), which contradicts the sender's claims too
  const ownEvidence = evidenceOf(db, 'e.stage = ?', STAGE);
  const lookalike = evidenceOf(db, "e.stage = 'lookalike' AND e.severity <> 'info'");
  db.begin();
  try {
    for (const rows of pages(db)) for (const r of rows) {
      relieveHeap();
      const id = String(r.id);
      const findings = [...(dupFindings.get(id) ?? []), ...messageFindings(db, r, { majority, mailers, senders, now })];
      if (ownEvidence(r.k, id)) del.run(id, STAGE);
      for (const f of findings) ins.run(id, STAGE, f.code, f.severity, f.detail);
      for (const code of new Set(findings.map((f) => f.code))) flagged[code] = (flagged[code] ?? 0) + 1;
      for (const code of new Set(findings.filter((f) => f.contradicts && f.severity !== 'info').map((f) => f.code))) contradicting[code] = (contradicting[code] ?? 0) + 1;
      const old = (r.verdict as string | null) ?? null;
      const base = old === 'suspicious' ? 'unverifiable' : old;
      const own = findings.some((f) => f.contradicts && f.severity !== 'info');
      const contradicted = own || lookalike(r.k, id);
      const next = base === 'unverifiable' && contradicted ? 'suspicious' : base;
      if (next === 'suspicious') suspicious++;
      if (next === 'suspicious' && own) suspiciousFromForensics++;
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
  return { messages: done, flagged, contradicting, suspicious, suspiciousFromForensics, attachmentsWithMetadata, seconds: (Date.now() - t0) / 1000 };
}
