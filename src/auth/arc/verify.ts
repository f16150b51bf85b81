/**
 * @module auth/arc/verify
 * ARC chain validation (RFC 8617 §5.2), offline, with the same key resolver as DKIM.
 *
 * Why our own: like DKIM, we want more than the chain verdict. Each intermediary's
 * ARC-Message-Signature is checked (only the newest one decides, as the RFC says), so the report
 * can say at which hop the message stopped matching what an earlier intermediary signed, and the
 * ARC-Authentication-Results record what each hop saw when the message arrived.
 *
 * ARC says who handled a message after it was sent; it never makes the message itself authentic
 * (the verdict comes from DKIM of the From domain), so this module has no say in `verified`.
 */
import { createHash } from 'node:crypto';
import type { Evidence, VerifyOptions } from '../types.ts';
import { ev, prose } from '../evidence.ts';
import { dkimMessage, type DkimMessage, type HeaderField } from '../dkim/message.ts';
import { parseSignature, type Algorithm, type HashName, type KeyType } from '../dkim/signature.ts';
import { parseTagList, decodeBase64 } from '../dkim/tags.ts';
import { canonBody } from '../dkim/canon-body.ts';
import { canonHeader, canonSignatureHeader, type Canon } from '../dkim/canon-header.ts';
import { headerHashInput, blankSignatureValue } from '../dkim/header-hash.ts';
import { chooseKey, MIN_RSA_BITS } from '../dkim/key-select.ts';
import { MAX_KEY_RECORDS } from '../dkim/verify.ts';

export const MAX_ARC_INSTANCES = 50;

export interface ArcSetResult {
  instance: number;
  ams: { domain: string; selector: string; body_hash: 'match' | 'mismatch' | 'unknown'; header_signature: 'valid' | 'invalid' | 'unknown' };
  seal: { domain: string; selector: string; cv: string; valid: boolean };
  /** The ARC-Authentication-Results value: what this intermediary's checks said on arrival. */
  authentication_results: string;
}

export interface ArcResult {
  result: 'pass' | 'fail' | 'none';
  instances: number;
  /** Why the chain failed (null on pass/none). */
  reason: string | null;
  sets: ArcSetResult[];
  evidence: Evidence[];
}

