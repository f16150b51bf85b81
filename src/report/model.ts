/**
 * @module report/model
 * The authenticity report of one message (`trove show ID --report html|md|json`): everything a
 * journalist needs to attach to a story or show a lawyer, gathered once into a plain object that
 * the renderers (md.ts, html.ts) only format. The JSON report IS this object.
 *
 * What goes in: the message's identity (sha256, Message-ID), the chain of custody (every place the
 * same bytes were found, each container up to the ingested file with its sha256, and the ingest
 * run), a headers summary, the verdict with every evidence sentence, each DKIM signature with the
 * key that decided it, the ARC chain hop by hop, the attachments with their hashes, and a
 * plain-language statement of what the verdict proves and what it does not.
 */
import { verifyArc } from '../auth/arc/verify.ts';
import { resolverFromRecords } from '../auth/keys.ts';
import type { DkimSignatureResult, Evidence } from '../auth/types.ts';
import { VERSION } from '../core/version.ts';
import { loadKeys } from '../store/keys.ts';
import { blob, findMessage, reparse } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { explain } from './explain.ts';

export const REPORT_FORMAT = 'trove-authenticity-report/1';

export interface CustodyLink {
  locator: string;
  kind: string;
  format: string | null;
  sha256: string | null;
  size: number | null;
}

export interface ReportSource {
  locator: string;
  /** The containers this copy was found in, innermost first, up to the ingested file. */
  containers: CustodyLink[];
  ingested_at: string | null;
  ingested_by: string | null;
}

export interface ReportSignature {
  index: number;
  domain: string;
  selector: string;
  key_name: string;
  algorithm: string;
  canonicalization: string | null;
  identity: string | null;
  signed_at: string | null;
  expires_at: string | null;
  result: string;
  body_hash: string;
  header_signature: string;
  aligned: boolean;
  length_limit: number | null;
  unsigned_body_bytes: number;
  signed_headers: string[];
  key: { origin: string; type: string | null; bits: number | null; status: string | null; first_seen: string | null; last_seen: string | null; record_index: number | null };
  error: string | null;
  evidence: Evidence[];
}

export interface AuthenticityReport {
  format: typeof REPORT_FORMAT;
  generated_at: string;
  trove_version: string;
  message: {
    sha256: string;
    size: number;
    message_id: string | null;
    date: string | null;
    date_raw: string | null;
    from: string[];
    to: string[];
    cc: string[];
    subject: string;
    origin: string;
  };
  sources: ReportSource[];
  headers: { count: number; received: number; shown: { name: string; value: string }[] };
  verdict: string;
  evidence: Evidence[];
  dkim: ReportSignature[];
  arc: { result: string; instances: number; reason: string | null; hops: { instance: number; seal_domain: string; seal_selector: string; cv: string; seal_valid: boolean; ams_domain: string; ams_selector: string; body_hash: string; header_signature: string }[] };
  attachments: { filename: string | null; content_type: string; size: number; sha256: string }[];
  proves: string;
  does_not_prove: string;
  /** How to check the signatures independently with dkimpy, offline, with the archived keys. */
  reproduce: string;
}

export interface ReportOptions {
  /** Fixed for golden files; default now. */
  generatedAt?: Date;
  version?: string;
}

/** Header fields shown in the summary, in this order (every instance of each). */
const SHOWN = ['from', 'sender', 'reply-to', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'return-path', 'x-mailer', 'user-agent', 'x-originating-ip'];

const iso = (unix: number | null): string | null => (unix === null ? null : new Date(unix * 1000).toISOString());
const addr = (a: { name: string; address: string }): string => (a.name ? `${a.name} <${a.address}>` : a.address);

export function buildReport(db: CaseDb, id: string, o: ReportOptions = {}): AuthenticityReport | null {
  const r = findMessage(db, id);
  if (!r) return null;
  const parsed = reparse(db, r.id);
  const headers = parsed?.headers ?? [];
  const dkim = (r.dkim as DkimSignatureResult[]).map(signature);
  const raw = r.origin === 'as-found' ? blob(db, r.id) : null;
  const arc = raw
    ? verifyArc(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), { resolve: resolverFromRecords(loadKeys(db)), now: o.generatedAt })
    : null;
  const report: Omit<AuthenticityReport, 'proves' | 'does_not_prove' | 'reproduce'> = {
    format: REPORT_FORMAT,
    generated_at: (o.generatedAt ?? new Date()).toISOString(),
    trove_version: o.version ?? VERSION,
    message: {
      sha256: r.id,
      size: r.size,
      message_id: r.message_id,
      date: r.date,
      date_raw: r.date_raw,
      from: r.from.map(addr),
      to: r.to.map(addr),
      cc: r.cc.map(addr),
      subject: r.subject,
      origin: r.origin,
    },
    sources: custody(db, r.id),
    headers: {
      count: headers.length,
      received: headers.filter((h) => h.name.toLowerCase() === 'received').length,
      shown: SHOWN.flatMap((n) => headers.filter((h) => h.name.toLowerCase() === n)).map((h) => ({ name: h.name, value: h.value })),
    },
    verdict: r.verdict,
    evidence: r.evidence.map((e) => ({ code: e.code, severity: e.severity as Evidence['severity'], detail: e.detail })),
    dkim,
    arc: {
      result: arc?.result ?? r.arc.result,
      instances: arc?.instances ?? r.arc.instances,
      reason: arc?.reason ?? null,
      hops: (arc?.sets ?? []).map((s) => ({
        instance: s.instance, seal_domain: s.seal.domain, seal_selector: s.seal.selector, cv: s.seal.cv, seal_valid: s.seal.valid,
        ams_domain: s.ams.domain, ams_selector: s.ams.selector, body_hash: s.ams.body_hash, header_signature: s.ams.header_signature,
      })),
    },
    attachments: r.attachments.map((a) => ({ filename: a.filename, content_type: a.content_type, size: a.size, sha256: a.sha256 })),
  };
  return { ...report, ...explain(report), reproduce: reproduce(db, r.id, r.origin, dkim) };
}

