/**
 * @module auth/dkim/key
 * DKIM key records (RFC 6376 §3.6.1, RFC 8463): parses the TXT value and turns p= into a
 * node:crypto public key. Accepts what real domains publish: RSA keys as SubjectPublicKeyInfo
 * (the standard) or as a bare PKCS#1 RSAPublicKey (some generators emit that), Ed25519 keys as the
 * raw 32 bytes of RFC 8463 (or, leniently, an Ed25519 SubjectPublicKeyInfo). Errors say what is
 * wrong in words, because an archive maintainer has to fix the record.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseTagList, decodeBase64 } from './tags.ts';
import type { KeyType } from './signature.ts';

export interface DkimKeyRecord {
  keyType: KeyType;
  /** h=: acceptable hash algorithms, lower case; null = any. */
  hashes: string[] | null;
  /** s=: service types; null = any ("*"). */
  services: string[] | null;
  /** t=: flags, lower case (y = testing, s = strict identity). */
  flags: string[];
  /** p= without whitespace; "" = revoked. */
  publicKey: string;
  notes: string | null;
}

export type KeyProblemCode = 'key-malformed' | 'key-revoked' | 'key-incompatible';

export interface KeyProblem {
  code: KeyProblemCode;
  reason: string;
}

export type KeyRecordResult = { ok: true; record: DkimKeyRecord } | { ok: false; problem: KeyProblem };

export function parseKeyRecord(txt: string): KeyRecordResult {
  const parsed = parseTagList(txt, true);
  if (!parsed.ok) return { ok: false, problem: { code: 'key-malformed', reason: `the key record is not a valid tag list: ${parsed.reason}` } };
  const t = parsed.tags;
  const v = t.get('v')?.value;
  if (v !== undefined && v !== 'DKIM1') return { ok: false, problem: { code: 'key-malformed', reason: `v=${v.slice(0, 20)} (a DKIM key record must say v=DKIM1)` } };
  const kRaw = t.get('k')?.value ?? 'rsa';
  const k = kRaw.toLowerCase();
  if (k !== 'rsa' && k !== 'ed25519') return { ok: false, problem: { code: 'key-malformed', reason: `k=${kRaw.slice(0, 20)} is not a key type DKIM defines (rsa, ed25519)` } };
  const p = t.get('p');
  if (p === undefined) return { ok: false, problem: { code: 'key-malformed', reason: 'the key record has no p= (public key) tag' } };
  const list = (name: string): string[] | null => {
    const raw = t.get(name)?.value;
    if (raw === undefined) return null;
    return raw.split(':').map((x) => x.replace(/[ \t\r\n]+/g, '').toLowerCase()).filter((x) => x !== '');
  };
  return {
    ok: true,
    record: {
      keyType: k,
      hashes: list('h'),
      services: list('s'),
      flags: list('t') ?? [],
      publicKey: p.value.replace(/[ \t\r\n]+/g, ''),
      notes: t.get('n')?.value ?? null,
    },
  };
}

export interface ImportedKey {
  key: KeyObject;
  type: KeyType;
  /** RSA modulus bits; 256 for Ed25519. */
  bits: number;
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQ { SEQ { OID 1.3.101.112 } BIT STRING }.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

type ImportResult = { ok: true; key: ImportedKey } | { ok: false; problem: KeyProblem };

// A dump holds millions of messages signed with a few hundred keys; importing a key costs more
// than verifying with it, so imports are memoised (bounded: hostile archives cannot grow it).
const CACHE_MAX = 512;
const cache = new Map<string, ImportResult>();

/** Imports p= as a public key of the record's type. Never throws. */
export function importKey(record: DkimKeyRecord): ImportResult {
  const id = `${record.keyType}:${record.publicKey}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const res = importUncached(record);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(id, res);
  return res;
}

function importUncached(record: DkimKeyRecord): ImportResult {
  if (record.publicKey === '') return { ok: false, problem: { code: 'key-revoked', reason: 'the key record has an empty p= (the domain revoked this key)' } };
  const der = decodeBase64(record.publicKey);
  if (der === null || der.length === 0) return { ok: false, problem: { code: 'key-malformed', reason: 'p= is not valid base64' } };
  if (record.keyType === 'ed25519') {
    const spki = der.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, der]) : der;
    try {
      const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
      return { ok: true, key: { key, type: 'ed25519', bits: 256 } };
    } catch {
      return { ok: false, problem: { code: 'key-malformed', reason: `p= is not an Ed25519 public key (expected 32 bytes, got ${der.length})` } };
    }
  }
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType !== 'rsa') {
        return { ok: false, problem: { code: 'key-incompatible', reason: `p= holds a ${key.asymmetricKeyType ?? 'non-RSA'} key but the record says k=rsa` } };
      }
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      return { ok: true, key: { key, type: 'rsa', bits } };
    } catch {
      // try the next encoding
    }
  }
  return { ok: false, problem: { code: 'key-malformed', reason: 'p= is neither an RSA SubjectPublicKeyInfo nor a PKCS#1 RSAPublicKey' } };
}