const ALLOWED: ReadonlyMap<string, { keyType: KeyType; hash: HashName }> = new Map([
  ['rsa-sha256', { keyType: 'rsa', hash: 'sha256' }],
  ['ed25519-sha256', { keyType: 'ed25519', hash: 'sha256' }],
]);
const DNS_NAME = /^(?!.*\.\.)[^\s.;:@,<>()[\]\\"/][^\s;:@,<>()[\]\\"/]*$/;
const AAR_PREFIX = /^[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*([0-9]+)[ \t\r\n]*;/;

interface ArcSet {
  aar: HeaderField[];
  ams: HeaderField[];
  seal: HeaderField[];
}

function fail(instances: number, reason: string, sets: ArcSetResult[] = []): ArcResult {
  return {
    result: 'fail', instances, reason, sets,
    evidence: [ev('arc-fail', 'warning', `The ARC chain (the seals intermediaries such as mailing lists add when they forward mail) is broken: ${reason}. Nothing can be concluded from it about how the message travelled.`, { reason })],
  };
}

const valueOf = (f: HeaderField) => f.raw.slice(f.valueStart, f.raw.length - 2);

/** Instance number of an ARC field, or an error text. */
function instanceOf(f: HeaderField): number | string {
  const v = valueOf(f);
  if (f.lname === 'arc-authentication-results') {
    const m = AAR_PREFIX.exec(v);
    if (!m) return 'an ARC-Authentication-Results field does not start with "i=<n>;"';
    const n = Number(m[1]);
    return n >= 1 && n <= MAX_ARC_INSTANCES ? n : `ARC instance i=${m[1].slice(0, 10)} is out of range`;
  }
  const t = parseTagList(v);
  if (!t.ok) return `an ${f.name} field is not a valid tag list (${t.reason})`;
  const i = t.tags.get('i')?.value;
  if (i === undefined) return `an ${f.name} field has no i= tag`;
  if (!/^[0-9]{1,3}$/.test(i) || Number(i) < 1 || Number(i) > MAX_ARC_INSTANCES) return `an ${f.name} field has an invalid instance i=${i.slice(0, 10)}`;
  return Number(i);
}

export function verifyArc(raw: Buffer | DkimMessage, opts: VerifyOptions): ArcResult {
  const msg = dkimMessage(raw);
  const arcFields = msg.fields.filter((f) => f.lname === 'arc-seal' || f.lname === 'arc-message-signature' || f.lname === 'arc-authentication-results');
  if (arcFields.length === 0) return { result: 'none', instances: 0, reason: null, sets: [], evidence: [] };
  if (arcFields.length > 3 * MAX_ARC_INSTANCES) return fail(0, `more than ${MAX_ARC_INSTANCES} ARC sets`);

  // ---- structure: exactly one AAR, AMS and AS for every instance 1..N ----------------------------
  const sets = new Map<number, ArcSet>();
  for (const f of arcFields) {
    const i = instanceOf(f);
    if (typeof i === 'string') return fail(0, i);
    const s = sets.get(i) ?? { aar: [], ams: [], seal: [] };
    (f.lname === 'arc-seal' ? s.seal : f.lname === 'arc-message-signature' ? s.ams : s.aar).push(f);
    sets.set(i, s);
  }
  const n = Math.max(...sets.keys());
  for (let i = 1; i <= n; i++) {
    const s = sets.get(i);
    if (!s) return fail(n, `ARC set i=${i} is missing`);
    for (const [list, name] of [[s.aar, 'ARC-Authentication-Results'], [s.ams, 'ARC-Message-Signature'], [s.seal, 'ARC-Seal']] as const) {
      if (list.length === 0) return fail(n, `${name} for i=${i} is missing`);
      if (list.length > 1) return fail(n, `${name} for i=${i} appears ${list.length} times`);
    }
  }
  const set = (i: number) => sets.get(i) as ArcSet;

  // ---- seals: syntax and the cv= sequence (none, then pass, pass…) -------------------------------
  const seals: ParsedSeal[] = [];
  for (let i = 1; i <= n; i++) {
    const p = parseSeal(valueOf(set(i).seal[0]));
    if (typeof p === 'string') return fail(n, `ARC-Seal i=${i}: ${p}`);
    seals.push(p);
  }
  if (seals[n - 1].cv === 'fail') return fail(n, `the newest ARC-Seal (i=${n}) itself records that the chain had already failed (cv=fail)`);
  for (let i = 1; i <= n; i++) {
    const want = i === 1 ? 'none' : 'pass';
    if (seals[i - 1].cv !== want) return fail(n, `ARC-Seal i=${i} says cv=${seals[i - 1].cv}, but must say cv=${want}`);
  }

  // ---- message signatures: all checked (forensics), the newest decides --------------------------
  const bodies = new Map<Canon, Buffer>();
  const results: ArcSetResult[] = [];
  let newestAms: string | null = null;
  for (let i = 1; i <= n; i++) {
    const s = set(i);
    const a = checkAms(msg, s.ams[0], bodies, opts);
    results.push({
      instance: i,
      ams: { domain: a.domain, selector: a.selector, body_hash: a.body_hash, header_signature: a.header_signature },
      seal: { domain: seals[i - 1].domain, selector: seals[i - 1].selector, cv: seals[i - 1].cv, valid: false },
      authentication_results: valueOf(s.aar[0]).replace(/\r\n[ \t]+/g, ' ').trim(),
    });
    if (i === n && a.error) newestAms = a.error;
  }
  if (newestAms) return fail(n, `the newest ARC-Message-Signature (i=${n}) ${newestAms}`, results);

  // ---- seals: each covers every ARC set up to its own ------------------------------------------
  for (let i = n; i >= 1; i--) {
    const seal = seals[i - 1];
    const parts: string[] = [];
    for (let j = 1; j <= i; j++) {
      const s = set(j);
      parts.push(canonHeader(s.aar[0].raw, s.aar[0].valueStart, 'relaxed'));
      parts.push(canonHeader(s.ams[0].raw, s.ams[0].valueStart, 'relaxed'));
      if (j < i) parts.push(canonHeader(s.seal[0].raw, s.seal[0].valueStart, 'relaxed'));
    }
    const sf = set(i).seal[0];
    parts.push(canonSignatureHeader(blankSignatureValue(sf, seal.bTag), sf.valueStart, 'relaxed'));
    const err = checkKeyed(seal, Buffer.from(parts.join(''), 'latin1'), opts);
    if (err) return fail(n, `ARC-Seal i=${i} (${seal.domain}) ${err}`, results);
    results[i - 1].seal.valid = true;
  }

  const hops = [...new Set(results.map((r) => r.seal.domain))];
  const evidence: Evidence[] = [ev('arc-pass', 'info', `The message carries an intact ARC chain of ${n} seal${n > 1 ? 's' : ''} from ${prose(hops)}: each intermediary recorded what it saw when the message arrived. ARC shows the route after those hops; it does not make the message authentic by itself.`, { instances: n, domains: hops })];
  const broken = results.filter((r) => r.instance < n && (r.ams.body_hash === 'mismatch' || r.ams.header_signature === 'invalid'));
  for (const b of broken) {
    evidence.push(ev('arc-pass', 'info', `The message no longer matches what ${b.ams.domain} signed at ARC hop ${b.instance}: it was changed after that hop (typically by a later intermediary such as a mailing list).`, { instance: b.instance }));
  }
  return { result: 'pass', instances: n, reason: null, sets: results, evidence };
}

interface ParsedSeal {
  domain: string;
  selector: string;
  cv: string;
  algorithm: Algorithm;
  keyType: KeyType;
  hash: HashName;
  signature: Buffer;
  bTag: NonNullable<ReturnType<typeof parseSignature>['bTag']>;
}

/** ARC-Seal syntax (RFC 8617 §4.1.3): i, a, b, cv, d, s required; t optional; no h=. */
function parseSeal(value: string): ParsedSeal | string {
  const t = parseTagList(value);
  if (!t.ok) return `not a valid tag list (${t.reason})`;
  const tags = t.tags;
  for (const name of ['a', 'b', 'cv', 'd', 's']) if (!tags.has(name)) return `required tag ${name}= is missing`;
  if (tags.has('h')) return 'has an h= tag, which an ARC-Seal must not have';
  const a = tags.get('a')!.value;
  const alg = ALLOWED.get(a);
  if (!alg) return `a=${a.slice(0, 30)} is not an algorithm ARC accepts`;
  const cv = tags.get('cv')!.value;
  if (cv !== 'none' && cv !== 'pass' && cv !== 'fail') return `cv=${cv.slice(0, 20)} is not none, pass or fail`;
  const d = tags.get('d')!.value;
  const s = tags.get('s')!.value;
  if (!DNS_NAME.test(d)) return `d=${d.slice(0, 60)} is not a domain name`;
  if (!DNS_NAME.test(s)) return `s=${s.slice(0, 60)} is not a selector`;
  const tv = tags.get('t')?.value;
  if (tv !== undefined && !/^[0-9]{1,15}$/.test(tv)) return `t=${tv.slice(0, 20)} is not a Unix timestamp`;
  const b = tags.get('b')!;
  const sig = decodeBase64(b.value);
  if (!sig || sig.length === 0) return 'b= is not valid base64 or is empty';
  return { domain: d.toLowerCase(), selector: s.toLowerCase(), cv, algorithm: a as Algorithm, keyType: alg.keyType, hash: alg.hash, signature: sig, bTag: b };
}

interface AmsCheck {
  domain: string;
  selector: string;
  body_hash: 'match' | 'mismatch' | 'unknown';
  header_signature: 'valid' | 'invalid' | 'unknown';
  /** Why it does not validate, as the end of a sentence; null when it does. */
  error: string | null;
}

function checkAms(msg: DkimMessage, f: HeaderField, bodies: Map<Canon, Buffer>, opts: VerifyOptions): AmsCheck {
  const sig = parseSignature(valueOf(f), 'ams');
  const out: AmsCheck = { domain: sig.domain, selector: sig.selector, body_hash: 'unknown', header_signature: 'unknown', error: null };
  const p = sig.problems[0];
  if (p) {
    out.error = `is malformed (${p.tag ? `${p.tag}=: ` : ''}${p.reason})`;
    return out;
  }
  if (!sig.algorithm || !ALLOWED.has(sig.algorithm)) {
    out.error = `uses a=${sig.algorithmRaw.slice(0, 30)}, which ARC does not accept`;
    return out;
  }
  if (sig.signedHeaders.some((h) => h.toLowerCase() === 'arc-seal')) {
    out.error = 'signs an ARC-Seal field, which RFC 8617 forbids';
    return out;
  }
  const bodyCanon = sig.bodyCanon as Canon;
  let canon = bodies.get(bodyCanon);
  if (!canon) {
    canon = canonBody(msg.body, bodyCanon);
    bodies.set(bodyCanon, canon);
  }
  const signed = sig.length !== null && sig.length < BigInt(canon.length) ? canon.subarray(0, Number(sig.length)) : canon;
  out.body_hash = createHash(sig.hash as HashName).update(signed).digest().equals(sig.bodyHash as Buffer) ? 'match' : 'mismatch';
  const data = headerHashInput(msg, f, sig.bTag!, sig.signedHeaders, sig.headerCanon as Canon);
  const err = checkKeyed(
    { domain: sig.domain, selector: sig.selector, algorithm: sig.algorithm, keyType: sig.keyType!, hash: sig.hash!, signature: sig.signature! },
    data, opts,
    (valid) => { out.header_signature = valid ? 'valid' : 'invalid'; },
  );
  if (err) out.error = err;
  else if (out.body_hash === 'mismatch') out.error = 'does not match the body (body hash mismatch)';
  return out;
}

/** Checks a seal or message signature with the archived key; returns why it fails, or null. */
function checkKeyed(
  s: { domain: string; selector: string; algorithm: Algorithm; keyType: KeyType; hash: HashName; signature: Buffer },
  data: Buffer,
  opts: VerifyOptions,
  onCheck?: (valid: boolean) => void,
): string | null {
  const name = `${s.selector}._domainkey.${s.domain}`;
  let records;
  try {
    records = opts.resolve(name).slice(0, MAX_KEY_RECORDS);
  } catch {
    return `could not be checked (key lookup for ${name} failed)`;
  }
  if (records.length === 0) return `could not be checked: no key for ${name} in the archive`;
  const best = chooseKey(records, { ...s, identityDomain: s.domain }, data);
  if (!best) return `could not be checked: no key for ${name}`;
  if (best.check !== null) onCheck?.(best.check === 'valid');
  if (best.problem) return `cannot use the key ${name}: ${best.problem.reason}`;
  if (best.check !== 'valid') return 'does not verify';
  if (best.record.status === 'revoked') return `verifies only with a revoked key (${name})`;
  if (best.key && best.key.type === 'rsa' && best.key.bits < MIN_RSA_BITS) return `uses an RSA key of only ${best.key.bits} bits (${name})`;
  return null;
}
