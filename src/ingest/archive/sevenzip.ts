/**
 * @module ingest/archive/sevenzip
 * 7z reader, and the engine behind the rar reader: 7-Zip itself (7z-wasm) reads the archive.
 *
 * Steps, for one archive:
 *  1. mount the archive's folder read-only and list the members (`l -slt`); limits are
 *     checked on the listing before a byte is decompressed: limits.maxMembers, the declared
 *     total against limits.maxExpandedBytes, each member's (7z: each solid block's) ratio
 *     against limits.maxRatio, and the decoder memory the methods ask for;
 *  2. extract the whole archive once, into a fresh scratch folder under ctx.tmpDir. Once,
 *     because 7z and rar are often solid: extracting member by member would decompress each
 *     solid block again for every member in it (quadratic). The cost is disk: the scratch
 *     folder peaks at the archive's expanded size, which step 1 capped. Members that are not
 *     wanted (encrypted, over the ratio limit, links) are still decoded by 7-Zip but their
 *     bytes are dropped before they reach the disk; a member writing more than it declared is
 *     dropped too ('bomb-size'), and the extraction is aborted once the actual total passes
 *     limits.maxExpandedBytes;
 *  3. yield the members in listing order; open() streams the extracted file (opened with
 *     O_NOFOLLOW) through the guard and deletes it once the stream closes; a member not opened
 *     is deleted when the iteration moves on; the scratch folder is removed at the end.
 * Files written by 7-Zip are tied to members through 7-Zip's own progress lines (`-bb1`
 * prints "- name" after opening each output file), never by re-deriving paths from names.
 *
 * How problems surface: everything is known before the first entry is yielded, so all
 * problems are EntryProblem items — header-encrypted archive → one '' skip
 * 'encrypted-member'; encrypted members → skip 'encrypted-member'; unreadable or truncated
 * archive → '' error 'archive-corrupt' / 'archive-truncated'; a member 7-Zip failed on →
 * error with 7-Zip's message. Streams from open() only fail on I/O or the guard.
 *
 * The extraction is synchronous WebAssembly: it blocks the event loop for its duration.
 */
import { constants as FS } from 'node:fs';
import { mkdtemp, open as openFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, TroveError } from '../../core/errors.ts';
import type { ArchiveEntry, ArchiveItem, FileArchiveReader, ReaderContext } from '../types.ts';
import { createGuardStream } from './guard.ts';
import { classify, failure, skip } from './problems.ts';
import { SevenZipEngine } from './seven-zip-engine.ts';
import { decoderMemory, ListingParser, type ListedItem } from './seven-zip-listing.ts';
import { chainStreams } from './stream-chain.ts';
import { withOpenFile } from '../stream-util.ts';

/** Decoder memory (dictionary, PPMd model) beyond this is refused: 7-Zip would allocate it. */
const MAX_DECODER_MEMORY = 1024 * 1024 * 1024;
/** A password 7-Zip gets instead of a prompt; it will not open anything real. */
const NO_PASSWORD = '-ptrove-has-no-password';

export const readSevenZip: FileArchiveReader = (path, ctx) => readWithSevenZip(path, ctx, '7z');


export type SevenZipFormat = '7z' | 'rar';

/**
 * 7-Zip stops at a damaged header and reads the rest as "data after the end of archive" (only a
 * warning): members behind it would be lost without a word (found by fuzzing: one flipped flag
 * byte in a RAR4 file header hid the last file and three folders). Bytes past the archive's
 * physical end that are not all zero padding are reported, with their count.
 */
async function unreadTail(path: string, physical: string | undefined): Promise<string | null> {
  const end = physical !== undefined && /^\d+$/.test(physical) ? Number(physical) : null;
  if (end === null) return null;
  return withOpenFile(path, async (fh) => {
    const size = (await fh.stat()).size;
    if (end >= size) return null;
    const buf = Buffer.alloc(64 * 1024);
    for (let pos = end; pos < size; pos += buf.length) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      if (buf.subarray(0, bytesRead).some((b) => b !== 0)) {
        return `7-Zip read the archive only up to byte ${end} of ${size}: the last ${size - end} bytes were not read (a damaged header can hide members there)`;
      }
    }
    return null;
  });
}

