/**
 * @module forensics/header-facts
 * What the case pass reads of a message's header block: its mailer fingerprint, its Received
 * hops and its X-Mailer / User-Agent. The parse workers make it at ingest from the bytes they
 * hold (messages.header_facts, JSON), so the pass reads a small column instead of reading and
 * splitting each message's header bytes twice; for messages ingested before, the pass makes it
 * from the stored bytes, sliced the same way (headOf), so both give the same facts.
 */
import { DEFAULT_LIMITS, type Limits } from '../core/limits.ts';
import { getHeader, getHeaders, splitHeaders, type HeaderField } from '../mime/headers.ts';
import { fingerprintOf, type Fingerprint } from './fingerprint.ts';
import { parseReceived, type Hop } from './received.ts';

/**
 * Header bytes read per message: a first small read covers nearly every header block; the
 * larger one only runs when no blank line was found. Reading big slices for every message
 * made the pass allocate (and the process hold) hundreds of MB on the corpora.
 */
export const HEADER_FIRST_READ = 16 * 1024;
export const HEADER_READ_BYTES = 256 * 1024;

export function hasBlankLine(h: Uint8Array): boolean {
  const b = Buffer.from(h.buffer, h.byteOffset, h.byteLength);
  return b.includes('\n\n') || b.includes('\r\n\r\n');
}

/** The case pass's readHead on bytes in memory: the same slice, so the same header fields. */
export function headOf(bytes: Uint8Array): Uint8Array {
  const first = bytes.subarray(0, HEADER_FIRST_READ);
  return bytes.length <= HEADER_FIRST_READ || hasBlankLine(first) ? first : bytes.subarray(0, HEADER_READ_BYTES);
}

/** The facts (module comment). */
export interface HeaderFacts {
  fp: Fingerprint;
  hops: Hop[];
  mailer: string | null;
}

export function factsOf(fields: readonly HeaderField[]): HeaderFacts {
  // an unreadable stamp is null either way (JSON would turn a NaN into null only on one path)
  const hops = parseReceived(getHeaders(fields, 'received')).map((h) => (h.time === null || Number.isFinite(h.time) ? h : { ...h, time: null }));
  return { fp: fingerprintOf(fields), hops, mailer: getHeader(fields, 'x-mailer') ?? getHeader(fields, 'user-agent') };
}

/**
 * The header facts of the bytes trove parses (the rendering of a .msg, else the message), as
 * JSON. `parsed`: the header fields the MIME parser split from the same bytes, with its limits.
 * They are used when the slice the case pass would read is the whole message and the header
 * limits are the defaults (then the split is the same), instead of splitting the headers again:
 * that second split was a tenth of a parse worker's time on Enron.
 */
export function headerFactsJson(wire: Uint8Array, parsed?: { fields: readonly HeaderField[]; limits: Limits }): string {
  const head = headOf(wire);
  const same = parsed && head.length === wire.length && parsed.limits.maxHeaderBytes === DEFAULT_LIMITS.maxHeaderBytes && parsed.limits.maxHeaderLineBytes === DEFAULT_LIMITS.maxHeaderLineBytes;
  const fields = same ? parsed.fields : splitHeaders(head, 0, head.length, DEFAULT_LIMITS, []).fields;
  return JSON.stringify(factsOf(fields));
}
