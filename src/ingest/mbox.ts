/**
 * @module ingest/mbox
 * Streaming splitter for every mbox flavour found in dumps: mboxo / mboxrd (`>From ` escaping),
 * mboxcl / mboxcl2 (Content-Length framing), Netscape `From - ` lines, Google Takeout numeric ids,
 * bare `From ` lines, LF or CRLF, with or without a UTF-8 BOM.
 *
 * Memory: one work buffer holding the message being split plus a few KB of look-ahead, so it
 * is bounded by the largest message kept (≤ limits.maxMessageBytes; the buffer grows by powers
 * of two, so up to ~2x that, plus PUSH_SLICE_BYTES and the copy handed out), never by the file.
 * Scanning uses Buffer.indexOf("\nFrom "); JS only looks at candidate lines and header lines.
 *
 * Byte semantics of `FoundMessage.bytes` (the exact slice of the input, never rewritten):
 *  - starts right after the envelope line's LF (the `From ` line and its CRLF/LF are not included);
 *  - ends where the next separator line starts, minus exactly one empty line ("\n", or "\r\n")
 *    directly before it when there is one (the blank line mbox writers add between messages);
 *    at EOF, one trailing empty line is dropped the same way;
 *  - with Content-Length framing the same rule holds: Content-Length only decides WHICH `From `
 *    line ends the message (or that EOF does), so writers that leave the last body line's LF
 *    out of the count (Netscape, in content-length.mbox.txt) or count the blank line agree;
 *  - `>From ` / `>>From ` lines stay escaped; `meta.escapedFromLines` counts them.
 * This equals Python's `mailbox.mbox(...).get_bytes(key)` on Linux (linesep "\n") for LF files
 * (checked message by message in mbox.test.ts). It differs where Python is wrong or lax:
 *  - CRLF files: Python only recognises "\n" as an empty line, so it keeps the "\r\n" separator
 *    line inside the previous message; we drop it (the same rule as for LF).
 *  - Python splits at every line starting `From ` (even `From Russia with love` in a body) and
 *    does not see an envelope behind a BOM (it silently drops everything before the first
 *    `From `); see SEPARATOR RULE below and the leading-content policy.
 *  - `msg.as_bytes()` re-serialises the parsed message (header refolding, `From ` mangling) and
 *    is not a byte-exact reference; get_bytes is.
 *
 * SEPARATOR RULE. A line starting `From ` ends the current message when:
 *  - it is the first line of the stream (after an optional BOM): always, whatever follows
 *    `From ` (as every mbox reader does; the caller sniffed the file as mbox);
 *  - otherwise it must be shaped like an envelope: `From ` + sender + a date (month or weekday
 *    name, hh:mm and a 4-digit year somewhere after the sender) — "dated" — or `From ` + an
 *    address-like sender only (`-`, contains `@`, all digits, MAILER-DAEMON) or nothing at
 *    all — "undated";
 *  - a dated envelope directly after an empty line is accepted as is (the classic rule);
 *  - an undated envelope, or any envelope NOT after an empty line, is accepted only if the next
 *    line is a header field (`Name:`). Writers such as MimeKit's simple.mbox.txt omit the blank
 *    line, and undated `From -` / `From 184434…@xxx` lines carry too little to trust alone.
 *  Why: unescaped body lines (`From Russia with love` in unmunged.mbox.txt, after a blank line,
 *  once followed by `Year: 1963`) are prose, not `From <sender> <date>` and not `From <address>`.
 *  Residual risk, accepted: a body line such as `From x@y` + a `Name: value` line, or a pasted
 *  envelope with a full asctime date after a blank line, still splits.
 *
 * CONTENT-LENGTH. If the header block (walked line by line; it ends at the first empty line and
 * is abandoned at the first line that is neither a field nor a continuation) has one
 * Content-Length, and body-start + Content-Length is EOF (optionally after one newline) or the
 * start of an accepted separator (optionally after one newline), that separator (or EOF) ends
 * the message and `From ` lines inside the counted body do not split it (meta.framing =
 * 'content-length'). The separator at that point must pass the separator rule too, so a value
 * that happens to land on a prose `From ` line is not trusted. A lying value past EOF makes the
 * splitter hold up to min(value, maxMessageBytes) bytes before it falls back.
 * Otherwise (no header, lying value, value past maxMessageBytes) the separator rule applies.
 *
 * LEADING CONTENT (bytes before the first `From ` line): blank lines only → ignored silently;
 * a first line that is a header field → yielded as message #1 without an envelope
 * (meta.noEnvelope = true: an .eml glued in front of an mbox, or an envelope lost to truncation);
 * anything else → one EntryProblem error `mbox-corrupt` (name '') with the byte range. A stream
 * with no `From ` line at all is handled the same way (all of it is leading content).
 *
 * LIMITS. A message whose bytes exceed limits.maxMessageBytes becomes an EntryProblem
 * (kind 'skip', code 'message-too-large', name '#N', reason with its exact size and envelope
 * offset). It still takes its number, so later locators stay positional. Once the limit is
 * passed its bytes are dropped as they arrive (only a few bytes of tail are kept to judge the
 * next separator); the end is found by the separator rule alone, Content-Length is not trusted
 * for it (a lying huge value would otherwise swallow the rest of the file). The header walk for
 * Content-Length stops at maxHeaderBytes, or at a line over maxHeaderLineBytes (then: separators).
 *
 * meta of a FoundMessage: envelope (latin1, no line end), offset (of the envelope line in the
 * stream, BOM counted), escapedFromLines, framing ('separator' | 'content-length'); leading
 * content kept as a message has noEnvelope: true and offset = its first byte instead.
 *
 * An empty stream (or a BOM alone) yields nothing: an empty mailbox holds no messages.
 */
