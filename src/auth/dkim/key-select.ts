/**
 * @module auth/dkim/key-select
 * Runs one signature against every key record known for its selector (key rotation: an archive
 * may hold several values for one name) and picks the record that decides the result. Shared by
 * DKIM and ARC.
 */
import type { KeyRecord } from '../types.ts';
import { parseKeyRecord, importKey, type ImportedKey, type KeyProblem } from './key.ts';
import { checkSignature, type SignatureCheck } from './crypto.ts';
import type { Algorithm, HashName, KeyType } from './signature.ts';

/** RSA keys above this size are refused: verifying with them costs seconds, and nobody uses them. */
export const MAX_RSA_BITS = 16384;
/** RFC 8301: verifiers must not accept signatures made with RSA keys under 1024 bits. */
export const MIN_RSA_BITS = 1024;

/** What of a signature the key check needs. */
export interface KeyCheckInput {
  algorithm: Algorithm | null;
  keyType: KeyType | null;
  hash: HashName | null;
  signature: Buffer | null;
  domain: string;
  /** Domain of i= (DKIM), for the key's t=s flag; equal to domain when there is no i=. */
  identityDomain: string;
}

/** What one key record made of the signature. */
export interface KeyOutcome {
  index: number;
  record: KeyRecord;
  problem: KeyProblem | null;
  key: ImportedKey | null;
  check: SignatureCheck | null;
  testing: boolean;
}

/** Evaluates every record (already capped by the caller) and returns the deciding one, or null. */
export function chooseKey(records: readonly KeyRecord[], sig: KeyCheckInput, data: Buffer | null): KeyOutcome | null {
  let best: KeyOutcome | null = null;
  records.forEach((rec, i) => {
    const o = evaluateKey(rec, i, sig, data);
    if (!best || rank(o) < rank(best)) best = o;
  });
  return best;
}

export function evaluateKey(record: KeyRecord, index: number, sig: KeyCheckInput, data: Buffer | null): KeyOutcome {
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
export function rank(o: KeyOutcome): number {
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
