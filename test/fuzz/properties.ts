/**
 * The fuzz properties, shared by the short in-suite run (test/fuzz/*.fuzz.test.ts) and the long
 * run by script (scripts/fuzz.ts). Each property states what a hostile input must never do to a
 * parser: throw, hang, invent bytes, lose bytes, or make a mutated signed message "verified".
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { DEFAULT_LIMITS, type Limits } from '../../src/core/limits.ts';
import { parseMessage, sha256hex } from '../../src/mime/parse.ts';
import { MboxSplitter } from '../../src/ingest/mbox.ts';
import type { EntryProblem, FoundMessage, MailboxItem } from '../../src/ingest/types.ts';
import { parseTagList } from '../../src/auth/dkim/tags.ts';
import { importKey, parseKeyRecord } from '../../src/auth/dkim/key.ts';
import { parseSignature } from '../../src/auth/dkim/signature.ts';
import { verifyDkim } from '../../src/auth/dkim/verify.ts';
import { dkimVerdict } from '../../src/auth/verdict.ts';
import { fromDomains } from '../../src/auth/from-domain.ts';
import { signDkim, testKey } from '../../src/auth/testing/sign.ts';
import type { KeyResolver } from '../../src/auth/types.ts';
import { parseQuery, QueryError } from '../../src/search/parse.ts';
import { mboxSeeds, messageSeeds } from './seeds.ts';
import { mutatedInput, mutationArb, applyMutation } from './mutate.ts';

export interface FuzzTarget {
  name: string;
  /** Runs in the short in-suite run (the long run scales by time instead). */
  runs: number;
  /** Sync or async (the container readers are async). */
  property: () => fc.IRawProperty<any>;
}

/** Time budget for parsing one input: 200 ms per 100 KB, at least 200 ms. */
export function timeBudgetMs(bytes: number): number {
  return Math.max(200, (bytes / 100_000) * 200);
}

/** Runs f, and once more if the first run was over budget (a GC pause or a busy core is not a hang). */
function timed<T>(f: () => T, budget: number): { value: T; ms: number } {
  let t0 = performance.now();
  let value = f();
  let ms = performance.now() - t0;
  if (ms > budget) {
    t0 = performance.now();
    value = f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { value, ms };
}

// ---------------------------------------------------------------- MIME

export function checkParse(raw: Buffer, limits: Limits = DEFAULT_LIMITS): void {
  const budget = timeBudgetMs(raw.length);
  const { value: out, ms } = timed(() => parseMessage(raw, limits), budget);
  if (ms > budget) throw new Error(`parseMessage took ${ms.toFixed(0)} ms for ${raw.length} bytes (budget ${budget})`);
  const m = out.message;
  if (out.attachmentBytes.length !== m.attachments.length) throw new Error('attachmentBytes not aligned with attachments');
  let total = 0;
  m.attachments.forEach((a, i) => {
    const b = out.attachmentBytes[i];
    if (a.size !== b.length) throw new Error(`attachment ${a.part}: size ${a.size} != ${b.length} bytes`);
    if (a.sha256 !== sha256hex(b)) throw new Error(`attachment ${a.part}: sha256 does not match its bytes`);
    total += b.length;
  });
  // parts are disjoint byte ranges and decoding never expands: nothing is invented
  if (total > raw.length + 64) throw new Error(`attachments total ${total} bytes from a ${raw.length}-byte input`);
  if (m.parts > limits.maxMimeParts + 1) throw new Error(`parts ${m.parts} over maxMimeParts`);
  for (const e of out.embedded) if (e.bytes.length > raw.length) throw new Error('embedded message larger than its parent');
  if (typeof m.subject !== 'string' || typeof m.text !== 'string') throw new Error('subject/text not strings');
}

const charsetArb = fc.constantFrom('utf-8', 'UTF-8', 'iso-8859-1', 'windows-1252', 'utf-7', 'iso-2022-jp', 'gb2312', 'koi8-r', 'x-unknown', '', 'utf-8*fr', 'utf-16', '__proto__');
const payloadArb = fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 30 }), fc.stringMatching(/^(?:=[0-9A-Fa-f]{2}|[a-z_=?]){0,30}$/));
const encodedWordArb = fc.tuple(charsetArb, fc.constantFrom('B', 'Q', 'b', 'q', 'X', ''), payloadArb).map(([c, e, p]) => `=?${c}?${e}?${p}?=`);
const headerValueArb = fc.array(fc.oneof(encodedWordArb, fc.string({ maxLength: 20 }), fc.constantFrom(' ', '\r\n ', '"', '<a@b>', ',', '\u00e9', '\\', '(c)')), { maxLength: 8 }).map((a) => a.join(''));

