/**
 * @module core/limits
 * Hostile-input limits, named and validated. Each names the attack it stops. Option parsing
 * rejects values that would switch a limit off (0, NaN, negative, non-integer).
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
