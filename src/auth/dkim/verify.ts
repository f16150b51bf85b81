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
import { dkimMessage, type DkimMessage, type HeaderField } from './message.ts';
import { parseSignature, type ParsedSignature } from './signature.ts';
import { canonBody } from './canon-body.ts';
import type { Canon } from './canon-header.ts';
import { headerHashInput, selectFields } from './header-hash.ts';
import { chooseKey, MIN_RSA_BITS } from './key-select.ts';
import { findUnsignedCopies, SINGLE_INSTANCE_FIELDS } from './unsigned-headers.ts';

/** Beyond this many DKIM-Signature fields the rest are reported, not verified (CPU exhaustion). */
export const MAX_SIGNATURES = 32;
/** Beyond this many DKIM-Signature fields nothing more is listed (memory), the last one says how many. */
export const MAX_REPORTED_SIGNATURES = 256;
/** Key records tried per name (key rotation archives rarely hold more than a handful). */
export const MAX_KEY_RECORDS = 64;
export { MIN_RSA_BITS };

export function verifyDkim(raw: Buffer | DkimMessage, opts: VerifyOptions): DkimSignatureResult[] {
  const msg = dkimMessage(raw);
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const bodies = new Map<Canon, Buffer>();
  const results: DkimSignatureResult[] = [];
  const sigFields = (msg.byName.get('dkim-signature') ?? []).map((i) => msg.fields[i]);
  for (const [n, field] of sigFields.entries()) {
    if (n >= MAX_REPORTED_SIGNATURES) break;
    results.push(n < MAX_SIGNATURES ? verifyOne(msg, field, opts, now, bodies) : tooMany(field, sigFields.length));
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

function tooMany(field: HeaderField, total: number): DkimSignatureResult {
  const r = blank(field, null);
  r.result = 'permerror';
  r.error = 'too-many-signatures';
  const listed = total > MAX_REPORTED_SIGNATURES ? ` Only the first ${MAX_REPORTED_SIGNATURES} are listed.` : '';
  r.evidence.push(ev('too-many-signatures', 'warning', `The message carries ${total} DKIM signatures; the ones after the first ${MAX_SIGNATURES} were not checked (real mail carries a few; this many looks like an attempt to exhaust the verifier).${listed}`, { total }));
  return r;
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
    ? headerHashInput(msg, field, sig.bTag, sig.signedHeaders, sig.headerCanon)
    : null;
  const best = chooseKey(records, sig, data);

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
  } else if (weak) {
    // RFC 8301: never valid, whatever the maths says (the evidence still says what it says).
    r.result = 'permerror';
    r.error = 'weak-key';
  } else if (best.check === 'valid') {
    if (best.record.status === 'revoked') {
      r.result = 'permerror';
      r.error = 'key-revoked';
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
  // The archived key is the one that signed (valid, or RSA says "right key, other headers").
  const keyConfirmed = headerProven || best?.check === 'digest-mismatch' || best?.check === 'invalid';
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
    if (best.record.source === 'dns' && best.record.first_seen) {
      notes.push(fetchedKeyEvidence(d, keyDesc, keyName, best.record.first_seen, r.timestamp));
    } else if (best.record.source === 'dns') {
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
    } else if (keyConfirmed) {
      // The signer's key is confirmed but the signed headers changed too (see header-modified):
      // the body differs from the bh= claim, and that claim sits in a header that was altered.
      tampering.push(ev('body-modified', 'critical', `The body does not match the body hash (bh=) in ${d}'s signature: the body was changed too, unless the signature header itself was rewritten (see the header finding).${extra} ${TRANSIT_CAVEAT}`, { domain: sig.domain }));
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
    for (const u of findUnsignedCopies(msg, sig.signedHeaders)) {
      const sev = headerProven ? 'critical' : 'warning';
      const copies = u.extra === 1 ? `A second ${u.name} header was` : `${u.extra} extra ${u.name} headers were`;
      tampering.push(ev('unsigned-header-added', sev, `${copies} added above the one ${d} signed. The signature covers only the lower one; many mail programs show the top one, which nobody signed.`, { header: u.name, extra: u.extra }));
    }
    // A line that is not a header field, among the header fields: nobody signed it, and mail
    // programs end the header block there, showing it (and every field below it) as body text.
    // Found by fuzzing (test/fuzz): without this, such an insertion left the message verified.
    const junk = msg.fields.filter((f) => f.lname === '');
    if (junk.length) {
      const sev = headerProven ? 'critical' : 'warning';
      const first = junk[0].raw.replace(/\r\n$/, '').replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
      tampering.push(ev('unsigned-header-added', sev, `${junk.length === 1 ? 'A line that is not a header field was' : `${junk.length} lines that are not header fields were`} found among the header fields ("${first}"). ${d}'s signature does not cover ${junk.length === 1 ? 'it' : 'them'}, and mail programs show such lines, and the fields after them, as part of the body.`, { header: '(not a header field)', extra: junk.length }));
    }
    const lnames = new Set(sig.signedHeaders.map((x) => x.toLowerCase()));
    const uncovered = ['subject', 'date'].filter((x) => !lnames.has(x)).map((x) => SINGLE_INSTANCE_FIELDS.get(x) ?? x);
    if (uncovered.length) {
      notes.push(ev('headers-not-covered', 'warning', `${d}'s signature does not cover ${prose(uncovered)}: ${uncovered.length > 1 ? 'they' : 'it'} could have been changed or added without trace.`, { headers: uncovered }));
    }
    const present = msg.byName;
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

  // A signature that is unacceptable in itself (malformed, From not signed) cannot make the
  // message "tampered": its findings stay, as warnings.
  const demoted = sig.problems.length ? tampering.map((e) => (e.severity === 'critical' ? { ...e, severity: 'warning' as const } : e)) : tampering;
  r.evidence = [...demoted, ...notes];
  return r;
}

function iso(unix: number): string {
  const d = new Date(unix * 1000);
  return Number.isNaN(d.getTime()) ? String(unix) : d.toISOString().replace('.000Z', 'Z');
}

/** The h= names that designate a field present in the message, in h= order, without repeats. */
function signedFieldNames(msg: DkimMessage, field: HeaderField, sig: ParsedSignature): string[] {
  const sel = selectFields(msg, sig.signedHeaders, field.index);
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

/**
 * The fetched-key policy (docs/auth.md, "Keys fetched from DNS"): a key that `trove keys fetch`
 * found in DNS and archived with the date seen may verify, but the evidence always says when it was
 * fetched and how long after the signature that was, because a key seen today is weaker evidence
 * about old mail than a key archived at the time (domains change hands, selectors get reused).
 */
export function fetchedKeyEvidence(d: string, keyDesc: string, keyName: string, fetched: string, signedAt: number | null): Evidence {
  const day = (iso: string) => iso.slice(0, 10);
  const f = Date.parse(fetched);
  const fetchedDay = Number.isNaN(f) ? fetched : day(new Date(f).toISOString());
  let when: string;
  let gapDays: number | null = null;
  if (signedAt === null || Number.isNaN(f)) {
    when = 'The signature carries no signing time (t=), so how long after the signing that was is unknown.';
  } else {
    gapDays = Math.floor((f - signedAt * 1000) / 86_400_000);
    const signedDay = day(new Date(signedAt * 1000).toISOString());
    when = gapDays > 0
      ? `That is ${gapDays} day${gapDays === 1 ? '' : 's'} after ${d} signed the message (t= ${signedDay}).`
      : `The signature says it was made on ${signedDay}, no earlier than the fetch.`;
  }
  return ev('key-fetched', 'warning',
    `The key ${keyDesc} was fetched from DNS on ${fetchedDay} (trove keys fetch), not archived when the mail was sent. ${when} ${d} still publishes this key, so the signature was made by someone holding its private key; an archived key from the time of the message would be stronger evidence, because a domain can change hands or reuse a selector.`,
    { key: keyName, fetched: fetchedDay, days_after_signing: gapDays });
}
