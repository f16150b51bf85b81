/**
 * @module ingest/archive/zip
 * Zip reader (yauzl): enumerates the central directory lazily, one entry at a time.
 *
 * How problems surface:
 *  - while enumerating (unreadable central directory, bad entry header, too many members,
 *    an encrypted member): an EntryProblem item; structural errors end the iteration;
 *  - after an entry was yielded: through that entry — `open()` rejects with a TroveError
 *    (bad local header → 'archive-corrupt', data past end of file → 'archive-truncated'),
 *    or the returned stream errors with a TroveError ('archive-corrupt' for bad deflate data,
 *    size or CRC-32 mismatch; 'archive-truncated'; 'bomb-ratio' / 'bomb-size' from the guard).
 * Names are reported exactly as stored (decoded), including `../x` and `/abs`: the walker
 * decides policy and never writes members to disk by their name.
 */
import { open as openFile } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { describe, TroveError } from '../../core/errors.ts';
import type { ArchiveEntry, ArchiveItem, FileArchiveReader, ReaderContext } from '../types.ts';
import { createMemberCheck } from './crc-check.ts';
import { createGuardStream } from './guard.ts';
import { classify, failure, skip } from './problems.ts';
import { chainStreams } from './stream-chain.ts';
import { decodeZipName } from './zip-names.ts';
import { withOpenFile } from '../stream-util.ts';

const ENCRYPTED_FLAG = 0x1;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const DOS_DIRECTORY = 0x10;
const HOST_UNIX = 3;
/** Methods yauzl (zlib) can decode: stored and deflate. */
const SUPPORTED_METHODS: ReadonlyMap<number, string> = new Map([[0, 'stored'], [8, 'deflate']]);
const METHOD_NAMES: ReadonlyMap<number, string> = new Map([
  [9, 'deflate64'], [12, 'bzip2'], [14, 'lzma'], [93, 'zstd'], [95, 'xz'], [98, 'ppmd'], [99, 'aes'],
]);

export const readZip: FileArchiveReader = async function* readZip(path: string, ctx: ReaderContext): AsyncGenerator<ArchiveItem> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (e) {
    yield failure('', await classifyOpenError(path, e), `cannot read the zip's central directory: ${describe(e)}`);
    return;
  }
  const events = new EntryEvents(zip);
  // Bytes expanded from all members together, for limits.maxExpandedBytes.
  let expandedTotal = 0;
  let members = 0;
  try {
    for (;;) {
      zip.readEntry();
      const ev = await events.next();
      if (ev.kind === 'end') {
        const hidden = await moreCentralRecords(path, zip);
        if (hidden) yield failure('', 'archive-corrupt', hidden);
        return;
      }
      if (ev.kind === 'error') {
        yield failure('', classify(ev.error), `zip central directory: ${describe(ev.error)}`);
        return;
      }
      const e = ev.entry;
      if (++members > ctx.limits.maxMembers) {
        yield skip('', 'too-many-members', `more than ${ctx.limits.maxMembers} members; the rest of the zip is not read`);
        return;
      }
      const { name, lossy } = decodeZipName(e.fileNameRaw, e.generalPurposeBitFlag, e.extraFields);
      if (e.generalPurposeBitFlag & ENCRYPTED_FLAG) {
        yield skip(name, 'encrypted-member', 'member is encrypted; no password is tried');
        continue;
      }
      const type = entryType(e, name);
      if (type === 'file' && !SUPPORTED_METHODS.has(e.compressionMethod)) {
        const m = METHOD_NAMES.get(e.compressionMethod) ?? `method ${e.compressionMethod}`;
        yield skip(name, 'unsupported-container', `compression ${m} is not supported for zip members`);
        continue;
      }
      const entry: ArchiveEntry = {
        name,
        type,
        size: e.uncompressedSize,
        compressedSize: e.compressedSize,
        encrypted: false,
        open: () => openMember(zip, e, name, ctx, {
          remaining: () => ctx.limits.maxExpandedBytes - expandedTotal,
          add: (n) => { expandedTotal += n; },
        }),
      };
      if (lossy) entry.nameLossy = true;
      yield entry;
    }
  } finally {
    events.detach();
    // With autoClose off the fd stays open until close(); member streams still reading keep
    // their own reference, so closing here never cuts a consumer short.
    zip.close();
  }
};

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;

/**
 * After the last entry the end record declares, the central directory must end where the end
 * record (or the zip64 end record) begins. If it does not, the end record's member count or
 * directory offset was changed — by damage, or to hide members from readers that trust it:
 * yauzl stops at the count, so the zip would read as smaller (even empty) without a word.
 * Found by fuzzing: a count lowered to 0, and a count lowered with the offset moved.
 */
async function moreCentralRecords(path: string, zip: yauzl.ZipFile): Promise<string | null> {
  const cursor = (zip as unknown as { readEntryCursor?: number }).readEntryCursor;
  if (typeof cursor !== 'number') return null;
  return withOpenFile(path, async (fh) => {
    const size = (await fh.stat()).size;
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    // the end record as yauzl finds it: the last signature whose comment runs to the end of the file
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD && tail.readUInt16LE(i + 20) === tailLen - i - 22) {
        eocd = size - tailLen + i;
        break;
      }
    }
    if (eocd < 0) return null;
    let end = eocd;
    if (eocd >= 20) {
      const loc = Buffer.alloc(20);
      await fh.read(loc, 0, 20, eocd - 20);
      if (loc.readUInt32LE(0) === ZIP64_LOCATOR) end = Number(loc.readBigUInt64LE(8));
    }
    if (cursor === end) return null;
    return `the central directory read for the ${zip.entryCount} members its end record declares stops at byte ${cursor}, not at the end record (byte ${end}): the member count or the directory offset was changed, and members may be hidden`;
  });
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(err ?? new Error('yauzl returned no zipfile'));
      else resolve(zip);
    });
  });
}