/** A message whose headers are built from encoded words, RFC 2231 parameters and junk. */
const headerMessageArb = fc
  .record({
    subject: headerValueArb,
    from: headerValueArb,
    to: headerValueArb,
    filename: headerValueArb,
    p2231: fc.tuple(charsetArb, fc.string({ maxLength: 20 })),
    ct: fc.constantFrom('text/plain', 'multipart/mixed', 'message/rfc822', 'text', '', 'multipart/digest'),
    charset: charsetArb,
    cte: fc.constantFrom('base64', 'quoted-printable', '7bit', 'x-uuencode', ''),
    body: fc.string({ maxLength: 200 }),
  })
  .map((r) => Buffer.from(
    `Subject: ${r.subject}\r\nFrom: ${r.from}\r\nTo: ${r.to}\r\nDate: ${r.subject}\r\nMessage-ID: ${r.from}\r\n` +
      `Content-Type: ${r.ct}; charset="${r.charset}"; boundary="${r.filename}"; name*0*=${r.p2231[0]}''${encodeURIComponent(r.p2231[1])}; name*1="${r.p2231[1]}"\r\n` +
      `Content-Disposition: attachment; filename="${r.filename}"\r\nContent-Transfer-Encoding: ${r.cte}\r\n\r\n${r.body}\r\n`,
    'utf8',
  ));

// ---------------------------------------------------------------- mbox

function splitAll(data: Buffer, limits: Limits, cuts: number[]): MailboxItem[] {
  const s = new MboxSplitter(limits);
  const items: MailboxItem[] = [];
  let off = 0;
  for (const c of [...cuts, data.length]) {
    const end = Math.min(data.length, Math.max(off, c));
    s.push(data.subarray(off, end));
    items.push(...s.drain());
    off = end;
  }
  s.finish();
  items.push(...s.drain());
  return items;
}

const isProblem = (i: MailboxItem): i is EntryProblem => (i as EntryProblem).problem === true;

/**
 * The accounting property of the splitter. Every yielded message is an exact slice of the input
 * (right after its envelope line, or at its own offset without one); messages, corrupt ranges and
 * skipped messages come in stream order without overlap; every byte NOT covered by them is a BOM,
 * a CR/LF of leading blank lines, or the one blank line (≤ 2 bytes, CR/LF only) mbox writers put
 * before an envelope line or at the end. So nothing is lost silently.
 */
export function checkMboxAccounting(data: Buffer, items: MailboxItem[]): void {
  const covered: [number, number][] = [];
  let pendingSkip = -1;
  for (const it of items) {
    if (isProblem(it)) {
      if (it.code === 'mbox-corrupt') {
        const m = /bytes (\d+)\.\.(\d+)/.exec(it.reason);
        if (!m) throw new Error(`mbox-corrupt without a byte range: ${it.reason}`);
        covered.push([Number(m[1]), Number(m[2])]);
      } else if (it.code === 'message-too-large') {
        const m = /at offset (\d+)/.exec(it.reason);
        if (!m) throw new Error(`message-too-large without an offset: ${it.reason}`);
        if (pendingSkip >= 0) covered.push([pendingSkip, Number(m[1])]);
        pendingSkip = Number(m[1]);
      } else throw new Error(`unexpected problem ${it.code}`);
      continue;
    }
    const f = it as FoundMessage;
    const meta = f.meta ?? {};
    const offset = Number(meta.offset);
    if (pendingSkip >= 0) {
      covered.push([pendingSkip, offset]);
      pendingSkip = -1;
    }
    let start = offset;
    if (!meta.noEnvelope) {
      const env = Buffer.from(String(meta.envelope), 'latin1');
      if (!data.subarray(offset, offset + env.length).equals(env)) throw new Error(`${f.name}: envelope not found at offset ${offset}`);
      if (!env.subarray(0, 5).equals(Buffer.from('From '))) throw new Error(`${f.name}: envelope does not start with "From "`);
      const lf = data.indexOf(0x0a, offset + env.length);
      start = lf === -1 ? data.length : lf + 1;
      if (start - (offset + env.length) > 2) throw new Error(`${f.name}: envelope line end is not CR?LF`);
    }
    if (!data.subarray(start, start + f.bytes.length).equals(f.bytes)) throw new Error(`${f.name}: bytes are not the input slice at ${start}`);
    covered.push([offset, start + f.bytes.length]);
  }
  if (pendingSkip >= 0) covered.push([pendingSkip, data.length]);
  let cur = 0;
  const bomEnd = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
  covered.forEach(([s, e], k) => {
    if (s < cur) throw new Error(`ranges overlap or go backwards at ${s} (< ${cur})`);
    const gap = data.subarray(Math.max(cur, k === 0 ? bomEnd : 0), s);
    if (!/^[\r\n]*$/.test(gap.toString('latin1'))) throw new Error(`bytes ${cur}..${s} unaccounted: ${JSON.stringify(gap.toString('latin1').slice(0, 60))}`);
    if (k > 0 && gap.length > 2) throw new Error(`${gap.length} blank bytes dropped between items at ${cur}`);
    cur = e;
  });
  const tail = data.subarray(Math.max(cur, covered.length ? 0 : bomEnd));
  if (!/^[\r\n]*$/.test(tail.toString('latin1'))) throw new Error(`trailing bytes ${cur}.. unaccounted: ${JSON.stringify(tail.toString('latin1').slice(0, 60))}`);
  if (covered.length && tail.length > 2) throw new Error(`${tail.length} trailing blank bytes dropped`);
}