/**
 * A script anyone can run to check the signatures without trove: dkimpy (Debian python3-dkim)
 * fed the exact bytes and the archived key values, with no DNS. Mail stored with bare LF line
 * endings (mbox, maildir) is converted to CRLF first, as DKIM is defined on the wire form.
 */
function reproduce(db: CaseDb, id: string, origin: string, dkim: ReportSignature[]): string {
  if (origin !== 'as-found') return 'Not applicable: these bytes were rebuilt from an Outlook file, so there is no signed original to check.';
  if (!dkim.length) return 'Not applicable: the message carries no DKIM signature.';
  const names = [...new Set(dkim.map((d) => d.key_name).filter(Boolean))];
  const keys = loadKeys(db).filter((k) => names.includes(k.name));
  const py = (s: string) => JSON.stringify(s);
  return [
    `# 1. the exact bytes (check: sha256sum ${id.slice(0, 12)}.eml must print ${id})`,
    `npx trove show ${id} --raw > ${id.slice(0, 12)}.eml`,
    '# 2. verify with dkimpy (apt install python3-dkim), offline, with the archived keys',
    "python3 - <<'PY'",
    'import dkim, re',
    'keys = {',
    ...keys.map((k) => `    ${py(k.name)}: ${py(k.value)},`),
    '}',
    `msg = open(${py(id.slice(0, 12) + '.eml')}, 'rb').read()`,
    "msg = re.sub(rb'(?<!\\r)\\n', b'\\r\\n', msg)  # DKIM is computed on CRLF line endings",
    "d = dkim.DKIM(msg)",
    "for i in range(len([h for h in d.headers if h[0].lower() == b'dkim-signature'])):",
    '    try:',
    "        ok, why = d.verify(idx=i, dnsfunc=lambda name, timeout=5: keys.get(name.decode().rstrip('.'), '').encode() or None), ''",
    '    except dkim.DKIMException as e:',
    '        ok, why = False, str(e)',
    "    print('signature', i, 'valid' if ok else 'NOT valid', why)",
    'PY',
  ].join('\n');
}

function signature(s: DkimSignatureResult, index: number): ReportSignature {
  const k = s.key_info;
  return {
    index,
    domain: s.domain,
    selector: s.selector,
    key_name: s.domain && s.selector ? `${s.selector}._domainkey.${s.domain}` : '',
    algorithm: s.algorithm,
    canonicalization: s.canonicalization ?? null,
    identity: s.identity ?? null,
    signed_at: iso(s.timestamp ?? null),
    expires_at: iso(s.expiration ?? null),
    result: s.result,
    body_hash: s.body_hash,
    header_signature: s.header_signature,
    aligned: s.aligned,
    length_limit: s.length_limit,
    unsigned_body_bytes: s.unsigned_body_bytes ?? 0,
    signed_headers: s.signed_headers,
    key: {
      origin: s.key,
      type: k?.type ?? null,
      bits: k?.bits ?? null,
      status: k?.status ?? null,
      first_seen: k?.first_seen ?? null,
      last_seen: k?.last_seen ?? null,
      record_index: k?.record_index ?? null,
    },
    error: s.error ?? null,
    evidence: s.evidence ?? [],
  };
}

type Row = Record<string, unknown>;

/** Every copy of the message, each with its containers up to the ingested file (chain of custody). */
function custody(db: CaseDb, sha256: string): ReportSource[] {
  const items = db.stmt("SELECT id, locator, parent_id, run_id FROM items WHERE sha256 = ? AND kind = 'message' ORDER BY id").all(sha256) as Row[];
  const byId = db.stmt('SELECT locator, parent_id, kind, format, sha256, size FROM items WHERE id = ?');
  const run = db.stmt('SELECT started_at, version FROM runs WHERE id = ?');
  return items.map((it) => {
    const containers: CustodyLink[] = [];
    let p = it.parent_id as number | null;
    for (let guard = 0; p !== null && p !== undefined && guard < 64; guard++) {
      const c = byId.get(p) as Row | undefined;
      if (!c) break;
      containers.push({ locator: String(c.locator), kind: String(c.kind), format: (c.format as string | null) ?? null, sha256: (c.sha256 as string | null) ?? null, size: c.size === null || c.size === undefined ? null : Number(c.size) });
      p = c.parent_id as number | null;
    }
    const rr = it.run_id === null || it.run_id === undefined ? undefined : (run.get(it.run_id as number) as Row | undefined);
    return {
      locator: String(it.locator),
      containers,
      ingested_at: rr ? String(rr.started_at) : null,
      ingested_by: rr ? `trove ${String(rr.version)}` : null,
    };
  });
}
