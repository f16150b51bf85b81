/**
 * @module ingest/archive/problems
 * Building EntryProblem items and turning library errors into stable codes.
 */
import type { ItemErrorCode, SkipCode } from '../../core/errors.ts';
import type { EntryProblem } from '../types.ts';
import { describe } from '../../core/errors.ts';

export function skip(name: string, code: SkipCode, reason: string): EntryProblem {
  return { problem: true, name, kind: 'skip', code, reason };
}

export function failure(name: string, code: ItemErrorCode, reason: string): EntryProblem {
  return { problem: true, name, kind: 'error', code, reason };
}

/** Node fs errors carry a string `code` such as ENOENT; those are I/O errors, not bad archives. */
export function isIoError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !code.startsWith('ERR_');
}

/**
 * Library messages that mean "the data stops early". Matching text is unavoidable here: the
 * libraries (yauzl, zlib, tar-stream) expose no codes for it. Everything else is 'corrupt'.
 */
const TRUNCATED = /unexpected (end|eof)|file data overflows|truncated|premature|ended prematurely|end of (data|file)/i;

export function classify(e: unknown): ItemErrorCode {
  if (isIoError(e)) return 'io-error';
  return TRUNCATED.test(describe(e)) ? 'archive-truncated' : 'archive-corrupt';
}
