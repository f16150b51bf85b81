/**
 * @module auth/dkim/signature
 * Reads a DKIM-Signature (or ARC-Message-Signature) field into typed values, tag by tag, and
 * says exactly which tag is wrong when one is. Parsing never stops at the first problem when it
 * does not have to: even a signature that is invalid as a whole (say, a bad x=) still has a
 * readable a=, c= and bh=, so the verifier can still tell the journalist whether the body is the
 * one that was signed.
 */
import { domainToASCII } from 'node:url';
import { parseTagList, decodeBase64, stripFws, type Tag } from './tags.ts';
import type { Canon } from './canon-header.ts';

export type Algorithm = 'rsa-sha256' | 'rsa-sha1' | 'ed25519-sha256';
export type HashName = 'sha256' | 'sha1';
export type KeyType = 'rsa' | 'ed25519';

export const ALGORITHMS: ReadonlyMap<string, { keyType: KeyType; hash: HashName }> = new Map([
  ['rsa-sha256', { keyType: 'rsa', hash: 'sha256' }],
  ['rsa-sha1', { keyType: 'rsa', hash: 'sha1' }],
  ['ed25519-sha256', { keyType: 'ed25519', hash: 'sha256' }],
]);

/** A problem that makes the signature unusable (permerror), with the tag it is about. */
export interface SignatureProblem {
  code: 'signature-malformed' | 'unsupported-algorithm' | 'unsupported-version' | 'unsupported-query' | 'from-not-signed';
  tag: string | null;
  reason: string;
}

export interface ParsedSignature {
  /** Everything that could be read; fields are null when the tag was missing or unreadable. */
  algorithm: Algorithm | null;
  algorithmRaw: string;
  keyType: KeyType | null;
  hash: HashName | null;
  signature: Buffer | null;
  bodyHash: Buffer | null;
  domain: string;
  selector: string;
  headerCanon: Canon | null;
  bodyCanon: Canon | null;
  canonRaw: string | null;
  /** h= entries as written (trimmed). */
  signedHeaders: string[];
  identity: string | null;
  /** Domain part of i= (or d= when i= is absent), lower case. */
  identityDomain: string;
  length: bigint | null;
  timestamp: number | null;
  expiration: number | null;
  /** Offsets of the b= value inside the field value, to blank it out for hashing. */
  bTag: Tag | null;
  /** ARC only: i= instance number. */
  instance: number | null;
  /** Problems, first one decides the permerror. Empty = usable. */
  problems: SignatureProblem[];
}

export type SignatureKind = 'dkim' | 'ams';

const MAX_H_ENTRIES = 512;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
// Domain and selector: dot-separated labels; we accept underscores and 8-bit (IDN U-labels) but
// nothing that could break the DNS name or a display (whitespace, specials, empty labels).
const DNS_NAME = /^(?!.*\.\.)[^\s.;:@,<>()[\]\\"/][^\s;:@,<>()[\]\\"/]*$/;

function problem(p: ParsedSignature, code: SignatureProblem['code'], tag: string | null, reason: string) {
  p.problems.push({ code, tag, reason });
}

/** Lower-case; an internationalised (8-bit, UTF-8) name becomes its xn-- form, as DNS needs (RFC 8616). */
function dnsName(v: string): string {
  const lower = v.toLowerCase().replace(/\.$/, '');
  if (!/[\x80-\xff]/.test(lower)) return lower;
  return domainToASCII(Buffer.from(lower, 'latin1').toString('utf8')) || lower;
}

function decimal(value: string, maxDigits: number): bigint | null {
  if (!new RegExp(`^[0-9]{1,${maxDigits}}$`).test(value)) return null;
  return BigInt(value);
}

/**
 * Parses the value of a DKIM-Signature (`kind: 'dkim'`) or ARC-Message-Signature (`'ams'`: no v=,
 * i= is the instance number, c= defaults to relaxed/relaxed per RFC 8617 §4.1.2 practice).
 */
