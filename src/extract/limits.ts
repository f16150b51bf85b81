/**
 * @module extract/limits
 * Named, validated limits for attachment text extraction. Each names the attack (or the
 * accident) it stops. Like core/limits, a value that would switch a limit off (0, NaN,
 * negative, non-integer) is rejected: a limit cannot be disabled, only raised.
 */
import { TroveError } from '../core/errors.ts';
import { EXTRACTION_LIMITS } from '../core/limits.ts';

export interface ExtractLimits {
  /** Input bytes of one attachment. Larger binary files are not read (error); text is cut (truncated). */
  maxInputBytes: number;
  /** Characters of extracted text. Past it the text stops (truncated): an index is not an archive. */
  maxOutputChars: number;
  /** PDF pages read. Stops page-count bombs (a 100,000-page PDF of empty pages). */
  maxPdfPages: number;
  /** Members listed in one zip (OOXML/ODF). Stops entry-count bombs. */
  maxZipMembers: number;
  /** Expanded bytes of all zip members read for one file, together. Stops zip bombs. */
  maxXmlBytes: number;
  /** Group/element nesting tracked in RTF. RTF keeps a state stack; this bounds its memory. */
  maxNesting: number;
  /** Wall-clock budget for one file, in milliseconds. Stops pathological inputs that are slow but small. */
  timeBudgetMs: number;
}

/** The defaults are named and documented in core/limits (EXTRACTION_LIMITS), with every other limit. */
export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = Object.freeze({ ...EXTRACTION_LIMITS });

/** Validates overrides: every limit must be a positive safe integer. Throws a usage error otherwise. */
export function resolveExtractLimits(overrides: Partial<Record<keyof ExtractLimits, unknown>> = {}): ExtractLimits {
  const out: ExtractLimits = { ...DEFAULT_EXTRACT_LIMITS };
  for (const [key, raw] of Object.entries(overrides)) {
    if (raw === undefined) continue;
    if (!(key in DEFAULT_EXTRACT_LIMITS)) throw new TroveError('usage', `unknown extraction limit "${key}"`);
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
      throw new TroveError('usage', `extraction limit ${key} must be a positive integer (got ${String(raw)}); a limit cannot be switched off`);
    }
    out[key as keyof ExtractLimits] = n;
  }
  return out;
}

/** Why extraction stopped early; carried out of deep loops as an exception and turned into a result. */
export class LimitHit extends Error {
  readonly fatal: boolean;
  constructor(message: string, fatal = false) {
    super(message);
    this.fatal = fatal;
  }
}

/**
 * Collects output text under the character cap and the time budget. `push` returns false once
 * either is reached; `check` throws LimitHit past the deadline so deep loops can bail out.
 */
export class Sink {
  private parts: string[] = [];
  private len = 0;
  truncated = false;
  note: string | null = null;
  /** The time budget (not a size limit) stopped extraction: the one limit whose hit depends on machine load. */
  timedOut = false;
  private readonly deadline: number;
  private ticks = 0;
  readonly limits: ExtractLimits;
  constructor(limits: ExtractLimits, started = Date.now()) {
    this.limits = limits;
    this.deadline = started + limits.timeBudgetMs;
  }
  get full(): boolean {
    return this.truncated;
  }
  get length(): number {
    return this.len;
  }
  stop(note: string): void {
    if (!this.truncated) {
      this.truncated = true;
      this.note = note;
    }
  }
  push(s: string): boolean {
    if (this.truncated) return false;
    if (!s) return true;
    const room = this.limits.maxOutputChars - this.len;
    if (s.length > room) {
      this.parts.push(s.slice(0, room));
      this.len += room;
      this.stop(`output limit of ${this.limits.maxOutputChars} characters reached`);
      return false;
    }
    this.parts.push(s);
    this.len += s.length;
    if ((++this.ticks & 1023) === 0) this.check();
    return true;
  }
  /** Throws LimitHit when the time budget is spent (cheap: call it in loops). */
  check(): void {
    if (Date.now() > this.deadline) {
      this.timeout();
      throw new LimitHit(this.note!);
    }
  }
  /** Stops on the time budget (also called by readers that time out asynchronously, pdf.js). */
  timeout(): void {
    this.stop(`time budget of ${this.limits.timeBudgetMs} ms spent`);
    this.timedOut = true;
  }
  timeLeft(): number {
    return this.deadline - Date.now();
  }
  /** The text, with runs of blank lines and trailing spaces tidied. */
  text(): string {
    return this.parts
      .join('')
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }
}
