/**
 * @module mime/charset
 * Decodes bytes in a declared charset. The WHATWG TextDecoder (full ICU in Node 24) covers
 * what browsers read, including the odd labels mail carries (`ANSI_X3.4-1968`, `ks_c_5601-1987`);
 * iconv-lite covers the rest (UTF-7, old IBM and Mac code pages). A label neither knows is not
 * an error: the text is decoded as UTF-8 when the bytes are valid UTF-8, else as windows-1252,
 * and the caller is told so it can record the fact.
 */
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';

export interface Decoded {
  text: string;
  /** The charset actually used. */
  charset: string;
  /** False when the declared label was unknown and a fallback was used. */
  known: boolean;
}

const decoders = new Map<string, TextDecoder | null>();
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

function textDecoderFor(label: string): TextDecoder | null {
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = null;
    }
    decoders.set(label, d);
  }
  return d;
}

/** Labels seen in real mail that neither decoder knows, mapped to what the sender meant. */
const ALIASES: Record<string, string> = {
  'default': 'utf-8-or-1252',
  'default_charset': 'utf-8-or-1252',
  'unknown-8bit': 'utf-8-or-1252',
  'x-unknown': 'utf-8-or-1252',
  '8bit': 'utf-8-or-1252',
  'ascii': 'utf-8-or-1252',
  'us-ascii': 'utf-8-or-1252',
  'ansi_x3.4-1968': 'utf-8-or-1252',
  'utf8': 'utf-8',
  'x-user-defined': 'windows-1252',
  'cp-850': 'cp850',
  'iso-9307-9': 'iso-8859-9',
};

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    fatalUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

/**
 * Decodes `bytes` declared as `label`. US-ASCII declarations are taken as "probably UTF-8,
 * else windows-1252": senders that declare ASCII and send 8-bit bytes are common, and the
 * WHATWG reading (windows-1252) would garble the UTF-8 ones.
 */
export function decodeText(bytes: Uint8Array, label: string | null | undefined): Decoded {
  const raw = (label ?? '').trim().toLowerCase().replace(/^["']|["']$/g, '');
  const name = ALIASES[raw] ?? (raw || 'utf-8-or-1252');
  if (name === 'utf-8-or-1252') {
    if (isAscii(bytes)) return { text: latin1(bytes), charset: 'us-ascii', known: true };
    if (isValidUtf8(bytes)) return { text: Buffer.from(bytes).toString('utf8'), charset: 'utf-8', known: true };
    return { text: textDecoderFor('windows-1252')!.decode(bytes), charset: 'windows-1252', known: raw !== '' };
  }
  // UTF-7 is not a WHATWG encoding; iconv-lite knows it. (Renderers must escape the result,
  // as they must all decoded text: UTF-7 can smuggle markup past naive filters.)
  if (name !== 'utf-7' && name !== 'unicode-1-1-utf-7') {
    const td = textDecoderFor(name);
    if (td) return { text: td.decode(bytes), charset: td.encoding, known: true };
  }
  if (iconv.encodingExists(name)) return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name), charset: name, known: true };
  const fallback = decodeText(bytes, '');
  return { ...fallback, known: false };
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Header bytes outside encoded words: UTF-8 when valid (RFC 6532), else windows-1252. */
export function decodeRawHeaderBytes(bytes: Uint8Array): string {
  if (isAscii(bytes)) return latin1(bytes);
  return decodeText(bytes, 'utf-8-or-1252').text;
}
