/**
 * @module mime/address-list
 * Address fields (From, To, Cc, …) into addresses. postal-mime's addressParser does the RFC 5322
 * work; a long field is handed to it one address at a time, and the three shapes most addresses
 * have (`a@b`, `Name <a@b>`, `"Name" <a@b>`) are read here, as it reads them (simpleAddress).
 *
 * Why: addressParser builds each token a character at a time, at ~2 µs and several hundred
 * bytes of garbage per character of one token. MimeKit's stack-overflow.txt has a 135 KB To:
 * that is one token: 280 ms, and the parse worker's heap went from 32 to 102 MB. With it, the
 * ingest of ../shared/corpora's pst, msg and mimekit peaked at 431–496 MB; split as below,
 * 351–363 MB (the 512 MB limit is for every corpus together). A header line may be 1 MiB
 * (limits.maxHeaderLineBytes).
 *
 * So a field longer than LONG_FIELD_CHARS is split here at its top-level commas and semicolons
 * (not inside quotes, comments or angle brackets; a group's members one by one, as the parser
 * lists them flattened), and each address is parsed alone. An address longer than
 * MAX_ADDRESS_CHARS is not given to the parser: its trailing <address> is kept whole, its
 * display name decoded from the first MAX_ADDRESS_CHARS characters and cut to MAX_NAME_CHARS,
 * and the message says so (`address-too-long`).
 */
import { addressParser, decodeWords } from 'postal-mime';
import type { Address, Anomaly } from './types.ts';

/** Fields up to this length go to the parser whole (a To: of ~100 addresses). */
export const LONG_FIELD_CHARS = 4_096;
/**
 * One address (display name, comments and address) longer than this is read without the parser.
 * The longest of the 797,053 addresses in the mbox, SpamAssassin and Enron corpora is 5,279
 * characters (an Enron To: of 200 <addresses> without commas); the next, 1,258.
 */
export const MAX_ADDRESS_CHARS = 8_192;
/** Display name kept of an address over MAX_ADDRESS_CHARS. */
export const MAX_NAME_CHARS = 256;

/**
 * The addresses of every instance of one field (`name`: From, To, …, for anomalies).
 * `longField`: the length past which a field is split (tests lower it).
 */
export function addressList(name: string, values: string[], anomalies: Anomaly[], longField = LONG_FIELD_CHARS): Address[] {
  const out: Address[] = [];
  for (const v of values) {
    const pieces = splitAddresses(v);
    const simple = pieces.map(simpleAddress);
    if (!simple.includes(null)) {
      for (const a of simple) out.push(a!);
    } else if (v.length <= longField) parseInto(v, out);
    else for (const one of pieces) {
      if (one.length <= MAX_ADDRESS_CHARS) parseInto(one, out);
      else out.push(oversized(name, one, anomalies));
    }
  }
  return out;
}

// The three shapes most addresses have, read here as addressParser reads them (checked against
// it on every address field of the mbox and SpamAssassin corpora): the parser tokenises a
// character at a time, and was 5% of an Enron ingest's CPU (perf). Anything else (comments,
// escapes, groups, encoded words, control characters) goes to the parser.
const BARE_ADDRESS = /^[^\s"(),:;<>[\]\\@]+@[^\s"(),:;<>[\]\\@]+$/;
const NAME_ANGLE = /^([^"(),:;<>[\]\\@]+?)\s*<([^\s<>"]+)>$/;
const QUOTED_ANGLE = /^"([^"\\]*)"\s*<([^\s<>"]+)>$/;
const NOT_SIMPLE = /[\x00-\x1f]|=\?/;

/** One address of a simple shape (`a@b`, `Name <a@b>`, `"Name" <a@b>`), or null. */
export function simpleAddress(piece: string): Address | null {
  if (NOT_SIMPLE.test(piece)) return null;
  if (BARE_ADDRESS.test(piece)) return { name: '', address: piece };
  const m = NAME_ANGLE.exec(piece) ?? QUOTED_ANGLE.exec(piece);
  if (!m) return null;
  const name = m[1].trim();
  const address = m[2];
  if (!name || !address.includes('@') || name === address) return null;
  return { name, address };
}

function parseInto(v: string, out: Address[]): void {
  let list;
  try {
    list = addressParser(v, { flatten: true });
  } catch {
    return;
  }
  for (const a of list) if (a.address || a.name) out.push({ name: a.name ?? '', address: (a.address ?? '').trim() });
}

/**
 * The addresses of a field, as text, in one pass: split at commas and semicolons outside quoted
 * strings, comments and angle brackets. A group's display name (up to its colon) is dropped and
 * its members split like the rest.
 */
export function splitAddresses(v: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quote = false;
  let comment = 0;
  let angle = false;
  let group = false;
  const cut = (end: number, next: number) => {
    const s = v.slice(start, end).trim();
    if (s) out.push(s);
    start = next;
  };
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (quote) {
      if (c === 0x5c) i++; // backslash: the next character is literal
      else if (c === 0x22) quote = false;
    } else if (comment > 0) {
      if (c === 0x5c) i++;
      else if (c === 0x28) comment++;
      else if (c === 0x29) comment--;
    } else if (angle) {
      if (c === 0x3e) angle = false;
    } else if (c === 0x22) quote = true;
    else if (c === 0x28) comment = 1;
    else if (c === 0x3c) angle = true;
    else if (c === 0x2c) cut(i, i + 1);
    else if (c === 0x3b) {
      cut(i, i + 1);
      group = false;
    } else if (c === 0x3a && !group) {
      group = true;
      start = i + 1;
    }
  }
  cut(v.length, v.length);
  return out;
}

function oversized(field: string, one: string, anomalies: Anomaly[]): Address {
  // [^<>] cannot run past the next bracket, so each try is bounded: linear in the field
  const m = /<([^<>]{0,1024})>\s*$/.exec(one);
  const address = m ? m[1].trim() : '';
  const raw = (m ? one.slice(0, m.index) : one).slice(0, MAX_ADDRESS_CHARS);
  let name: string;
  try {
    name = decodeWords(raw);
  } catch {
    name = raw;
  }
  name = name.replace(/\s+/g, ' ').trim().replace(/^"|"$/g, '');
  if (name.length > MAX_NAME_CHARS) name = `${name.slice(0, MAX_NAME_CHARS)}…`;
  anomalies.push({
    code: 'address-too-long',
    detail: `${field}: an address of ${one.length.toLocaleString('en')} characters (limit ${MAX_ADDRESS_CHARS.toLocaleString('en')}) was not parsed whole; ${address ? `its address <${address}> is kept and ` : 'it has no <address>; '}its display name was cut to ${MAX_NAME_CHARS} characters.`,
  });
  return { name, address };
}
