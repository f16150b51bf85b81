/**
 * @module auth/dkim/verify
 * DKIM verification written for forensics rather than for mail filtering.
 *
 * Why our own verifier: a filter only needs yes/no, so libraries stop at the first failure
 * (usually the body hash) and report one opaque "fail". A journalist needs to know WHAT changed.
 * So for every DKIM-Signature we compute the body hash and the header signature independently and
 * report both: body hash mismatch + valid header signature = the body was modified; invalid header
 * signature + matching body = a signed header was modified; both = both. We also look for what
 * the cryptography cannot see (content appended after l=, a second From added above the signed
 * one), and we keep "the key is not the one that signed" apart from "the content changed".
 *
 * A bad signature is a result, never an exception: this function does not throw on any input.
 */
import { createHash } from 'node:crypto';
import type { DkimSignatureResult, Evidence, KeyRecord, VerifyOptions } from '../types.ts';
import { ev, who, prose, TRANSIT_CAVEAT } from '../evidence.ts';
import { parseDkimMessage, type DkimMessage, type HeaderField } from './message.ts';
import { parseSignature, type ParsedSignature } from './signature.ts';
import { canonBody } from './canon-body.ts';
import type { Canon } from './canon-header.ts';
import { headerHashInput, selectFields } from './header-hash.ts';
import { parseKeyRecord, importKey, type ImportedKey, type KeyProblem } from './key.ts';
import { checkSignature, type SignatureCheck } from './crypto.ts';
import { findUnsignedCopies, SINGLE_INSTANCE_FIELDS } from './unsigned-headers.ts';

/** Beyond this many DKIM-Signature fields the rest are reported, not verified (CPU exhaustion). */
export const MAX_SIGNATURES = 32;
/** Key records tried per name (key rotation archives rarely hold more than a handful). */
export const MAX_KEY_RECORDS = 64;
/** RSA keys above this size are refused: verifying with them costs seconds, and nobody uses them. */
export const MAX_RSA_BITS = 16384;
export const MIN_RSA_BITS = 1024;

export function verifyDkim(raw: Buffer, opts: VerifyOptions): DkimSignatureResult[] {
  const msg = parseDkimMessage(raw);
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const bodies = new Map<Canon, Buffer>();
  const results: DkimSignatureResult[] = [];
  let n = 0;
  for (const field of msg.fields) {
    if (field.lname !== 'dkim-signature') continue;
    results.push(n < MAX_SIGNATURES ? verifyOne(msg, field, opts, now, bodies) : tooMany(field));
    n++;
  }
  return results;
}

function blank(field: HeaderField, sig: ParsedSignature | null): DkimSignatureResult {
  return {
    domain: sig?.domain ?? '',
    selector: sig?.selector ?? '',
    algorithm: sig ? (sig.algorithm ?? sig.algorithmRaw) : '',
    result: 'none',
    body_hash: 'unknown',
    header_signature: 'unknown',
    aligned: false,
    key: 'missing',
    length_limit: sig?.length == null ? null : sig.length > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(sig.length),
    signed_headers: sig ? [...sig.signedHeaders] : [],
    evidence: [],
    header_index: field.index,
    canonicalization: sig ? (sig.headerCanon && sig.bodyCanon ? `${sig.headerCanon}/${sig.bodyCanon}` : sig.canonRaw) : null,
    identity: sig?.identity ?? null,
    timestamp: sig?.timestamp ?? null,
    expiration: sig?.expiration ?? null,
    key_info: null,
    unsigned_body_bytes: 0,
  };
}

function tooMany(field: HeaderField): DkimSignatureResult {
  const r = blank(field, null);
  r.result = 'permerror';
  r.error = 'too-many-signatures';
  r.evidence.push(ev('too-many-signatures', 'warning', `The message carries more than ${MAX_SIGNATURES} DKIM signatures; the ones after the first ${MAX_SIGNATURES} were not checked (real mail carries a few; thousands would be an attempt to exhaust the verifier).`));
  return r;
}

/** What one key record made of the signature. */
interface KeyOutcome {
  index: number;
  record: KeyRecord;
  problem: KeyProblem | null;
  key: ImportedKey | null;
  check: SignatureCheck | null;
  testing: boolean;
}

