/**
 * @module core/limits
 * Hostile-input limits, named and validated. Each names the attack it stops. Option parsing
 * rejects values that would switch a limit off (0, NaN, negative, non-integer).
 *
 * Three families live here, so every hostile-input limit of trove has one home and one name:
 * the ingest limits (`Limits`, per run, overridable on the command line), the attachment text
 * extraction limits (`EXTRACTION_LIMITS`, validated and applied by src/extract/limits.ts), and
 * the query complexity limits (`QUERY_LIMITS`, checked by src/search/parse.ts). Each hit is
 * reported, never a crash: a skip item or anomaly with the locator for ingest and extraction, a
 * QueryError (code `usage`, with the column) for a query. See docs/threat-model.md.
 */
import { TroveError } from './errors.ts';

export interface Limits {
  /** Container nesting (zip in tar in zip…). Stops recursion bombs ("42.zip" style). */
  maxDepth: number;
  /** Expanded / compressed bytes for one archive member or stream. Stops zip bombs. */
  maxRatio: number;
  /** Ratio checks start only past this many expanded bytes (tiny files compress well). */
  ratioGraceBytes: number;
  /** Expanded bytes for one container, all members together. Stops flat zip bombs. */
  maxExpandedBytes: number;
  /** Members in one container. Stops entry-count bombs that exhaust the accounting. */
  maxMembers: number;
  /** One message's raw bytes. Larger ones are skipped with a locator, never truncated silently. */
  maxMessageBytes: number;
  /** One header line (folded lines together). 2 MB header lines are an attack, not mail. */
  maxHeaderLineBytes: number;
  /** All header bytes of one message or part. */
  maxHeaderBytes: number;
  /** MIME multipart nesting. Stops stack exhaustion (MimeKit's stack-overflow.txt). */
  maxMimeDepth: number;
  /** MIME parts in one message. Stops part-count blow-ups. */
  maxMimeParts: number;
  /** message/rfc822 nesting inside one message (mail attached to mail attached to mail…). */
  maxEmbeddedDepth: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxDepth: 32,
  maxRatio: 200,
  ratioGraceBytes: 8 * 1024 * 1024,
  maxExpandedBytes: 64 * 1024 * 1024 * 1024,
  maxMembers: 5_000_000,
  maxMessageBytes: 256 * 1024 * 1024,
  maxHeaderLineBytes: 1024 * 1024,
  maxHeaderBytes: 4 * 1024 * 1024,
  maxMimeDepth: 64,
  maxMimeParts: 10_000,
  maxEmbeddedDepth: 16,
});

/** Validates user-supplied overrides: every limit must be a positive finite integer. */
export function resolveLimits(overrides: Partial<Record<keyof Limits, unknown>> = {}): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const [key, raw] of Object.entries(overrides)) {
    if (raw === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) throw new TroveError('usage', `unknown limit "${key}"`);
    const n = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
      throw new TroveError('usage', `limit ${key} must be a positive integer (got ${String(raw)}); a limit cannot be switched off`);
    }
    out[key as keyof Limits] = n;
  }
  return out;
}

/**
 * Attachment text extraction (src/extract), per attachment. A hit keeps the text read so far and
 * is recorded on the message as evidence `attachment-text-truncated` (or
 * `attachment-text-unreadable` when nothing could be read), naming the attachment.
 */
export const EXTRACTION_LIMITS = Object.freeze({
  /** Bytes of one attachment read for text. Larger binary files are not read; text is cut. */
  maxInputBytes: 32 * 1024 * 1024,
  /** Characters of text kept from one attachment: an index is not an archive. */
  maxOutputChars: 1_000_000,
  /** Wall-clock time for one attachment, ms. Stops small inputs that are slow to read (PDF, RTF). */
  timeBudgetMs: 2_000,
  /** PDF pages read. Stops page-count bombs. */
  maxPdfPages: 500,
  /** Members listed in one OOXML/ODF zip. Stops entry-count bombs. */
  maxZipMembers: 10_000,
  /** Expanded bytes of the zip members read for one file. Stops zip bombs inside documents. */
  maxXmlBytes: 64 * 1024 * 1024,
  /** RTF group / XML element nesting tracked. Bounds the state stack. */
  maxNesting: 10_000,
});

/**
 * Query complexity (the query language of CONTRACT.md, src/search/parse.ts). The parser is
 * recursive and every term becomes SQL: without bounds, `((((…` ten thousand deep overflows the
 * stack and ten thousand terms make a statement SQLite refuses or takes minutes on. A query over
 * a limit is refused with a QueryError (code `usage`) at the column where it went over.
 */
export const QUERY_LIMITS = Object.freeze({
  /** Characters in one query. */
  maxQueryChars: 4_096,
  /** Search terms (words, phrases, field:value) in one query. */
  maxQueryTerms: 128,
  /** Nesting of parentheses, field groups and NOT / "-" in one query. */
  maxQueryDepth: 32,
});