const mboxPieces = ['From a@b Mon Jan  2 10:00:00 2006', 'From -', 'From ', 'From Russia with love', 'From: x@y', 'Content-Length: 5',
  'Content-Length: 0', 'Content-Length: 99999', 'Subject: s', '', '', '>From z', 'hello', '\r', ' folded', 'X-A:', '\ufeff'];
const mboxLinesArb = fc.tuple(fc.array(fc.constantFrom(...mboxPieces), { maxLength: 40 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean())
  .map(([lines, eol, bom, trail]) => Buffer.from((bom ? '\ufeff' : '') + lines.join(eol) + (trail ? eol : '')));

const mboxCaseArb = fc.record({
  data: fc.oneof(mutatedInput(mboxSeeds, 6, 8 * 1024), mboxLinesArb),
  cuts: fc.array(fc.nat(20_000), { maxLength: 8 }).map((a) => a.sort((x, y) => x - y)),
  maxMessageBytes: fc.constantFrom(DEFAULT_LIMITS.maxMessageBytes, 1_000, 50, 1),
});

// ---------------------------------------------------------------- DKIM

const tagTextArb = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.array(fc.tuple(fc.constantFrom('v', 'a', 'b', 'bh', 'h', 'd', 's', 'k', 'p', 't', 'x', 'l', 'i', 'c', 'z', '__proto__', 'constructor', '1x', 'V', ''), fc.constantFrom('=', '', '=='), fc.string({ maxLength: 20 }), fc.constantFrom(';', ';;', '; ', '\r\n\t;', '')), { maxLength: 12 })
    .map((a) => a.map(([n, eq, v, sep]) => `${n}${eq}${v}${sep}`).join('')),
);

interface Signed {
  raw: Buffer;
  resolve: KeyResolver;
  /** Lower-case names in h=. */
  headers: string[];
  relaxed: boolean;
}

let signedCache: Signed[] | null = null;
/** Signed messages built here: simple/simple (every signed byte counts) and relaxed/relaxed. */
export function signedMessages(): Signed[] {
  if (signedCache) return signedCache;
  const { privateKey, txt } = testKey('ed25519');
  const resolve: KeyResolver = (name) => (name === 'fz._domainkey.example.org' ? [{ value: txt, status: 'active', source: 'archive' }] : []);
  const body = 'Hello,\r\n\r\nthe budget meeting is moved to Tuesday.\r\n-- \r\nAlice\r\n';
  const head = 'Received: from mx.example.net by mx.example.org; Mon, 1 May 2017 10:00:00 +0000\r\n' +
    'From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: budget\r\nDate: Mon, 1 May 2017 10:00:00 +0000\r\n' +
    'Message-ID: <1@example.org>\r\nX-Unsigned: free to change\r\n';
  const raw = Buffer.from(head + '\r\n' + body, 'latin1');
  const variants = [
    { canon: 'simple/simple', headers: ['from', 'to', 'subject', 'date', 'message-id'] },
    { canon: 'relaxed/relaxed', headers: ['from', 'to', 'subject', 'date', 'message-id'] },
    // the contract's minimum: To and Message-ID left unsigned, so changes to them can keep "verified"
    { canon: 'relaxed/relaxed', headers: ['from', 'subject', 'date'] },
  ] as const;
  signedCache = variants.map(({ canon, headers }) => {
    const signed = signDkim(raw, { domain: 'example.org', selector: 'fz', privateKey, algorithm: 'ed25519-sha256', canon, headers: [...headers] });
    return { raw: signed, resolve, headers: [...headers], relaxed: canon === 'relaxed/relaxed' };
  });
  return signedCache;
}

const lf = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
const FULL_SIGNED = ['from', 'to', 'subject', 'date', 'message-id'];
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;


/**
 * What the signature covers, computed independently of the verifier (RFC 6376 §3.4): the signed
 * header fields and non-field lines (relaxed: names lower-cased, unfolded, whitespace collapsed),
 * then the body without trailing empty lines (relaxed: whitespace collapsed, trailing blanks dropped).
 * Input has LF line ends.
 */
function signedView(b: Buffer, relaxed: boolean, signedNames: readonly string[] = FULL_SIGNED): Buffer {
  const signedName = new RegExp(`^(?:${signedNames.join('|')})[ \\t]*:`, 'i');
  const t = b.toString('latin1');
  const cut = t.indexOf('\n\n');
  const head = cut < 0 ? t : t.slice(0, cut + 1);
  let body = cut < 0 ? '' : t.slice(cut + 2);
  const fields = head.replace(/\n(?=[ \t])/g, relaxed ? '' : '\u0001').split('\n').filter((l) => l !== '');
  const kept = fields
    // keep the signed fields (every instance) and lines that are not fields at all (a reader may
    // see them as body); drop fields nobody signed (Received, X-Unsigned, added ones, DKIM-Signature
    // itself: a change to its tags breaks b= anyway)
    .filter((l) => !FIELD_NAME.test(l) || signedName.test(l))
    .map((l) => {
      const c = l.indexOf(':');
      const raw = c < 0 ? l : l.slice(0, c);
      const name = relaxed ? raw.toLowerCase() : raw;
      const value = c < 0 ? '' : l.slice(c + 1);
      return relaxed ? `${name.trim()}:${value.replace(/[ \t]+/g, ' ').trim()}` : `${name}:${value}`;
    });
  if (relaxed) body = body.split('\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, '')).join('\n');
  body = body.replace(/\n+$/, '');
  return Buffer.from(kept.join('\n') + '\n\n' + body, 'latin1');
}

const NOW = new Date('2017-05-02T00:00:00Z');

/** Header fields by lower-case name, each value as the canonicalisation sees it (input with LF ends). */
export function fieldsOf(b: Buffer, relaxed: boolean): Map<string, string[]> {
  const t = b.toString('latin1');
  const cut = t.indexOf('\n\n');
  const head = cut < 0 ? t : t.slice(0, cut + 1);
  const out = new Map<string, string[]>();
  for (const line of head.replace(/\n(?=[ \t])/g, relaxed ? '' : '\u0001').split('\n')) {
    if (line === '') continue;
    const c = FIELD_NAME.test(line) ? line.indexOf(':') : -1;
    const name = c < 0 ? '(not a field)' : line.slice(0, c).trim().toLowerCase();
    const value = c < 0 ? line : relaxed ? line.slice(c + 1).replace(/[ \t]+/g, ' ').trim() : line;
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

/** A field inserted before header line `line` (at a line start, so it is a field, not junk). */
export interface FieldEdit {
  line: number;
  name: string;
  value: string;
}

export const fieldEditArb: fc.Arbitrary<FieldEdit> = fc.record({
  line: fc.nat(12),
  name: fc.constantFrom('To', 'Message-ID', 'X-Unsigned', 'Received', 'Cc', 'Reply-To', 'Subject', 'From', 'Date', 'X-New', 'reply-to', 'CC'),
  value: fc.constantFrom('mallory@evil.example', '<2@example.org>', 'changed', '', '"Alice" <alice@example.org>'),
});

export function insertField(raw: Buffer, e: FieldEdit): Buffer {
  let at = 0;
  for (let k = 0; k < e.line; k++) {
    const nl = raw.indexOf('\n', at);
    const blank = raw.indexOf('\r\n\r\n');
    if (nl < 0 || (blank >= 0 && nl >= blank + 2)) break; // stay in the header block
    at = nl + 1;
  }
  return Buffer.concat([raw.subarray(0, at), Buffer.from(`${e.name}: ${e.value}\r\n`, 'latin1'), raw.subarray(at)]);
}

/**
 * The second half of verdict integrity: when a mutated message is still `verified`, every field
 * that changed (as the canonicalisation sees it) is one the signature does not cover, the result
 * (`signed_headers`, which the export shows) does not list it, the `signature-verified` evidence
 * does not name it among what is vouched for, and when it is a field readers rely on (To, Cc,
 * Reply-To, Message-ID) the `headers-not-signed` evidence names it.
 */
function checkVerifiedEvidence(s: Signed, raw: Buffer, results: ReturnType<typeof verifyDkim>, evidence: readonly { code: string; detail: string; data?: unknown }[], ms: unknown): void {
  const before = fieldsOf(lf(s.raw), s.relaxed);
  const after = fieldsOf(lf(raw), s.relaxed);
  const changed = [...new Set([...before.keys(), ...after.keys()])]
    .filter((n) => n !== 'dkim-signature' && JSON.stringify(before.get(n) ?? []) !== JSON.stringify(after.get(n) ?? []));
  const fail = (why: string) => { throw new Error(`verified, but ${why}: ${JSON.stringify(ms)}`); };
  for (const n of changed) if (s.headers.includes(n) || n === '(not a field)') fail(`the signed field "${n}" changed`);
  const verified = evidence.find((e) => e.code === 'signature-verified');
  if (!verified) fail('no signature-verified evidence');
  const covered = /signed header fields \(([^)]*)\)/.exec(verified!.detail)?.[1];
  if (covered === undefined) fail('the signature-verified evidence does not list the signed fields');
  const coveredNames = covered!.split(/,\s*|\s+and\s+/).map((x) => x.trim().toLowerCase()).filter(Boolean);
  for (const n of changed) {
    if (coveredNames.includes(n)) fail(`the evidence says "${n}" is covered, and it changed`);
    for (const r of results) if (r.result === 'pass' && r.signed_headers.map((h) => h.toLowerCase()).includes(n)) fail(`signed_headers lists the changed "${n}"`);
    if (['to', 'cc', 'reply-to', 'message-id'].includes(n) && (after.get(n) ?? []).length > 0) {
      const notSigned = evidence.find((e) => e.code === 'headers-not-signed');
      const headers = (notSigned?.data as { headers?: unknown } | undefined)?.headers;
      const listed = Array.isArray(headers) ? (headers as string[]).map((h) => h.toLowerCase()) : [];
      if (!listed.includes(n)) fail(`"${n}" changed and no headers-not-signed evidence names it`);
    }
  }
}

// ---------------------------------------------------------------- query

const queryArb = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ maxLength: 30, unit: 'grapheme' }),
  fc.array(fc.constantFrom('from:', 'to:', 'date:', 'has:', 'verdict:', 'evidence:', 'thread:', 'subject:', 'nope:', '(', ')', '"', 'AND', 'OR', 'NOT', '-', '*', ' ', 'alice', '2017-05-01..2017-05-05', '2017-13', '..', 'élysée', '\t', ':', 'x'), { maxLength: 20 })
    .map((a) => a.join('')),
);