/** A file that starts like a zip but has no end record was cut short; anything else is corrupt. */
async function classifyOpenError(path: string, e: unknown) {
  const code = classify(e);
  if (code === 'io-error') return code;
  if (!/central directory record signature not found/i.test(describe(e))) return code;
  const head = Buffer.alloc(4);
  try {
    const fh = await openFile(path, 'r');
    try {
      await fh.read(head, 0, 4, 0);
    } finally {
      await fh.close();
    }
  } catch {
    return 'io-error' as const;
  }
  return head.readUInt32LE(0) === 0x04034b50 ? 'archive-truncated' as const : 'archive-corrupt' as const;
}

function entryType(e: yauzl.Entry, name: string): ArchiveEntry['type'] {
  const type = declaredType(e, name);
  // A "directory" that holds bytes is read as a file: the walker skips directories, so trusting
  // the name's trailing '/' or the mode would drop the bytes silently (found by fuzzing).
  return type === 'directory' && (e.uncompressedSize > 0 || e.compressedSize > 2) ? 'file' : type;
}

function declaredType(e: yauzl.Entry, name: string): ArchiveEntry['type'] {
  const host = e.versionMadeBy >>> 8;
  const mode = (e.externalFileAttributes >>> 16) & 0xffff;
  // Only trust the unix mode when the archiver says it wrote one: DOS-made zips leave the
  // high half as zero or junk.
  if (host === HOST_UNIX && mode !== 0) {
    const fmt = mode & S_IFMT;
    if (fmt === S_IFLNK) return 'symlink';
    if (fmt === S_IFDIR) return 'directory';
    if (fmt !== S_IFREG && fmt !== 0) return 'other';
  }
  if (name.endsWith('/')) return 'directory';
  if (host !== HOST_UNIX && (e.externalFileAttributes & DOS_DIRECTORY) && e.uncompressedSize === 0) return 'directory';
  return 'file';
}

interface Budget {
  remaining(): number;
  add(n: number): void;
}

function openMember(zip: yauzl.ZipFile, e: yauzl.Entry, name: string, ctx: ReaderContext, budget: Budget): Promise<Readable> {
  return new Promise((resolve, reject) => {
    // Raw data, inflated here: so the ratio can be taken against the compressed bytes
    // actually consumed (a bomb shows its ratio within the first megabytes, whereas against
    // the whole declared compressed size it would only show after ratio × that size).
    zip.openReadStream(e, { decodeFileData: false }, (err, src) => {
      if (err || !src) {
        const code = classify(err);
        reject(new TroveError(code, `zip member "${name}": ${describe(err)}`, { cause: err }));
        return;
      }
      // zlib's bytesWritten is the input the engine has consumed, not merely been handed:
      // a 64 KiB chunk of a deflate bomb is worth 64 MiB of output, so the difference matters.
      const inflate = e.compressionMethod === 8 ? createInflateRaw() : null;
      const stages: Transform[] = inflate ? [inflate] : [];
      stages.push(createMemberCheck(name, e.crc32, e.uncompressedSize));
      stages.push(createGuardStream({
        name,
        limits: ctx.limits,
        maxBytes: Math.max(0, budget.remaining()),
        // stored members cannot be ratio bombs
        compressedBytes: inflate ? () => inflate.bytesWritten : null,
        onBytes: budget.add,
      }));
      const mapError = (x: unknown) => new TroveError(classify(x), `zip member "${name}": ${describe(x)}`, { cause: x });
      resolve(chainStreams(src, stages, mapError));
    });
  });
}

type ZipEvent = { kind: 'entry'; entry: yauzl.Entry } | { kind: 'end' } | { kind: 'error'; error: unknown };

/** Turns yauzl's entry/end/error events into awaitable values; keeps an 'error' listener attached for the zip's lifetime. */
class EntryEvents {
  readonly #zip: yauzl.ZipFile;
  readonly #queue: ZipEvent[] = [];
  #wake: (() => void) | null = null;
  readonly #onEntry = (entry: yauzl.Entry) => this.#push({ kind: 'entry', entry });
  readonly #onEnd = () => this.#push({ kind: 'end' });
  readonly #onError = (error: unknown) => this.#push({ kind: 'error', error });

  constructor(zip: yauzl.ZipFile) {
    this.#zip = zip;
    zip.on('entry', this.#onEntry);
    zip.on('end', this.#onEnd);
    zip.on('error', this.#onError);
  }

  #push(ev: ZipEvent): void {
    this.#queue.push(ev);
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  async next(): Promise<ZipEvent> {
    while (this.#queue.length === 0) await new Promise<void>((r) => { this.#wake = r; });
    return this.#queue.shift()!;
  }

  detach(): void {
    this.#zip.off('entry', this.#onEntry);
    this.#zip.off('end', this.#onEnd);
    // Late errors (e.g. from close) must still have a listener, or they would crash the process.
    this.#zip.off('error', this.#onError);
    this.#zip.on('error', () => {});
  }
}