export async function* readWithSevenZip(path: string, ctx: ReaderContext, format: SevenZipFormat): AsyncGenerator<ArchiveItem> {
  let typeSwitch: string;
  try {
    typeSwitch = await typeSwitchFor(path, format);
  } catch (e) {
    yield failure('', classify(e), `cannot read ${format} archive: ${describe(e)}`);
    return;
  }
  let scratch: string | null = null;
  try {
    scratch = await mkdtemp(join(ctx.tmpDir, `${format}-`));
    const archiveArg = `/in/${basename(path)}`;
    const common = [typeSwitch, '-sccUTF-8', '-bsp0'];

    // 1. list
    const listing = new ListingParser(ctx.limits.maxMembers);
    const listErr: string[] = [];
    let sawPrompt = false;
    const lister = await SevenZipEngine.create(dirname(path), scratch, {
      onLine: (l) => {
        if (l.startsWith('Enter password')) sawPrompt = true;
        listing.line(l);
      },
      onErrLine: (l) => { if (l.trim()) listErr.push(l.trim()); },
    });
    const listed = lister.run(['l', '-slt', ...common, archiveArg]);
    listing.end();
    if (listing.count > ctx.limits.maxMembers) {
      yield skip('', 'too-many-members', `more than ${ctx.limits.maxMembers} members; nothing extracted`);
      return;
    }
    if (sawPrompt) {
      yield skip('', 'encrypted-member', `the ${format} archive's headers are encrypted; no password is tried`);
      return;
    }
    // 7-Zip names the archive by its mount path; the walker's locator already says which file
    const tidy = (l: string) => l.split(archiveArg).join(basename(path));
    const archiveNotes = [...listErr, ...listing.notes].filter((l) => !/^(ERRORS?|WARNINGS?):?$/.test(l)).map(tidy);
    if (!listing.opened || listed.thrown) {
      const why = archiveNotes.join('; ') || (listed.thrown ? `7-Zip aborted (${describe(listed.thrown)})` : `7-Zip exit code ${listed.code}`);
      yield failure('', codeFor(why), `cannot open ${format} archive: ${why}`);
      return;
    }
    const items = listing.items;
    const archiveError = archiveNotes.find((l) => /error|unexpected end|corrupt/i.test(l)) ?? null;
    const tail = await unreadTail(path, listing.archive.get('Physical Size'));
    if (tail) yield failure('', 'archive-corrupt', tail);

    // limits on the declared numbers
    const declared = items.reduce((s, i) => s + (i.type === 'file' ? i.size ?? 0 : 0), 0);
    if (declared > ctx.limits.maxExpandedBytes) {
      yield skip('', 'bomb-size', `members declare ${declared} bytes in total, over the ${ctx.limits.maxExpandedBytes}-byte limit; nothing extracted`);
      return;
    }
    const memory = Math.max(0, ...items.map((i) => decoderMemory(i.method)), decoderMemory(listing.archive.get('Method') ?? ''));
    if (memory > MAX_DECODER_MEMORY) {
      yield skip('', 'bomb-size', `the archive asks for ${memory} bytes of decoder memory; nothing extracted`);
      return;
    }
    const ratioBombs = ratioOffenders(items, format, ctx);

    // 2. extract
    const wanted = (i: ListedItem) => i.type === 'file' && !i.encrypted && !ratioBombs.has(i.index);
    const x = new ExtractionTracker(items, wanted, ctx.limits.maxExpandedBytes);
    const extractor = await SevenZipEngine.create(dirname(path), scratch, {
      onLine: (l) => x.line(l),
      onErrLine: (l) => x.errLine(l),
      onCreate: (rel) => x.created(rel),
      onWrite: (rel, n) => x.write(rel, n),
    });
    const run = extractor.run(['x', ...common, '-bb1', '-aou', '-y', NO_PASSWORD, '-o/out', archiveArg]);
    const runProblem = run.thrown ? `7-Zip aborted (${describe(run.thrown)})` : null;
    const fatal = [...x.errors.map(tidy), runProblem, archiveError].find((l) => l && !/^(Sub items Errors|Archives with Errors)/.test(l)) ?? null;

    // 3. yield, in listing order
    let previous: ExtractedFile | null = null;
    const expanded = { total: 0 };
    for (const item of items) {
      await previous?.release();
      previous = null;
      const name = item.path;
      if (item.type === 'directory' || item.type === 'symlink' || item.type === 'other') {
        yield metaEntry(item);
        continue;
      }
      if (item.encrypted) {
        yield skip(name, 'encrypted-member', 'member is encrypted; no password is tried');
        continue;
      }
      if (ratioBombs.has(item.index)) {
        yield skip(name, 'bomb-ratio', ratioBombs.get(item.index)!);
        continue;
      }
      const rec = x.recordFor(item.index);
      const err = x.itemErrors.get(item.index);
      const file = rec ? new ExtractedFile(join(scratch, rec.rel)) : null;
      if (rec?.overflow) {
        await file?.release();
        yield skip(name, 'bomb-size', x.overflowReason(item));
        continue;
      }
      if (err) {
        await file?.release();
        yield /wrong password/i.test(err) ? skip(name, 'encrypted-member', `7-Zip: ${err}`) : failure(name, codeFor(err), `7-Zip: ${err}`);
        continue;
      }
      if (!rec || !file) {
        const why = fatal ?? (x.aborted ? 'extraction stopped at the expanded-bytes limit' : 'not extracted');
        yield x.aborted ? skip(name, 'bomb-size', why) : failure(name, codeFor(why), `7-Zip did not extract this member: ${why}`);
        continue;
      }
      previous = file;
      const entry: ArchiveEntry = {
        name,
        type: 'file',
        size: item.size,
        compressedSize: item.packedSize,
        encrypted: false,
        open: () => file.open(name, ctx, expanded),
      };
      if (name.includes('\uFFFD')) entry.nameLossy = true;
      yield entry;
    }
    await previous?.release();
    if (fatal) yield failure('', codeFor(fatal), `${format} archive: ${fatal}`);
  } catch (e) {
    yield failure('', classify(e), `${format} archive: ${describe(e)}`);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** 7-Zip is told the format the magic bytes say, so it never guesses from the name. */
async function typeSwitchFor(path: string, format: SevenZipFormat): Promise<string> {
  await stat(path);
  if (format === '7z') return '-t7z';
  const fh = await openFile(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    return head[6] === 0x01 ? '-trar5' : '-trar';
  } finally {
    await fh.close();
  }
}

function codeFor(message: string) {
  return /unexpected end|truncated|end of archive/i.test(message) ? 'archive-truncated' as const : 'archive-corrupt' as const;
}

/**
 * Members whose declared expansion is over limits.maxRatio. A 7z solid block is one
 * compressed stream: its packed size is listed on its first member, and the ratio is the
 * block's. rar lists a packed size per member.
 */
function ratioOffenders(items: readonly ListedItem[], format: SevenZipFormat, ctx: ReaderContext): Map<number, string> {
  const units = new Map<string, { packed: number; unpacked: number; members: number[] }>();
  for (const i of items) {
    if (i.type !== 'file') continue;
    const key = format === '7z' && i.block !== null ? `b${i.block}` : `i${i.index}`;
    const u = units.get(key) ?? { packed: 0, unpacked: 0, members: [] };
    u.packed += i.packedSize ?? 0;
    u.unpacked += i.size ?? 0;
    u.members.push(i.index);
    units.set(key, u);
  }
  const out = new Map<number, string>();
  for (const u of units.values()) {
    if (u.unpacked <= ctx.limits.ratioGraceBytes) continue;
    const ratio = u.unpacked / Math.max(u.packed, 1);
    if (ratio <= ctx.limits.maxRatio) continue;
    const why = `declares ${u.unpacked} bytes from ${u.packed} compressed (${Math.round(ratio)}:1, limit ${ctx.limits.maxRatio}:1)`;
    for (const m of u.members) out.set(m, why);
  }
  return out;
}

function metaEntry(item: ListedItem): ArchiveEntry {
  const body = item.type === 'symlink' && item.linkTarget ? Buffer.from(item.linkTarget) : Buffer.alloc(0);
  return {
    name: item.path,
    type: item.type,
    size: item.type === 'symlink' ? body.length : item.size,
    compressedSize: item.packedSize,
    encrypted: item.encrypted,
    open: async () => Readable.from([body]),
  };
}

/** Ties 7-Zip's output files to listed members while the extraction runs. */
class ExtractionTracker {
  readonly errors: string[] = [];
  readonly itemErrors = new Map<number, string>();
  aborted = false;
  readonly #items: readonly ListedItem[];
  readonly #wanted: (i: ListedItem) => boolean;
  readonly #limit: number;
  readonly #records = new Map<number, { rel: string; written: number; overflow: boolean }>();
  #pending: { rel: string; written: number; overflow: boolean } | null = null;
  #current: { item: ListedItem; rec: { rel: string; written: number; overflow: boolean } } | null = null;
  #cursor = 0;
  #total = 0;

  constructor(items: readonly ListedItem[], wanted: (i: ListedItem) => boolean, limit: number) {
    this.#items = items;
    this.#wanted = wanted;
    this.#limit = limit;
  }

  created(rel: string): void {
    this.#pending = { rel, written: 0, overflow: false };
    this.#current = null;
  }

  /** "- name" follows the opening of that member's output file. */
  line(l: string): void {
    if (!l.startsWith('- ') || !this.#pending) return;
    const name = l.slice(2);
    const item = this.#find(name);
    if (!item) return;
    this.#records.set(item.index, this.#pending);
    this.#current = { item, rec: this.#pending };
    this.#pending = null;
  }

  errLine(l: string): void {
    const t = l.trim();
    if (!t) return;
    const m = /^ERROR: (.*?) : (.*)$/.exec(t);
    if (!m) {
      if (!/^(ERRORS?|WARNINGS?):?$/.test(t)) this.errors.push(t);
      return;
    }
    const [, msg, name] = m;
    const cur = this.#current?.item;
    const item = cur && cur.path === name ? cur : this.#items.find((i) => i.path === name && !this.itemErrors.has(i.index));
    if (item) this.itemErrors.set(item.index, msg);
    else this.errors.push(t);
  }

  /** Decides the fate of bytes 7-Zip is about to write. */
  write(rel: string, n: number): 'write' | 'drop' | 'abort' {
    const cur = this.#current;
    if (!cur || cur.rec.rel !== rel) return 'drop'; // not tied to a wanted member: never stored
    cur.rec.written += n;
    if (!this.#wanted(cur.item)) return 'drop';
    this.#total += n;
    if (this.#total > this.#limit) {
      this.aborted = true;
      cur.rec.overflow = true;
      return 'abort';
    }
    const cap = cur.item.size ?? this.#limit;
    if (cur.rec.written > cap) {
      cur.rec.overflow = true;
      return 'drop';
    }
    return 'write';
  }

  recordFor(index: number): { rel: string; written: number; overflow: boolean } | undefined {
    return this.#records.get(index);
  }

  overflowReason(item: ListedItem): string {
    return this.aborted
      ? `extraction passed the ${this.#limit}-byte expanded limit at this member`
      : `member wrote more than the ${item.size ?? this.#limit} bytes it declared`;
  }

  #find(name: string): ListedItem | undefined {
    for (let i = this.#cursor; i < this.#items.length; i++) {
      const it = this.#items[i];
      if (it.type !== 'directory' && it.path === name && !this.#records.has(i)) {
        this.#cursor = i + 1;
        return it;
      }
    }
    return undefined;
  }
}

/** One extracted member file in the scratch folder. */
class ExtractedFile {
  readonly #path: string;
  #opened = false;
  #released: Promise<void> | null = null;

  constructor(path: string) {
    this.#path = path;
  }

  async open(name: string, ctx: ReaderContext, expanded: { total: number }): Promise<Readable> {
    if (this.#opened) throw new TroveError('internal', `member "${name}" opened twice`);
    this.#opened = true;
    // O_NOFOLLOW: whatever is at this path, a link is never followed out of the scratch folder
    const fh = await openFile(this.#path, FS.O_RDONLY | FS.O_NOFOLLOW);
    const src = fh.createReadStream();
    const guard = createGuardStream({
      name,
      limits: ctx.limits,
      maxBytes: Math.max(0, ctx.limits.maxExpandedBytes - expanded.total),
      compressedBytes: null, // ratio was judged on the listing
      onBytes: (n) => { expanded.total += n; },
    });
    const out = chainStreams(src, [guard], (e) => new TroveError(classify(e), `member "${name}": ${describe(e)}`, { cause: e }));
    out.once('close', () => void this.#remove());
    return out;
  }

  /**
   * Deletes the file, unless a consumer is still reading it: then it goes when the stream
   * closes. Resolves once the file is gone (or left to the stream).
   */
  release(): Promise<void> {
    if (this.#opened) return this.#released ?? Promise.resolve();
    return this.#remove();
  }

  #remove(): Promise<void> {
    this.#released ??= rm(this.#path, { force: true }).catch(() => {});
    return this.#released;
  }
}
