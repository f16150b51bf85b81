/**
 * @module auth/testing/sign
 * A minimal DKIM signer, for tests only (trove never signs). It lets tests craft signatures the
 * vectors do not contain (h= without From, t=y keys, odd tags). It reuses the verifier's
 * canonicalisation, so it cannot by itself prove canonicalisation right: the shared vectors,
 * signed by dkimpy, MimeKit, Gmail and others, do that.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { parseDkimMessage } from '../dkim/message.ts';
import { canonBody } from '../dkim/canon-body.ts';
import { headerHashInput } from '../dkim/header-hash.ts';
import { parseTagList } from '../dkim/tags.ts';
import type { Canon } from '../dkim/canon-header.ts';

export interface SignOptions {
  domain: string;
  selector: string;
  privateKey: KeyObject;
  algorithm?: 'rsa-sha256' | 'rsa-sha1' | 'ed25519-sha256';
  canon?: `${Canon}/${Canon}`;
  headers?: string[];
  /** l= value: sign only this many canonical body bytes (true = the whole body, declared). */
  length?: number | true;
  /** Extra tags, written as given (`x=123`, `i=@sub.example`). */
  extra?: string[];
  timestamp?: number;
}

/** Returns the message with a new DKIM-Signature field on top. `raw` must use CRLF. */
export function signDkim(raw: Buffer, o: SignOptions): Buffer {
  const alg = o.algorithm ?? 'rsa-sha256';
  const canon = o.canon ?? 'relaxed/relaxed';
  const [hc, bc] = canon.split('/') as [Canon, Canon];
  const headers = o.headers ?? ['from', 'to', 'subject', 'date', 'message-id'];
  const body = canonBody(parseDkimMessage(raw).body, bc);
  const len = o.length === true ? body.length : o.length;
  const hash = alg === 'rsa-sha1' ? 'sha1' : 'sha256';
  const bh = createHash(hash).update(len === undefined ? body : body.subarray(0, len)).digest('base64');
  const tags = [
    'v=1', `a=${alg}`, `c=${canon}`, `d=${o.domain}`, `s=${o.selector}`, `t=${o.timestamp ?? 1700000000}`,
    ...(len === undefined ? [] : [`l=${len}`]), ...(o.extra ?? []),
    `h=${headers.join(':')}`, `bh=${bh}`, 'b=',
  ];
  const field = `DKIM-Signature: ${tags.join('; ')}`;
  const withField = Buffer.concat([Buffer.from(`${field}\r\n`, 'latin1'), raw]);
  const msg = parseDkimMessage(withField);
  const sigField = msg.fields[0];
  const parsed = parseTagList(sigField.raw.slice(sigField.valueStart, sigField.raw.length - 2));
  if (!parsed.ok) throw new Error(parsed.reason);
  const data = headerHashInput(msg, sigField, parsed.tags.get('b')!, headers, hc);
  const b = alg === 'ed25519-sha256'
    ? sign(null, createHash('sha256').update(data).digest(), o.privateKey)
    : sign(hash, data, o.privateKey);
  return Buffer.concat([Buffer.from(`${field}${b.toString('base64')}\r\n`, 'latin1'), raw]);
}

/** A fresh key pair and its DKIM TXT record. */
export function testKey(type: 'rsa' | 'ed25519' = 'rsa', bits = 2048, tags = ''): { privateKey: KeyObject; txt: string } {
  if (type === 'ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    return { privateKey, txt: `v=DKIM1; k=ed25519; ${tags}p=${raw.toString('base64')}` };
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { privateKey, txt: `v=DKIM1; k=rsa; ${tags}p=${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}` };
}

export function loadPrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}