import type { Readable } from 'node:stream';
import type { Limits } from '../core/limits.ts';
import type { EntryProblem, FoundMessage, MailboxItem, ReaderContext } from './types.ts';

/** An envelope line is `From ` + an address + a date: longer lines are body text, not separators. */
export const MAX_ENVELOPE_LINE_BYTES = 4096;
/** How much of the line after a candidate envelope is read to decide if it is a header field. */
export const HEADER_PROBE_BYTES = 256;
/** Chunks are fed to the splitter in slices of at most this size, so one huge chunk cannot grow
 *  the work buffer past a message limit before the limit is checked. */
export const PUSH_SLICE_BYTES = 1024 * 1024;
/** Starting size of the work buffer (4 fs-stream chunks; grows for big messages). */
const INITIAL_BUFFER_BYTES = 256 * 1024;
/** After a big message, a work buffer above this size is reallocated down to fit what is live. */
const SHRINK_ABOVE_BYTES = 8 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const FROM_ = Buffer.from('From ', 'latin1');
const NL_FROM_ = Buffer.from('\nFrom ', 'latin1');
const ESCAPED_FROM = Buffer.from('>From ', 'latin1');

/** judge() results besides an accepted separator's line end (≥ 0). */
const REJECT = -1;
const NEED = -2;

