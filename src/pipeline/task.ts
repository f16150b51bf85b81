/**
 * @module pipeline/task
 * What crosses the worker boundary: a message's bytes in, its parsed record out. Byte
 * buffers are transferred, not copied (see `transferable`).
 */
import type { ParsedMessage } from '../mime/types.ts';
import type { MessageAuth } from './authenticate-message.ts';
import type { IndexFields } from '../search/indexer.ts';

export interface ParseTask {
  id: number;
  /** The message, or null for a file the worker reads itself (`path`). */
  bytes: Uint8Array | null;
  /** A file on disk to read, sniff and, when it is a message, parse (ingest/walker.ts). */
  path?: string;
  format: 'rfc822' | 'msg';
  origin: 'as-found' | 'synthesized';
}

/**
 * A file task: the worker reads up to this much of the file itself; a message no bigger is
 * parsed there, anything else goes back to the walker (which posts it as bytes, under the
 * pool's byte bounds). Also what the task counts against the in-flight bytes. A batch of file
 * tasks (pool.ts BATCH_TASKS, 8) then holds at most 4 MB of messages, as a batch of bytes does:
 * at 1 MB, the peak RSS of an ingest of every shared corpus rose by ~30 MB (folders of large
 * .msg and MimeKit test messages).
 */
export const FILE_READ_MAX = 512 * 1024;

/** What a worker found reading a file task (see parse-worker.ts readFileTask). */
export type FileRead =
  /** A whole message, parsed. */
  | { kind: 'message'; size: number; mtime: string; result: MessageResult }
  /** Anything else (or a file over FILE_READ_MAX): its first bytes (SNIFF_BYTES), all of them when it is no bigger. */
  | { kind: 'other'; size: number; mtime: string; head: Uint8Array }
  | { kind: 'special' }
  | { kind: 'io-error'; error: string };

export interface MessageResult {
  /** sha256 of `bytes`: the message id. */
  sha256: string;
  size: number;
  format: 'rfc822' | 'msg';
  origin: 'as-found' | 'synthesized';
  bytes: Uint8Array;
  /** For .msg: the RFC 5322 rendering trove parsed (kept beside the original). */
  rendered: Uint8Array | null;
  parsed: ParsedMessage | null;
  threadId: string;
  /** Set when the message could not be parsed at all (it is still stored, raw). */
  error: string | null;
  /** Attachment bytes, one per distinct sha256 among parsed.attachments. */
  blobs: { sha256: string; bytes: Uint8Array }[];
  /** Messages found inside this one (message/rfc822 parts, attached .eml/.msg). */
  children: { part: string; filename: string | null; result: MessageResult }[];
  /** Outlook items inside a .msg that are not mail (counted, not parsed). */
  nonMail: { name: string; what: string }[];
  /** DKIM/ARC results and verdict; null when analysis is off (`--no-analyze`). */
  auth: MessageAuth | null;
  /** Full-text index fields, normalised in the worker so the main thread only inserts them. */
  index: IndexFields | null;
  /** The domains the message names and where (lookalike/extract.ts encodeDomains), for the case's lookalike scan. */
  domains: string | null;
  /** What the forensic pass reads of the header block (forensics/header-facts.ts), JSON. */
  headerFacts: string | null;
  /**
   * messages.parsed, made in the worker (see storedParsed). Set there, `parsed` crosses to the
   * main thread without its bodies and header list: nothing there reads them.
   */
  parsedJson?: string | null;
}

/** What messages.parsed holds: the MIME record without bodies and header list (both re-derived from the raw blob). */
export function storedParsed(p: ParsedMessage | null): string {
  return JSON.stringify(p ? { ...p, text: undefined, html: undefined, headers: undefined } : null);
}

/** Makes messages.parsed and drops what only it needed, before a result crosses to the main thread. */
export function slimForTransfer(r: MessageResult): void {
  r.parsedJson = storedParsed(r.parsed);
  if (r.parsed) {
    r.parsed.text = '';
    r.parsed.html = '';
    r.parsed.headers = [];
  }
  for (const c of r.children) slimForTransfer(c.result);
}

export type ParseReply = { id: number; ok: true; result: MessageResult | null; file?: FileRead } | { id: number; ok: false; error: string };

/** A view that owns its whole ArrayBuffer can be transferred; pooled Buffers must be copied first. */
export function ownBuffer(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return copy;
}

/** Every ArrayBuffer in a result, for postMessage's transfer list. */
export function transferable(r: MessageResult, out: ArrayBuffer[] = []): ArrayBuffer[] {
  const add = (u: Uint8Array | null) => {
    if (u && u.buffer instanceof ArrayBuffer && !out.includes(u.buffer)) out.push(u.buffer);
  };
  add(r.bytes);
  add(r.rendered);
  for (const b of r.blobs) add(b.bytes);
  for (const c of r.children) transferable(c.result, out);
  return out;
}