function verifyOne(msg: DkimMessage, field: HeaderField, opts: VerifyOptions, now: number, bodies: Map<Canon, Buffer>): DkimSignatureResult {
  const value = field.raw.slice(field.valueStart, field.raw.length - 2);
  const sig = parseSignature(value, 'dkim');
  const r = blank(field, sig);
  const d = who(sig.domain);
  const tampering: Evidence[] = [];
  const notes: Evidence[] = [];

  // ---- 1. body hash, independent of everything else -------------------------------------------
  let bodyLength = 0;
  if (sig.bodyCanon && sig.hash && sig.bodyHash) {
    let canon = bodies.get(sig.bodyCanon);
    if (!canon) {
      canon = canonBody(msg.body, sig.bodyCanon);
      bodies.set(sig.bodyCanon, canon);
    }
    bodyLength = canon.length;
    let signed = canon;
    if (sig.length !== null && sig.length < BigInt(canon.length)) {
      signed = canon.subarray(0, Number(sig.length));
      r.unsigned_body_bytes = canon.length - signed.length;
    }
    const digest = createHash(sig.hash).update(signed).digest();
    r.body_hash = digest.equals(sig.bodyHash) ? 'match' : 'mismatch';
  }

  // ---- 2. the key ------------------------------------------------------------------------------
  const keyName = sig.domain && sig.selector ? `${sig.selector}._domainkey.${sig.domain}` : '';
  let records: readonly KeyRecord[] = [];
  let lookupFailed: string | null = null;
  if (keyName) {
    try {
      records = opts.resolve(keyName).slice(0, MAX_KEY_RECORDS);
    } catch (e) {
      lookupFailed = e instanceof Error ? e.message : String(e);
    }
  }
  const data = sig.headerCanon && sig.bTag && sig.signedHeaders.length > 0
    ? headerHashInput(msg.fields, field, sig.bTag, sig.signedHeaders, sig.headerCanon)
    : null;
  const outcomes = records.map((rec, index) => evaluateKey(rec, index, sig, data));
  const best = outcomes.length ? outcomes.reduce((a, b) => (rank(b) < rank(a) ? b : a)) : null;

  if (best) {
    r.key = best.record.source;
    if (best.key) {
      r.key_info = {
        type: best.key.type, bits: best.key.bits, status: best.record.status, source: best.record.source,
        first_seen: best.record.first_seen ?? null, last_seen: best.record.last_seen ?? null,
        record_index: best.index, testing: best.testing,
      };
    }
    if (best.check === 'valid') r.header_signature = 'valid';
    else if (best.check !== null) r.header_signature = 'invalid';
  }
  const weak = best?.key?.type === 'rsa' && best.key.bits < MIN_RSA_BITS;

  // ---- 3. the result word ------------------------------------------------------------------------
  const sigProblem = sig.problems[0];
  if (sigProblem) {
    r.result = 'permerror';
    r.error = sigProblem.code === 'from-not-signed' ? 'from-not-signed' : 'signature-malformed';
  } else if (lookupFailed !== null) {
    r.result = 'temperror';
    r.error = 'key-lookup-failed';
  } else if (!best) {
    r.result = 'permerror';
    r.error = 'key-missing';
  } else if (best.problem) {
    r.result = 'permerror';
    r.error = best.problem.code;
  } else if (best.check === 'valid') {
    if (best.record.status === 'revoked') {
      r.result = 'permerror';
      r.error = 'key-revoked';
    } else if (weak) {
      r.result = 'permerror';
      r.error = 'weak-key';
    } else {
      r.result = r.body_hash === 'match' ? 'pass' : 'fail';
    }
  } else if (best.check === null) {
    r.result = 'permerror';
    r.error = 'key-incompatible';
  } else {
    r.result = 'fail';
  }

  // ---- 4. evidence ---------------------------------------------------------------------------------
  const headerProven = r.header_signature === 'valid';
  const keyDesc = keyName ? `${keyName}` : 'its key';

  for (const p of sig.problems) {
    if (p.code === 'from-not-signed') {
      notes.push(ev('from-not-signed', 'warning', `${d}'s signature does not cover the From header, so it cannot vouch for who sent the message.`, { tag: 'h' }));
    } else {
      notes.push(ev('signature-malformed', 'warning', `The DKIM signature of ${d} is malformed (${p.tag ? `tag ${p.tag}=: ` : ''}${p.reason}), so it cannot prove anything.`, { tag: p.tag, problem: p.code }));
    }
  }
  if (lookupFailed !== null) {
    notes.push(ev('key-lookup-failed', 'warning', `Looking up the key ${keyDesc} failed (${lookupFailed.slice(0, 120)}); the signature could not be checked.`));
  } else if (keyName && !best) {
    notes.push(ev('key-missing', 'warning', `No public key for ${keyDesc} is in the case's key archive, so ${d}'s signature cannot be checked. Importing that key (trove keys import) would allow it.`, { key: keyName }));
  }
  if (best?.problem) {
    const code = best.problem.code;
    const text = code === 'key-revoked'
      ? `The key record for ${keyDesc} is empty (p=): ${d} revoked this key, so its signature is no longer accepted.`
      : code === 'key-incompatible'
        ? `The key ${keyDesc} cannot be used for this signature: ${best.problem.reason}.`
        : `The archived key record for ${keyDesc} cannot be used: ${best.problem.reason}.`;
    notes.push(ev(code === 'key-incompatible' ? 'key-incompatible' : code, 'warning', text, { key: keyName }));
  }
  if (best && best.check === 'valid') {
    if (best.record.status === 'revoked') {
      notes.push(ev('key-revoked', 'warning', `${d}'s signature verifies, but with a key the archive marks as revoked; a revoked key is not accepted as proof.`, { key: keyName }));
    }
    if (best.record.status === 'published') {
      notes.push(ev('key-published', 'warning', `${d}'s signature verifies, but the private half of this key (${keyDesc}) has been made public, so anyone could have made this signature: it proves nothing.`, { key: keyName }));
    }
    if (best.record.source === 'dns') {
      notes.push(ev('key-not-archived', 'warning', `The key ${keyDesc} was looked up in DNS now, not taken from an archive of the time the mail was sent. A domain's current key is not proof about old mail (domains change hands, keys get replaced).`, { key: keyName }));
    }
  }
  if (weak && best?.key) {
    notes.push(ev('weak-key', 'warning', `${d} signed with an RSA key of only ${best.key.bits} bits. Keys under ${MIN_RSA_BITS} bits can be broken with modest computing power, so anyone could have forged this signature.`, { bits: best.key.bits }));
  }
  if (best?.testing) {
    notes.push(ev('key-testing', 'warning', `The key record for ${keyDesc} says t=y: ${d} declared it was only testing DKIM with this key.`));
  }
  if (best?.check === 'wrong-key') {
    notes.push(ev('key-mismatch', 'warning', `${d}'s signature was not made with the archived key ${keyDesc}. Either ${d} replaced its key under the same name since (key rotation), or the signature bytes are damaged. This says nothing about whether the content was changed.`, { key: keyName }));
  }

  // body
  if (r.body_hash === 'mismatch') {
    const shorter = sig.length !== null && sig.length > BigInt(bodyLength);
    const extra = shorter ? ` The signature covers ${sig.length} bytes of body, but the body now has only ${bodyLength}: content was removed.` : '';
    if (headerProven) {
      tampering.push(ev('body-modified', 'critical', `The body was changed after ${d} signed it: its hash no longer matches the bh= value in the signature.${extra} ${TRANSIT_CAVEAT}`, { domain: sig.domain }));
    } else {
      tampering.push(ev('body-modified', 'warning', `The body does not match the body hash (bh=) in ${d}'s signature.${extra} The signature itself could not be confirmed, so this could also mean the signature header is not genuine.`, { domain: sig.domain }));
    }
  }
  if (r.unsigned_body_bytes > 0) {
    const sev = headerProven && r.body_hash === 'match' ? 'critical' : 'warning';
    tampering.push(ev('appended-beyond-length-limit', sev, `${d} signed only the first ${sig.length} bytes of the body (l=${sig.length}); ${r.unsigned_body_bytes} more bytes follow that nobody signed. Text may have been appended after signing: only the first part of the body is vouched for.`, { length_limit: r.length_limit, unsigned_body_bytes: r.unsigned_body_bytes }));
  } else if (sig.length !== null && r.body_hash === 'match') {
    notes.push(ev('length-limit', 'info', `${d}'s signature declares a body length (l=${sig.length}); the body has exactly that length, so nothing was appended.`));
  }

  // headers
  const signedPresent = data ? signedFieldNames(msg, field, sig) : [];
  if (best && (best.check === 'digest-mismatch' || best.check === 'invalid')) {
    const ed = best.check === 'invalid'
      ? ` (With an Ed25519 key this could also mean ${d} replaced its key under the same selector.)`
      : '';
    tampering.push(ev('header-modified', 'critical', `At least one of the header fields ${d} signed was changed after signing: the header signature no longer verifies with ${d}'s key. Signed fields: ${prose(signedPresent)}. DKIM cannot tell which of them changed.${ed}`, { signed_headers: signedPresent }));
  }
  if (sig.signedHeaders.length > 0) {
    for (const u of findUnsignedCopies(msg.fields, sig.signedHeaders)) {
      const sev = headerProven ? 'critical' : 'warning';
      const copies = u.extra === 1 ? `A second ${u.name} header was` : `${u.extra} extra ${u.name} headers were`;
      tampering.push(ev('unsigned-header-added', sev, `${copies} added above the one ${d} signed. The signature covers only the lower one; many mail programs show the top one, which nobody signed.`, { header: u.name, extra: u.extra }));
    }
    const lnames = new Set(sig.signedHeaders.map((x) => x.toLowerCase()));
    const uncovered = ['subject', 'date'].filter((x) => !lnames.has(x)).map((x) => SINGLE_INSTANCE_FIELDS.get(x) ?? x);
    if (uncovered.length) {
      notes.push(ev('headers-not-covered', 'warning', `${d}'s signature does not cover ${prose(uncovered)}: ${uncovered.length > 1 ? 'they' : 'it'} could have been changed or added without trace.`, { headers: uncovered }));
    }
    const present = new Set(msg.fields.map((f) => f.lname));
    const unsignedPresent = ['to', 'cc', 'reply-to', 'message-id'].filter((x) => present.has(x) && !lnames.has(x)).map((x) => SINGLE_INSTANCE_FIELDS.get(x) ?? x);
    if (unsignedPresent.length) {
      notes.push(ev('headers-not-signed', 'info', `${d}'s signature does not cover ${prose(unsignedPresent)}; ${unsignedPresent.length > 1 ? 'those fields' : 'that field'} could have been changed without trace.`, { headers: unsignedPresent }));
    }
  }

  // time and algorithm notes
  if (sig.expiration !== null && sig.expiration < now) {
    notes.push(ev('signature-expired', 'info', `${d}'s signature carried an expiry date (x=, ${iso(sig.expiration)}) that has passed. Expiry limits how long receivers accept the signature for delivery; it does not weaken what the signature proves about the content.`, { expiration: sig.expiration }));
  }
  if (sig.timestamp !== null && sig.timestamp > now) {
    notes.push(ev('signature-from-future', 'info', `${d}'s signature says it was made on ${iso(sig.timestamp)}, which is after the time it was checked against: the signing server's clock was wrong, or the check was run with an earlier date.`, { timestamp: sig.timestamp }));
  }
  if (sig.algorithm === 'rsa-sha1') {
    notes.push(ev('weak-hash', 'warning', `${d} signed with RSA-SHA1, a hash function retired for DKIM in 2018 (RFC 8301) because collisions can be manufactured; the guarantee is weaker than with SHA-256.`));
  }
  if (msg.lfConverted) {
    notes.push(ev('line-endings-normalised', 'info', 'The message was stored with bare LF line endings (as mailbox files do); they were converted to CRLF, as a mail server does on receipt, before the signature was checked.'));
  }

  r.evidence = [...tampering, ...notes];
  return r;
}

