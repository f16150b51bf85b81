/**
 * @module ingest/types
 * The shapes every reader shares. Readers never touch the store: they yield entries (for
 * containers of files) or found messages (for mailbox formats) and problems, each with a
 * locator, and the walker (src/ingest/walker.ts) decides what to do with them.
 *
 * Locators: `!` separates container levels (`dump.zip!alice/Inbox/12.eml`); inside a
 * mailbox the part after `!` names the message (`list.mbox!#12` = 12th message, 1-based;
 * `archive.pst!Inbox/Sent Items/#123`).
 */
import type { Readable } from 'node:stream';
import type { SkipCode, ItemErrorCode } from '../core/errors.ts';
import type { Limits } from '../core/limits.ts';

/** One member of an archive (zip, tar, 7z, rar) or the single member of a gz/bz2 stream. */
export interface ArchiveEntry {
  /** Path inside the container, '/'-separated, as decoded for display. */
  name: string;
  /** Set when the raw name was not valid in its declared encoding and was decoded lossily. */
  nameLossy?: boolean;
  type: 'file' | 'directory' | 'symlink' | 'other';
  /** Uncompressed size when the container declares it (may lie: enforce limits while reading). */
  size: number | null;
  /** Compressed size when known, for ratio checks. */
  compressedSize: number | null;
  encrypted: boolean;
  /**
   * Opens the member's bytes. Call at most once, and consume the stream before asking the
   * iterator for the next entry (tar and other sequential formats require it). A member
   * that is not opened is skipped by the reader.
   */
  open(): Promise<Readable>;
}

/** A problem met inside a container, reported with the member's name. */
export interface EntryProblem {
  problem: true;
  /** Member name, or '' for the container as a whole (e.g. truncated central directory). */
  name: string;
  kind: 'skip' | 'error';
  code: SkipCode | ItemErrorCode;
  reason: string;
}

export type ArchiveItem = ArchiveEntry | EntryProblem;

export interface ReaderContext {
  limits: Limits;
  /** Folder inside the case where readers may spool temporary files. */
  tmpDir: string;
}

/** Reads an archive that is a file on disk (random-access formats: zip, 7z, rar). */
export type FileArchiveReader = (path: string, ctx: ReaderContext) => AsyncIterable<ArchiveItem>;

/** Reads an archive from a byte stream (sequential formats: tar, gz, bz2). */
export type StreamArchiveReader = (input: Readable, ctx: ReaderContext) => AsyncIterable<ArchiveItem>;

/** A message found inside a mailbox (mbox, pst, msg). */
export interface FoundMessage {
  problem?: false;
  /** Locator suffix inside the mailbox: `#12` for mbox, `Inbox/Sent Items/#123` for PST. */
  name: string;
  /** The message bytes: RFC 5322 as found (mbox: without the `From ` envelope line). */
  bytes: Buffer;
  /**
   * How the bytes relate to the original: `as-found` (byte-exact slice of the input),
   * `synthesized` (rebuilt from a structured store such as PST/MSG properties).
   */
  origin: 'as-found' | 'synthesized';
  /** Extra facts worth keeping about how the message was found (mbox envelope line, PST folder, …). */
  meta?: Record<string, string | number | boolean>;
}

/** An item of a mailbox that is not an email (PST/MSG calendar entry, contact, note…): counted, not parsed. */
export interface NonMailItem {
  problem?: false;
  nonMail: true;
  name: string;
  /** What it is, e.g. the Outlook message class `IPM.Appointment`. */
  what: string;
}

export type MailboxItem = FoundMessage | NonMailItem | EntryProblem;
