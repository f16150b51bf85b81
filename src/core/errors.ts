/**
 * @module core/errors
 * One error type with a closed set of stable, kebab-case codes. Codes reach the CLI
 * (`status`, exit codes) and the API unchanged; never branch on message text.
 */

/** Problems with one input item: recorded as a row with a locator, the run goes on. */
export type ItemErrorCode =
  | 'io-error'              // the file could not be read (permissions, vanished)
  | 'archive-corrupt'       // a container's structure could not be read
  | 'archive-truncated'     // a container ends before its structure says it should
  | 'mbox-corrupt'
  | 'pst-corrupt'
  | 'msg-corrupt'
  | 'message-parse-error'   // stored with raw bytes, parse failed
  | 'worker-crashed';

/** Items deliberately not processed, by policy or limit. Also rows with a locator. */
export type SkipCode =
  | 'encrypted-member'
  | 'unsafe-path'           // zip-slip, absolute path
  | 'symlink'
  | 'special-file'          // device, fifo, hard link in an archive
  | 'too-deep'              // container nesting beyond limits.maxDepth
  | 'bomb-ratio'            // expansion ratio beyond limits.maxRatio
  | 'bomb-size'             // expanded bytes beyond limits.maxExpandedBytes
  | 'too-many-members'
  | 'message-too-large'
  | 'empty-file'
  | 'unsupported-container';

/** Errors that stop a command: mapped to exit 1 (user) or 2 (internal). */
export type CommandErrorCode =
  | 'usage'
  | 'case-not-found'
  | 'not-found'
  | 'input-not-found'
  /** The case database is damaged (store/unsynced.ts): delete it and ingest again. */
  | 'case-damaged'
  | 'internal';

export type ErrorCode = ItemErrorCode | SkipCode | CommandErrorCode;

const USER_CODES: ReadonlySet<string> = new Set<CommandErrorCode>(['usage', 'case-not-found', 'not-found', 'input-not-found', 'case-damaged']);

export class TroveError extends Error {
  readonly code: ErrorCode;
  readonly locator: string | undefined;

  constructor(code: ErrorCode, message: string, options: { locator?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TroveError';
    this.code = code;
    this.locator = options.locator;
  }

  /** Exit status for the CLI: 1 for a user error, 2 for anything internal. */
  get exitCode(): 1 | 2 {
    return USER_CODES.has(this.code) ? 1 : 2;
  }
}

export function isTroveError(e: unknown): e is TroveError {
  return e instanceof TroveError;
}

/** A readable one-line reason for any thrown value. */
export function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