// ---------------------------------------------------------------- targets

export const TARGETS: FuzzTarget[] = [
  {
    name: 'mime: parseMessage on mutated corpus messages never throws, stays in time, invents no bytes',
    runs: 2000,
    property: () => fc.property(mutatedInput(messageSeeds), (raw) => checkParse(raw)),
  },
  {
    name: 'mime: parseMessage under tiny limits (depth 2, parts 5, header 200 B) never throws',
    runs: 400,
    property: () => fc.property(mutatedInput(messageSeeds, 4, 4096), (raw) =>
      checkParse(raw, { ...DEFAULT_LIMITS, maxMimeDepth: 2, maxMimeParts: 5, maxHeaderBytes: 200, maxHeaderLineBytes: 60 })),
  },
  {
    name: 'headers: encoded words, RFC 2231 parameters and junk header values never throw',
    runs: 1500,
    property: () => fc.property(headerMessageArb, (raw) => checkParse(raw)),
  },
  {
    name: 'mbox: MboxSplitter never throws, accounts for every byte, and chunking does not matter',
    runs: 2000,
    property: () => fc.property(mboxCaseArb, ({ data, cuts, maxMessageBytes }) => {
      const limits = { ...DEFAULT_LIMITS, maxMessageBytes };
      const whole = splitAll(data, limits, []);
      checkMboxAccounting(data, whole);
      const chunked = splitAll(data, limits, cuts);
      const sum = (xs: MailboxItem[]) => xs.map((i) => (isProblem(i) ? `${i.name}:${i.code}` : `${(i as FoundMessage).name}:${sha256hex((i as FoundMessage).bytes)}`));
      if (JSON.stringify(sum(whole)) !== JSON.stringify(sum(chunked))) throw new Error('chunked split differs from whole split');
    }),
  },
  {
    name: 'dkim: parseTagList never throws; offsets and names are consistent',
    runs: 2000,
    property: () => fc.property(tagTextArb, fc.boolean(), (text, lenient) => {
      const r = parseTagList(text, lenient);
      if (!r.ok) return;
      for (const [name, t] of r.tags) {
        if (name !== t.name || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad tag name ${JSON.stringify(name)}`);
        if (t.valueStart < 0 || t.valueEnd > text.length || t.valueStart > t.valueEnd) throw new Error('offsets out of range');
        if (text.slice(t.valueStart, t.valueEnd).trim() !== t.value.trim()) throw new Error(`value of ${name} is not its slice`);
      }
    }),
  },
  {
    name: 'dkim: parseKeyRecord, importKey and parseSignature never throw',
    runs: 2000,
    property: () => fc.property(tagTextArb, (text) => {
      const k = parseKeyRecord(text);
      if (k.ok) importKey(k.record);
      parseSignature(text, 'dkim');
      parseSignature(text, 'ams');
    }),
  },
  {
    name: 'dkim: a mutated signed message is never "verified" unless only unsigned fields or ignored bytes changed',
    runs: 1500,
    property: () => fc.property(fc.nat(2), fc.array(mutationArb(2048), { minLength: 1, maxLength: 3 }), (which, ms) => {
      const s = signedMessages()[which];
      const raw = ms.reduce((b, m) => applyMutation(b, m), s.raw);
      if (raw.equals(s.raw)) return;
      const results = verifyDkim(raw, { resolve: s.resolve, now: NOW });
      const v = dkimVerdict(results, fromDomains(raw));
      if (v.verdict !== 'verified') return;
      // Changes that may keep "verified", compared with line endings normalised (the verifier reads
      // bare LF as CRLF on purpose: mbox and maildir copies lose the CR; the reader sees the same
      // text): changes to fields the signature does not cover (RFC 6376 §5.4) or that its
      // canonicalisation ignores.
      const o = lf(s.raw);
      const m = lf(raw);
      if (o.equals(m)) return;
      if (signedView(m, s.relaxed, s.headers).equals(signedView(o, s.relaxed, s.headers))) return;
      throw new Error(`mutated signed content still verified: ${JSON.stringify(ms)}`);
    }),
  },
  {
    name: 'dkim: a mutated signed message that stays "verified" changed only unsigned fields, and the evidence says they are not covered',
    runs: 1500,
    property: () => fc.property(fc.nat(2), fc.array(fieldEditArb, { minLength: 1, maxLength: 3 }), fc.array(mutationArb(2048), { maxLength: 2 }), (which, edits, bytes) => {
      const s = signedMessages()[which];
      const ms = { edits, bytes };
      const raw = bytes.reduce((b, m) => applyMutation(b, m), edits.reduce(insertField, s.raw));
      const results = verifyDkim(raw, { resolve: s.resolve, now: NOW });
      const v = dkimVerdict(results, fromDomains(raw));
      if (v.verdict !== 'verified') return;
      checkVerifiedEvidence(s, raw, results, v.evidence, ms);
    }),
  },
  {
    name: 'dkim: verifyDkim on mutated corpus messages and mboxes never throws',
    runs: 1000,
    property: () => fc.property(mutatedInput([...messageSeeds, ...signedMessages().map((s) => s.raw)], 6, 4096), (raw) => {
      verifyDkim(raw, { resolve: signedMessages()[0].resolve, now: NOW });
    }),
  },
  {
    name: 'query: parseQuery returns a tree or throws QueryError with a column inside the input',
    runs: 3000,
    property: () => fc.property(queryArb, (q) => {
      try {
        parseQuery(q);
      } catch (e) {
        if (!(e instanceof QueryError)) throw new Error(`threw ${String(e)} (not a QueryError) for ${JSON.stringify(q)}`);
        if (!Number.isInteger(e.column) || e.column < 1 || e.column > q.length + 1) throw new Error(`column ${e.column} outside 1..${q.length + 1} for ${JSON.stringify(q)}`);
      }
    }),
  },
];