export function parseSignature(value: string, kind: SignatureKind = 'dkim'): ParsedSignature {
  const p: ParsedSignature = {
    algorithm: null, algorithmRaw: '', keyType: null, hash: null, signature: null, bodyHash: null,
    domain: '', selector: '', headerCanon: null, bodyCanon: null, canonRaw: null, signedHeaders: [],
    identity: null, identityDomain: '', length: null, timestamp: null, expiration: null, bTag: null,
    instance: null, problems: [],
  };
  const parsed = parseTagList(value);
  if (!parsed.ok) {
    problem(p, 'signature-malformed', parsed.tag, parsed.reason);
    return p;
  }
  const t = parsed.tags;
  const get = (name: string) => t.get(name)?.value;

  const required = kind === 'dkim' ? ['v', 'a', 'b', 'bh', 'd', 'h', 's'] : ['i', 'a', 'b', 'bh', 'd', 'h', 's'];
  for (const name of required) {
    if (!t.has(name)) problem(p, 'signature-malformed', name, `required tag ${name}= is missing`);
  }

  if (kind === 'dkim') {
    const v = get('v');
    if (v !== undefined && v !== '1') problem(p, 'unsupported-version', 'v', `v=${v.slice(0, 20)} is not DKIM version 1`);
  } else {
    const i = get('i');
    if (i !== undefined) {
      const n = decimal(i, 3);
      if (n === null || n < 1n || n > 50n) problem(p, 'signature-malformed', 'i', `i=${i.slice(0, 20)} is not an instance number from 1 to 50`);
      else p.instance = Number(n);
    }
  }

  const a = get('a');
  if (a !== undefined) {
    p.algorithmRaw = a;
    // Exact match: tag values are case-sensitive (RFC 6376 §3.2), as in dkimpy.
    const alg = ALGORITHMS.get(a);
    if (!alg) problem(p, 'unsupported-algorithm', 'a', `a=${a.slice(0, 40)} is not an algorithm DKIM defines`);
    else {
      p.algorithm = a as Algorithm;
      p.keyType = alg.keyType;
      p.hash = alg.hash;
    }
  }

  const b = t.get('b');
  if (b) {
    p.bTag = b;
    const sig = decodeBase64(b.value);
    if (sig === null || sig.length === 0) problem(p, 'signature-malformed', 'b', 'b= is not valid base64 or is empty');
    else p.signature = sig;
  }
  const bh = get('bh');
  if (bh !== undefined) {
    const h = decodeBase64(bh);
    if (h === null || h.length === 0) problem(p, 'signature-malformed', 'bh', 'bh= is not valid base64 or is empty');
    else p.bodyHash = h;
  }

  const d = get('d');
  if (d !== undefined) {
    if (!DNS_NAME.test(d) || d.length > 253) problem(p, 'signature-malformed', 'd', `d=${d.slice(0, 60)} is not a domain name`);
    else p.domain = dnsName(d);
  }
  const s = get('s');
  if (s !== undefined) {
    if (!DNS_NAME.test(s) || s.length > 253) problem(p, 'signature-malformed', 's', `s=${s.slice(0, 60)} is not a selector`);
    else p.selector = dnsName(s);
  }

  const c = get('c');
  const defaultCanon = kind === 'ams' ? 'relaxed/relaxed' : 'simple/simple';
  const cv = c === undefined ? defaultCanon : c;
  p.canonRaw = cv;
  const m = /^(simple|relaxed)(?:\/(simple|relaxed))?$/i.exec(cv);
  if (!m) problem(p, 'signature-malformed', 'c', `c=${cv.slice(0, 40)} is not a canonicalisation DKIM defines`);
  else {
    p.headerCanon = m[1].toLowerCase() as Canon;
    p.bodyCanon = (m[2] ?? 'simple').toLowerCase() as Canon;
  }

  const h = get('h');
  if (h !== undefined && kind === 'ams' && h === '') {
    // An ARC-Message-Signature may sign no header field but itself (ValiMail suite: ams_fields_h_empty).
    p.signedHeaders = [];
  } else if (h !== undefined) {
    // An empty entry ("to::date") names no field, so it contributes nothing to the hash, which is
    // how dkimpy treats it and what the ValiMail ARC suite expects (ams_fields_h_mis_hdr).
    const names = h.split(':').map((x) => x.replace(/[ \t\r\n]+/g, '')).filter((x) => x !== '');
    if (names.length > MAX_H_ENTRIES) problem(p, 'signature-malformed', 'h', `h= lists more than ${MAX_H_ENTRIES} header fields`);
    else if (names.some((x) => !FIELD_NAME.test(x))) problem(p, 'signature-malformed', 'h', 'h= contains an invalid header field name');
    else {
      p.signedHeaders = names;
      if (kind === 'dkim' && !names.some((x) => x.toLowerCase() === 'from')) {
        problem(p, 'from-not-signed', 'h', 'h= does not include From');
      }
    }
  }

  if (kind === 'dkim') {
    const i = get('i');
    if (i !== undefined) {
      p.identity = i;
      const at = i.lastIndexOf('@');
      const dom = at === -1 ? null : i.slice(at + 1).toLowerCase().replace(/\.$/, '');
      if (dom === null || dom === '') problem(p, 'signature-malformed', 'i', `i=${i.slice(0, 60)} has no @domain part`);
      else {
        p.identityDomain = dom;
        if (p.domain !== '' && dom !== p.domain && !dom.endsWith(`.${p.domain}`)) {
          problem(p, 'signature-malformed', 'i', `i= domain ${dom.slice(0, 60)} is not ${p.domain} or a subdomain of it`);
        }
      }
    } else {
      p.identityDomain = p.domain;
    }
  }

  const l = get('l');
  if (l !== undefined) {
    const n = decimal(l, 76);
    if (n === null) problem(p, 'signature-malformed', 'l', `l=${l.slice(0, 40)} is not a decimal byte count`);
    else p.length = n;
  }

  const q = get('q');
  if (q !== undefined && kind === 'dkim') {
    const methods = q.split(':').map((x) => stripFws(x).toLowerCase());
    if (!methods.some((x) => x === 'dns/txt' || x === 'dns')) problem(p, 'unsupported-query', 'q', `q=${q.slice(0, 40)} names no key lookup method DKIM defines (dns/txt)`);
  }

  for (const name of ['t', 'x'] as const) {
    const raw = get(name);
    if (raw === undefined) continue;
    const n = decimal(raw, 15);
    if (n === null) problem(p, 'signature-malformed', name, `${name}=${raw.slice(0, 40)} is not a Unix timestamp`);
    else if (name === 't') p.timestamp = Number(n);
    else p.expiration = Number(n);
  }
  if (p.timestamp !== null && p.expiration !== null && p.expiration <= p.timestamp) {
    problem(p, 'signature-malformed', 'x', 'x= (expiry) is not later than t= (signing time)');
  }
  return p;
}