const HEADER_FIELD_RE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
const TIME_RE = /\b\d{1,2}:\d\d(?::\d\d)?\b/;
const YEAR_RE = /\b\d{4}\b/;
const DATE_NAME_RE = /\b(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i;
const UNDATED_SENDER_RE = /^(?:-|\S*@\S*|\d+|mailer-daemon)$/i;

type Shape = 'dated' | 'undated' | 'none';

/** Classifies the text of a `From ` line (without its line end). */
export function envelopeShape(line: string): Shape {
  const m = /^From\s*(\S*)\s*(.*)$/s.exec(line);
  if (!m) return 'none';
  const sender = m[1];
  const rest = m[2].trim();
  if (sender === '') return 'undated';
  if (rest === '') return UNDATED_SENDER_RE.test(sender) ? 'undated' : 'none';
  return TIME_RE.test(rest) && YEAR_RE.test(rest) && DATE_NAME_RE.test(rest) ? 'dated' : 'none';
}

/**
 * Sniffs the first bytes of a file: optional BOM, a `From ` line, then a header field line.
 * False when the head is too short to show the second line.
 */
export function looksLikeMbox(head: Buffer): boolean {
  const start = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  if (head.length < start + 5 || !head.subarray(start, start + 5).equals(FROM_)) return false;
  const eol = head.indexOf(LF, start);
  if (eol < 0 || eol - start > MAX_ENVELOPE_LINE_BYTES) return false;
  const next = eol + 1;
  const probeEnd = Math.min(head.length, next + HEADER_PROBE_BYTES);
  const nl = head.subarray(next, probeEnd).indexOf(LF);
  return HEADER_FIELD_RE.test(head.toString('latin1', next, nl < 0 ? probeEnd : next + nl));
}

/** Counts lines starting `>From `, `>>From `, … (mboxo/mboxrd escapes), left escaped. */
export function countEscapedFromLines(bytes: Buffer): number {
  let n = 0;
  let i = bytes.indexOf(ESCAPED_FROM);
  while (i >= 0) {
    let j = i;
    while (j > 0 && bytes[j - 1] === 0x3e) j--;
    if (j === 0 || bytes[j - 1] === LF) n++;
    i = bytes.indexOf(ESCAPED_FROM, i + ESCAPED_FROM.length);
  }
  return n;
}

interface Current {
  /** Absolute offset of the envelope line, -1 for content before the first `From ` line. */
  envStart: number;
  envLine: string;
  /** Absolute offset of the first message byte (after the envelope line). */
  cStart: number;
  phase: 'headers' | 'content-length' | 'scan' | 'skip';
  /** Header walk: start of the next line to look at, and how far an LF was already searched. */
  hdrPos: number;
  hdrSearched: number;
  bodyStart: number;
  contentLength: number | null;
  contentLengthConflict: boolean;
  /** Separator scan: where the next search for "\nFrom " starts (every earlier LF was judged). */
  scanPos: number;
  /** Leading content only: decided before its bytes may be dropped. */
  leadKind: 'blank' | 'message' | 'garbage' | null;
}

/**
 * The push-driven splitter behind readMbox, usable on its own (e.g. an mbox inside another
 * stream): push() bytes, drain() items, finish() at end of input, drain() again.
 */
export class MboxSplitter {
  private readonly limits: Limits;
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  /** buf.subarray(0, len): searches must not see stale bytes past len. */
  private view: Buffer = this.buf.subarray(0, 0);
  /** Absolute stream offset of buf[0]. */
  private base = 0;
  private len = 0;
  private eof = false;
  private started = false;
  private done = false;
  /** First byte after the BOM. */
  private dataStart = 0;
  /** Messages numbered so far (skipped ones included, so locators stay positional). */
  private count = 0;
  private cur: Current | null = null;
  /** Where the separator that ended the current message starts (-1: EOF), and its line end. */
  private pendingSep = -1;
  private pendingEol = -1;

  constructor(limits: Limits) {
    this.limits = limits;
  }

  /** Absolute offset one past the last buffered byte. */
  private get end(): number {
    return this.base + this.len;
  }

  push(chunk: Buffer): void {
    if (this.eof) throw new Error('MboxSplitter: push after finish');
    if (chunk.length === 0) return;
    if (this.len + chunk.length > this.buf.length) this.compact(chunk.length);
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
    this.view = this.buf.subarray(0, this.len);
  }

  finish(): void {
    this.eof = true;
  }

  /** Lowest absolute offset still needed. */
  private keepFrom(): number {
    const m = this.cur;
    if (!m) return this.done ? this.end : this.base;
    if (m.phase === 'skip') return Math.max(this.base, Math.min(this.end, m.scanPos - 4));
    return m.envStart >= 0 ? m.envStart : m.cStart;
  }

  /** Drops bytes no longer needed; grows (or shrinks) the buffer to fit `extra` more. */
  private compact(extra: number): void {
    const keep = this.keepFrom();
    const drop = keep - this.base;
    const live = this.len - drop;
    const need = live + extra;
    if (need > this.buf.length || (this.buf.length > SHRINK_ABOVE_BYTES && need * 4 < this.buf.length)) {
      let cap = INITIAL_BUFFER_BYTES;
      while (cap < need) cap *= 2;
      const nb = Buffer.allocUnsafe(cap);
      this.buf.copy(nb, 0, drop, this.len);
      this.buf = nb;
    } else if (drop > 0) {
      this.buf.copyWithin(0, drop, this.len);
    }
    this.base = keep;
    this.len = live;
    this.view = this.buf.subarray(0, this.len);
  }

  private byteAt(abs: number): number {
    if (abs < this.dataStart) return LF; // the stream start counts as a line start
    return this.buf[abs - this.base];
  }

  private isLineStart(abs: number): boolean {
    return abs <= this.dataStart || this.byteAt(abs - 1) === LF;
  }

  /** Length of the empty line directly before line start `ls` (0, 1 for "\n", 2 for "\r\n"). */
  private blankBefore(ls: number): number {
    if (ls <= this.dataStart || this.byteAt(ls - 1) !== LF) return 0;
    if (this.isLineStart(ls - 1)) return 1;
    if (ls - 2 >= this.dataStart && this.byteAt(ls - 2) === CR && this.isLineStart(ls - 2)) return 2;
    return 0;
  }

  /**
   * Decides whether the `From ` line starting at `ls` is a separator (see the module comment).
   * Returns the absolute offset of its LF (or EOF), REJECT, or NEED (more bytes required).
   */
  private judge(ls: number, fileStart: boolean): number {
    const lim = Math.min(this.end, ls + MAX_ENVELOPE_LINE_BYTES);
    const rel = this.view.subarray(ls - this.base, lim - this.base).indexOf(LF);
    let eol: number;
    if (rel >= 0) eol = ls + rel;
    else if (lim - ls >= MAX_ENVELOPE_LINE_BYTES) return REJECT;
    else if (!this.eof) return NEED;
    else eol = this.end;
    if (fileStart) return eol;
    const shape = envelopeShape(this.lineText(ls, eol));
    if (shape === 'none') return REJECT;
    if (shape === 'dated' && this.blankBefore(ls) > 0) return eol;
    // The line after must be a header field.
    if (eol >= this.end) return this.eof ? REJECT : NEED;
    const next = eol + 1;
    const probeEnd = Math.min(this.end, next + HEADER_PROBE_BYTES);
    const nl = this.view.subarray(next - this.base, probeEnd - this.base).indexOf(LF);
    if (nl < 0 && probeEnd - next < HEADER_PROBE_BYTES && !this.eof) return NEED;
    const probe = this.buf.toString('latin1', next - this.base, (nl < 0 ? probeEnd : next + nl) - this.base);
    return HEADER_FIELD_RE.test(probe) ? eol : REJECT;
  }

  /** Text of the line [ls, eol) without a trailing CR, latin1-decoded (bytes map 1:1). */
  private lineText(ls: number, eol: number): string {
    let e = eol;
    if (e > ls && this.byteAt(e - 1) === CR) e--;
    return this.buf.toString('latin1', ls - this.base, e - this.base);
  }

  private startMessage(envStart: number, eol: number): void {
    const cStart = Math.min(eol + 1, this.end);
    this.cur = {
      envStart,
      envLine: this.lineText(envStart, eol),
      cStart,
      phase: 'headers',
      hdrPos: cStart,
      hdrSearched: cStart,
      bodyStart: -1,
      contentLength: null,
      contentLengthConflict: false,
      scanPos: cStart - 1, // the envelope's LF: a `From ` line right after it is a candidate
      leadKind: null,
    };
  }

  /** Decides where the stream's data starts and what the first line is. False: need bytes. */
  private init(): boolean {
    if (this.len < 3 && !this.eof) return false;
    const b = this.buf;
    this.dataStart = this.len >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
    if (this.len < this.dataStart + 5 && !this.eof) return false;
    this.started = true;
    if (this.end <= this.dataStart) {
      this.done = true;
      return true;
    }
    if (this.view.subarray(this.dataStart, this.dataStart + 5).equals(FROM_)) {
      const v = this.judge(this.dataStart, true);
      if (v === NEED) {
        this.started = false;
        return false;
      }
      if (v !== REJECT) {
        this.startMessage(this.dataStart, v);
        return true;
      }
    }
    this.cur = {
      envStart: -1,
      envLine: '',
      cStart: this.dataStart,
      phase: 'scan',
      hdrPos: 0,
      hdrSearched: 0,
      bodyStart: -1,
      contentLength: null,
      contentLengthConflict: false,
      scanPos: this.dataStart,
      leadKind: null,
    };
    return true;
  }

  /** Yields every item that the buffered bytes decide; call after each push() and after finish(). */
  *drain(): Generator<MailboxItem> {
    for (;;) {
      if (this.done) return;
      if (!this.started) {
        if (!this.init()) return;
        continue;
      }
      const m = this.cur as Current;
      if (m.phase === 'headers') {
        if (!this.walkHeaders(m)) return;
        continue;
      }
      if (m.phase === 'content-length') {
        const r = this.checkContentLength(m);
        if (r === NEED) return;
        if (r === REJECT) {
          m.phase = 'scan';
          continue;
        }
        const item = this.finishMessage(m, r, this.pendingSep, this.pendingEol, true);
        if (item) yield item;
        continue;
      }
      const r = this.scan(m);
      if (r === NEED) return;
      const item = this.finishMessage(m, r, this.pendingSep, this.pendingEol, false);
      if (item) yield item;
    }
  }

  /**
   * Walks the header block looking for Content-Length. Returns false if it needs more bytes.
   * Leaves phase 'content-length' when one usable value was found, else 'scan'.
   */
  private walkHeaders(m: Current): boolean {
    const cap = m.cStart + Math.min(this.limits.maxHeaderBytes, this.limits.maxMessageBytes);
    let p = m.hdrPos;
    for (;;) {
      if (p >= cap) {
        m.phase = 'scan';
        return true;
      }
      const from = Math.max(p, m.hdrSearched);
      const rel = from < this.end ? this.view.indexOf(LF, from - this.base) : -1;
      if (rel < 0) {
        if (this.eof || this.end - p > this.limits.maxHeaderLineBytes) {
          m.phase = 'scan'; // headers never end, or a monster line: no Content-Length framing
          return true;
        }
        m.hdrPos = p;
        m.hdrSearched = this.end;
        return false;
      }
      const eol = this.base + rel;
      if (eol === p || (eol === p + 1 && this.byteAt(p) === CR)) {
        m.bodyStart = eol + 1;
        m.phase = m.contentLength !== null && !m.contentLengthConflict ? 'content-length' : 'scan';
        return true;
      }
      const c = this.byteAt(p);
      if (c !== SP && c !== TAB) {
        const nameEnd = this.fieldNameEnd(p, eol);
        if (nameEnd < 0) {
          m.phase = 'scan'; // not a header line: the block ended without a blank line
          return true;
        }
        if (nameEnd - p === 14 && this.buf.toString('latin1', p - this.base, nameEnd - this.base).toLowerCase() === 'content-length') {
          const colon = this.view.indexOf(COLON, nameEnd - this.base);
          const value = this.buf.toString('latin1', colon + 1, eol - this.base).trim();
          const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
          if (Number.isNaN(n) || (m.contentLength !== null && m.contentLength !== n)) m.contentLengthConflict = true;
          else m.contentLength = n;
        }
      } else if (p === m.cStart) {
        m.phase = 'scan'; // a continuation with nothing to continue
        return true;
      }
      p = eol + 1;
    }
  }

  /** End (exclusive) of a header field name starting at p, or -1 if [p, eol) is not a field. */
  private fieldNameEnd(p: number, eol: number): number {
    const lim = Math.min(eol, p + HEADER_PROBE_BYTES);
    const b = this.buf;
    let i = p - this.base;
    const e = lim - this.base;
    while (i < e) {
      const c = b[i];
      if (c === COLON || c === SP || c === TAB) break;
      if (c < 0x21 || c > 0x7e) return -1;
      i++;
    }
    const nameEnd = i + this.base;
    if (nameEnd === p) return -1;
    while (i < e && (b[i] === SP || b[i] === TAB)) i++;
    return i < e && b[i] === COLON ? nameEnd : -1;
  }

  /** Checks the Content-Length end. Returns the message end, REJECT (fall back) or NEED. */
  private checkContentLength(m: Current): number {
    const p = m.bodyStart + (m.contentLength as number);
    if (p - m.cStart > this.limits.maxMessageBytes) return REJECT;
    if (p > this.end) return this.eof ? REJECT : NEED;
    let q = p;
    if (q < this.end && this.byteAt(q) === LF) q++;
    else if (q < this.end && this.byteAt(q) === CR) {
      if (q + 1 >= this.end) return this.eof ? REJECT : NEED;
      if (this.byteAt(q + 1) !== LF) return REJECT;
      q += 2;
    }
    if (q >= this.end) {
      if (!this.eof) return NEED;
      this.pendingSep = -1;
      return this.endAtEof(m);
    }
    if (this.end - q < 5) return this.eof ? REJECT : NEED;
    if (!this.isLineStart(q) || !this.view.subarray(q - this.base, q - this.base + 5).equals(FROM_)) return REJECT;
    const v = this.judge(q, false);
    if (v < 0) return v;
    this.pendingSep = q;
    this.pendingEol = v;
    // Content-Length chose the separator; the end follows the same rule as any separator, so a
    // writer that did not count the last line's LF (Netscape) or counted the blank line agrees.
    return q - this.blankBefore(q);
  }

  /** Separator scan (also used while skipping). Returns the message end or NEED. */
  private scan(m: Current): number {
    let pos = m.scanPos;
    for (;;) {
      const rel = pos < this.end ? this.view.indexOf(NL_FROM_, Math.max(0, pos - this.base)) : -1;
      if (rel < 0) {
        if (this.eof) {
          this.pendingSep = -1;
          return this.endAtEof(m);
        }
        m.scanPos = Math.max(pos, this.end - (NL_FROM_.length - 1));
        this.checkTooLarge(m);
        return NEED;
      }
      const ls = this.base + rel + 1;
      const v = this.judge(ls, false);
      if (v === NEED) {
        m.scanPos = ls - 1;
        this.checkTooLarge(m);
        return NEED;
      }
      if (v === REJECT) {
        pos = ls;
        continue;
      }
      this.pendingSep = ls;
      this.pendingEol = v;
      return ls - this.blankBefore(ls);
    }
  }

  /** End of the last message: EOF minus one trailing empty line. */
  private endAtEof(m: Current): number {
    const e = this.end;
    if (e > m.cStart && this.byteAt(e - 1) === LF) {
      if (e - 1 === m.cStart || this.byteAt(e - 2) === LF) return e - 1;
      if (e - 2 >= m.cStart && this.byteAt(e - 2) === CR && (e - 2 === m.cStart || this.byteAt(e - 3) === LF)) return e - 2;
    }
    return e;
  }

  /**
   * Every LF before scanPos was judged, so any later separator gives an end ≥ scanPos - 1.
   * Past the limit, switch to skipping: the bytes of this message are no longer kept.
   */
  private checkTooLarge(m: Current): void {
    if (m.phase === 'skip' || m.scanPos - 1 - m.cStart <= this.limits.maxMessageBytes) return;
    if (m.envStart < 0) {
      // Leading content: classify it before its bytes go. Until its first line can be judged
      // keep buffering (at most HEADER_PROBE_BYTES more).
      const kind = this.leadKind(m, this.end, false);
      if (kind === null) return;
      m.leadKind = kind;
    }
    m.phase = 'skip';
  }

  /**
   * What leading content [cStart, end) is. `complete`: end is its real end; otherwise only a
   * prefix is buffered, null means "cannot tell yet", and an all-blank prefix counts as garbage
   * (more than a limit's worth of blank lines is not a harmless gap).
   */
  private leadKind(m: Current, end: number, complete: boolean): 'blank' | 'message' | 'garbage' | null {
    const probeLimit = Math.min(end, m.cStart + HEADER_PROBE_BYTES);
    const nl = this.view.subarray(m.cStart - this.base, probeLimit - this.base).indexOf(LF);
    if (nl < 0 && !complete && !this.eof && probeLimit - m.cStart < HEADER_PROBE_BYTES) return null;
    let i = m.cStart;
    while (i < end && (this.byteAt(i) === LF || this.byteAt(i) === CR)) i++;
    // all blank: harmless only when complete and within the message limit (the same answer
    // whether the stream came in one chunk or many; checkTooLarge judges a prefix the same way)
    if (i === end) return complete && end - m.cStart <= this.limits.maxMessageBytes ? 'blank' : 'garbage';
    const probeEnd = nl < 0 ? probeLimit : m.cStart + nl;
    return HEADER_FIELD_RE.test(this.buf.toString('latin1', m.cStart - this.base, probeEnd - this.base)) ? 'message' : 'garbage';
  }

  /** Builds the item for [cStart, end) and moves on to the separator (or to the end). */
  private finishMessage(m: Current, end: number, sep: number, sepEol: number, byLength: boolean): MailboxItem | null {
    const size = end - m.cStart;
    let item: MailboxItem | null;
    if (m.envStart < 0) {
      const kind = m.leadKind ?? this.leadKind(m, end, true);
      const stop = sep >= 0 ? sep : this.end;
      if (kind === 'blank') item = null;
      else if (kind === 'garbage') {
        item = problem('', 'error', 'mbox-corrupt',
          `bytes ${m.cStart}..${stop} before the first "From " line are not a message (${stop - m.cStart} bytes skipped)`);
      } else item = this.message(m, end, size, byLength);
    } else item = this.message(m, end, size, byLength);

    if (sep < 0) {
      this.done = true;
      this.cur = null;
    } else {
      this.startMessage(sep, sepEol);
      // Give back the memory of a big message; compact(0) reallocates only in this case.
      if (this.buf.length > SHRINK_ABOVE_BYTES && (this.end - this.keepFrom()) * 4 < this.buf.length) this.compact(0);
    }
    return item;
  }

  private message(m: Current, end: number, size: number, byLength: boolean): MailboxItem {
    const name = `#${++this.count}`;
    const where = m.envStart >= 0 ? m.envStart : m.cStart;
    if (m.phase === 'skip' || size > this.limits.maxMessageBytes) {
      return problem(name, 'skip', 'message-too-large',
        `message of ${size} bytes at offset ${where} is over maxMessageBytes (${this.limits.maxMessageBytes})`);
    }
    const bytes = Buffer.from(this.view.subarray(m.cStart - this.base, end - this.base));
    const meta: Record<string, string | number | boolean> =
      m.envStart >= 0 ? { envelope: m.envLine, offset: m.envStart } : { noEnvelope: true, offset: m.cStart };
    meta.escapedFromLines = countEscapedFromLines(bytes);
    meta.framing = byLength ? 'content-length' : 'separator';
    const found: FoundMessage = { name, bytes, origin: 'as-found', meta };
    return found;
  }
}

function problem(name: string, kind: EntryProblem['kind'], code: EntryProblem['code'], reason: string): EntryProblem {
  return { problem: true, name, kind, code, reason };
}

/** Splits an mbox stream into messages; see the module comment for the exact rules. */
export async function* readMbox(input: Readable, ctx: ReaderContext): AsyncIterable<MailboxItem> {
  const splitter = new MboxSplitter(ctx.limits);
  for await (const chunk of input as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('readMbox needs a byte stream (no setEncoding)');
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let off = 0; off < b.length; off += PUSH_SLICE_BYTES) {
      splitter.push(b.subarray(off, off + PUSH_SLICE_BYTES));
      yield* splitter.drain();
    }
  }
  splitter.finish();
  yield* splitter.drain();
}