function iso(unix: number): string {
  const d = new Date(unix * 1000);
  return Number.isNaN(d.getTime()) ? String(unix) : d.toISOString().replace('.000Z', 'Z');
}

/** The h= names that designate a field present in the message, in h= order, without repeats. */
function signedFieldNames(msg: DkimMessage, field: HeaderField, sig: ParsedSignature): string[] {
  const sel = selectFields(msg.fields, sig.signedHeaders, field.index);
  const seen = new Set<string>();
  const out: string[] = [];
  sel.forEach((f) => {
    if (!f) return;
    if (seen.has(f.lname)) return;
    seen.add(f.lname);
    out.push(f.name);
  });
  return out;
}

function evaluateKey(record: KeyRecord, index: number, sig: ParsedSignature, data: Buffer | null): KeyOutcome {
  const out: KeyOutcome = { index, record, problem: null, key: null, check: null, testing: false };
  const parsed = parseKeyRecord(typeof record.value === 'string' ? record.value : '');
  if (!parsed.ok) {
    out.problem = parsed.problem;
    return out;
  }
  const k = parsed.record;
  out.testing = k.flags.includes('y');
  // Compatibility problems make the signature unacceptable, but we still run the cryptography:
  // a journalist may want to know that the content is intact even if the key's policy forbids it.
  let problem: KeyProblem | null = null;
  if (sig.keyType && k.keyType !== sig.keyType) {
    problem = { code: 'key-incompatible', reason: `the signature uses ${sig.algorithm} but the key is ${k.keyType === 'rsa' ? 'an RSA' : 'an Ed25519'} key (k=${k.keyType})` };
  } else if (sig.hash && k.hashes !== null && !k.hashes.includes(sig.hash)) {
    problem = { code: 'key-incompatible', reason: `the key record allows only h=${k.hashes.join(':')}, but the signature uses ${sig.hash}` };
  } else if (k.services !== null && !k.services.includes('*') && !k.services.includes('email')) {
    problem = { code: 'key-incompatible', reason: `the key record is for service s=${k.services.join(':')}, not email` };
  } else if (k.flags.includes('s') && sig.identityDomain !== sig.domain) {
    problem = { code: 'key-incompatible', reason: `the key record says t=s (the i= domain must be exactly ${sig.domain}), but the signature's i= is in ${sig.identityDomain}` };
  }
  const imported = importKey(k);
  if (!imported.ok) {
    out.problem = imported.problem;
    return out;
  }
  out.key = imported.key;
  out.problem = problem;
  if (imported.key.type === 'rsa' && imported.key.bits > MAX_RSA_BITS) {
    out.problem = { code: 'key-malformed', reason: `the RSA key has ${imported.key.bits} bits, more than the ${MAX_RSA_BITS} trove accepts` };
    return out;
  }
  if (data && sig.signature && sig.hash && sig.keyType === imported.key.type) {
    out.check = checkSignature(imported.key.key, imported.key.type, imported.key.bits, sig.hash, data, sig.signature);
  }
  return out;
}

/**
 * Which record decides, lowest first: a verifying, acceptable key; among those a `published` one
 * first (if the same key is also known to be leaked, the safe reading wins), archive before dns;
 * then weaker explanations; "the key that signed says the content changed" before "this key never
 * made this signature".
 */
function rank(o: KeyOutcome): number {
  const weak = o.key?.type === 'rsa' && o.key.bits < MIN_RSA_BITS;
  if (!o.problem && o.check === 'valid' && o.record.status !== 'revoked') {
    let r = o.record.status === 'published' ? 0 : 1;
    if (o.record.source === 'dns') r += 0.5;
    if (weak) r += 3;
    return r;
  }
  if (!o.problem && o.check === 'valid') return 5;
  if (o.check === 'valid') return 6;
  if (!o.problem && (o.check === 'digest-mismatch' || o.check === 'invalid')) return 7;
  if (!o.problem && o.check === 'wrong-key') return 8;
  if (!o.problem) return 9;
  if (o.check === 'digest-mismatch' || o.check === 'invalid') return 10;
  if (o.problem.code === 'key-incompatible') return 11;
  if (o.problem.code === 'key-revoked') return 12;
  return 13;
}
