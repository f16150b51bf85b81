/**
 * @module ingest/walker
 * Walks inputs recursively — folders, archives inside archives, mailboxes — and accounts for
 * every item it meets: a message (handed to the parse pool), a container (walked), a known
 * non-mail file, or a skip/error with a locator and a code. Resumable: an item whose locator
 * is already recorded is not read again; a container is re-walked only if it was left
 * unfinished, and then only its missing members are parsed.
 *
 * Nested containers that need random access (zip, 7z, rar, pst) are spooled to the case's
 * tmp folder under a counter name — never under a name taken from the archive, so hostile
 * member names (zip-slip, absolute paths) cannot write outside the case.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, isTroveError } from '../core/errors.ts';
import type { Limits } from '../core/limits.ts';
import type { ParsePool } from '../pipeline/pool.ts';
import { FILE_READ_MAX, type FileRead } from '../pipeline/task.ts';
import type { IngestWriter, ItemRow } from '../store/ingest-writer.ts';
import { readBzip2, readGzip, readRar, readSevenZip, readTar, readZip } from './archive/index.ts';
import { readMbox } from './mbox.ts';
import { looksLikeMsg } from './outlook/msg.ts';
import { readPst } from './outlook/pst.ts';
import { isValidUtf8 } from '../mime/charset.ts';
import { sha256hex as sha } from '../mime/parse.ts';
import { sniff, SNIFF_BYTES, type Kind } from './sniff.ts';
import { drain, hashing, peek, readBounded, spool } from './stream-util.ts';
import type { ArchiveItem, MailboxItem, ReaderContext } from './types.ts';

/** Counts outstanding parse tasks of one container, so it is marked done only after they are written. */
class Tracker {
  private n = 0;
  private waiters: (() => void)[] = [];
  add(): void {
    this.n++;
  }
  done(): void {
    if (--this.n === 0) for (const w of this.waiters.splice(0)) w();
  }
  idle(): Promise<void> {
    return this.n === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

export interface WalkerOptions {
  limits: Limits;
  tmpDir: string;
  onBytes?: (n: number) => void;
}

/**
 * Files of one folder in progress at once: most are messages read and parsed by the workers,
 * and enough of them keep both workers' batches full.
 */
const FILE_CONCURRENCY = 64;
/** Of those, how many the main thread reads itself at once (archives, mailboxes, big files): bounds their memory. */
const MAIN_FILE_CONCURRENCY = 16;

/** At most `n` callers inside `run` at once. */
class Slots {
  private free: number;
  private waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    while (this.free === 0) await new Promise<void>((r) => this.waiting.push(r));
    this.free--;
    try {
      return await fn();
    } finally {
      this.free++;
      this.waiting.shift()?.();
    }
  }
}

/** Up to this size, an mbox-looking file is split in memory first to see if it holds one message. */
const SINGLE_MBOX_MAX = 4 * 1024 * 1024;

const UNSAFE = /(^|[\\/])\.\.([\\/]|$)|^[\\/]|^[a-zA-Z]:[\\/]/;

export class Walker {
  private readonly ctx: ReaderContext;
  private readonly onMain = new Slots(MAIN_FILE_CONCURRENCY);
  private spoolCounter = 0;
  /** First error writing a parse result (a store failure): ends the walk, never swallowed. */
  private fatal: unknown = null;
  private readonly writer: IngestWriter;
  private readonly pool: ParsePool;
  private readonly opts: WalkerOptions;

  constructor(writer: IngestWriter, pool: ParsePool, opts: WalkerOptions) {
    this.writer = writer;
    this.pool = pool;
    this.opts = opts;
    this.ctx = { limits: opts.limits, tmpDir: opts.tmpDir };
  }

  /** Ingests one path given on the command line; `root` is the first part of its locators. */
  async walkRoot(path: string, root: string): Promise<void> {
    const tracker = new Tracker();
    await this.walkDisk(path, root, null, 0, tracker);
    await tracker.idle();
    // a result that could not be written stops the ingest (exit 2); the next run resumes
    if (this.fatal) throw this.fatal;
  }

  private async walkDisk(path: string | Buffer, locator: string, parentId: number | null, depth: number, tracker: Tracker): Promise<void> {
    let st;
    try {
      st = await lstat(path);
    } catch (e) {
      this.record(locator, parentId, 'error', 'io-error', describe(e));
      return;
    }
    if (st.isDirectory()) return this.walkDir(path, locator, parentId, depth, tracker);
    await this.walkFile(path, locator, parentId, depth, tracker, st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other');
  }

  /**
   * A folder: sub-folders one after another, files FILE_CONCURRENCY at a time. Reading a
   * maildir is latency-bound (open, read, close per small file), so overlapping those calls is
   * what keeps the parse workers busy.
   */
  private async walkDir(path: string | Buffer, locator: string, parentId: number | null, depth: number, tracker: Tracker): Promise<void> {
    let entries;
    try {
      entries = (await readdir(path, { encoding: 'buffer', withFileTypes: true })).sort((a, b) => Buffer.compare(a.name, b.name));
    } catch (e) {
      this.record(locator, parentId, 'error', 'io-error', describe(e));
      return;
    }
    const files: (() => Promise<void>)[] = [];
    for (const d of entries) {
      // File names are bytes on disk; one that is not UTF-8 is still read (by its bytes),
      // and its locator shows what could be decoded.
      const raw = d.name;
      const name = raw.toString('utf8');
      const valid = isValidUtf8(raw);
      const child = valid && typeof path === 'string' ? join(path, name) : Buffer.concat([Buffer.from(path), Buffer.from('/'), raw]);
      const loc = `${locator}/${name}`;
      if (!valid) this.writer.log('warning', 'name-not-utf8', { locator: loc, reason: `file name bytes are not UTF-8 (hex ${raw.toString('hex')})` });
      if (d.isDirectory()) await this.walkDir(child, loc, parentId, depth, tracker);
      else {
        const type = d.isSymbolicLink() ? 'symlink' : d.isFile() ? 'file' : 'other';
        files.push(() => this.walkFile(child, loc, parentId, depth, tracker, type));
      }
    }
    let next = 0;
    const lane = async () => {
      while (next < files.length) await files[next++]();
    };
    await Promise.all(Array.from({ length: Math.min(FILE_CONCURRENCY, files.length) }, lane));
  }

  private async walkFile(path: string | Buffer, locator: string, parentId: number | null, depth: number, tracker: Tracker, type: 'file' | 'symlink' | 'other'): Promise<void> {
    if (type === 'symlink') {
      this.record(locator, parentId, 'skipped', 'symlink', 'symbolic link not followed (it may point outside the dump)');
      return;
    }
    if (type === 'other') {
      this.record(locator, parentId, 'skipped', 'special-file', 'not a regular file');
      return;
    }
    const existing = this.writer.find(locator);
    if (existing && (existing.done || existing.kind !== 'container')) {
      const size = (await stat(path).catch(() => null))?.size ?? null;
      if (existing.size !== null && size !== null && existing.size !== size) {
        this.writer.log('warning', 'input-changed', { locator, reason: `size was ${existing.size}, now ${size}; the recorded copy is kept` });
      }
      this.opts.onBytes?.(size ?? 0);
      return;
    }
    if (!existing && typeof path === 'string') {
      await this.viaWorker(path, locator, parentId, depth, tracker);
      return;
    }
    await this.onMain.run(() => this.readHere(path, locator, parentId, depth, tracker, existing));
  }

  /** A file the main thread reads itself: one met before (resume), or named by bytes that are not UTF-8. */
  private async readHere(path: string | Buffer, locator: string, parentId: number | null, depth: number, tracker: Tracker, existing: ItemRow | undefined): Promise<void> {
    let head: Buffer;
    let size: number;
    let mtime: string;
    try {
      // one open for stat and the first bytes; a small file's head is the whole file
      const fh = await open(path, 'r');
      try {
        const st = await fh.stat();
        if (!st.isFile()) {
          this.record(locator, parentId, 'skipped', 'special-file', 'not a regular file');
          return;
        }
        size = st.size;
        mtime = st.mtime.toISOString();
        const buf = Buffer.allocUnsafe(Math.min(SNIFF_BYTES, size));
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        head = buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch (e) {
      this.record(locator, parentId, 'error', 'io-error', describe(e));
      return;
    }
    await this.handleFile(path, locator, parentId, depth, sniff(head), head, size, mtime, null, existing, tracker, true);
  }

  /**
   * A file not seen before, read by a parse worker: a message comes back parsed, anything else
   * (or a file over FILE_READ_MAX) as its first bytes, and goes on as a file read here would.
   */
  private async viaWorker(path: string, locator: string, parentId: number | null, depth: number, tracker: Tracker): Promise<void> {
    await this.pool.room(FILE_READ_MAX);
    let r: FileRead;
    try {
      r = await this.pool.readFile(path);
    } catch (e) {
      this.record(locator, parentId, 'error', 'worker-crashed', `the parser crashed on this file: ${describe(e)}`);
      return;
    }
    if (r.kind === 'io-error') return this.record(locator, parentId, 'error', 'io-error', r.error);
    if (r.kind === 'special') return this.record(locator, parentId, 'skipped', 'special-file', 'not a regular file');
    if (r.kind === 'message') {
      this.opts.onBytes?.(r.size);
      try {
        this.writer.addMessage(locator, parentId, r.result);
      } catch (e) {
        this.fatal ??= e;
      }
      return;
    }
    const head = Buffer.from(r.head.buffer, r.head.byteOffset, r.head.byteLength);
    await this.onMain.run(() => this.handleFile(path, locator, parentId, depth, sniff(head), head, r.size, r.mtime, null, undefined, tracker, true));
  }

  /** A whole file on disk (an input, or a spooled archive member). */
  private async handleFile(path: string | Buffer, locator: string, parentId: number | null, depth: number, kind: Kind, head: Buffer,
    size: number, mtime: string | null, sha256: string | null, existing: ItemRow | undefined, tracker: Tracker, onDisk: boolean): Promise<void> {
    const countBytes = onDisk ? this.opts.onBytes : undefined;
    switch (kind) {
      case 'zip':
      case '7z':
      case 'rar':
      case 'pst': {
        if (typeof path !== 'string') {
          // readers of random-access formats take string paths: read this one through a spool copy
          await this.member(createReadStream(path), head, kind, locator, parentId, depth, size, tracker, existing);
          countBytes?.(size);
          return;
        }
        const digest = sha256 ?? (await hashFile(path));
        const reader = kind === 'zip' ? readZip : kind === '7z' ? readSevenZip : kind === 'rar' ? readRar : null;
        await this.container(locator, parentId, depth, kind, size, mtime, digest, existing, async (id, t) => {
          if (reader) await this.archiveItems(reader(path, this.ctx), locator, id, depth, t);
          else await this.mailboxItems(readPst(path, this.ctx), locator, id, t);
        });
        countBytes?.(size);
        return;
      }
      case 'gzip':
      case 'bzip2':
      case 'tar':
      case 'mbox': {
        if (kind === 'mbox' && size <= SINGLE_MBOX_MAX && (await this.singleMessageMbox(head.length === size ? head : await readFile(path), locator, parentId, tracker))) {
          countBytes?.(size);
          return;
        }
        const h = hashing(createReadStream(path), countBytes);
        await this.streamContainer(h.stream, kind, locator, parentId, depth, size, mtime, existing, () => sha256 ?? h.digest());
        return;
      }
      default: {
        if (kind === 'message' || kind === 'ole') {
          if (size > this.opts.limits.maxMessageBytes) {
            this.record(locator, parentId, 'skipped', 'message-too-large', `${size} bytes, over the ${this.opts.limits.maxMessageBytes}-byte message limit`, size);
            countBytes?.(size);
            return;
          }
          const bytes = head.length === size ? head : await readFile(path);
          countBytes?.(size);
          await this.handleBytes(bytes, kind, locator, parentId, tracker);
          return;
        }
        const digest = sha256 ?? (await hashFile(path));
        countBytes?.(size);
        this.fileItem(locator, parentId, kind, digest, size);
      }
    }
  }

  /** A message or OLE file already in memory. */
  private async handleBytes(bytes: Buffer, kind: Kind, locator: string, parentId: number | null, tracker: Tracker): Promise<void> {
    if (kind === 'ole' && !looksLikeMsg(bytes)) {
      this.fileItem(locator, parentId, 'ole', sha(bytes), bytes.length);
      return;
    }
    await this.submit(bytes, kind === 'ole' ? 'msg' : 'rfc822', 'as-found', locator, parentId, tracker);
  }

  private fileItem(locator: string, parentId: number | null, kind: Kind, sha256: string, size: number): void {
    if (kind === 'empty') {
      this.record(locator, parentId, 'skipped', 'empty-file', '0-byte file', 0);
      return;
    }
    if (/\.(eml|msg|mbox|emlx)$/i.test(locator) && (kind === 'binary' || kind === 'other' || kind === 'ole')) {
      // named like mail but is not: worth telling the investigator, not silently filing away
      this.record(locator, parentId, 'skipped', 'not-mail', `named like mail but its content is ${kind === 'other' ? 'text without mail headers' : kind === 'ole' ? 'an OLE file that is not an Outlook message' : 'binary'}`, size, sha256);
      return;
    }
    this.writer.addItem({ locator, parentId, kind: 'file', format: kind, sha256, size });
  }

  private async submit(bytes: Buffer, format: 'rfc822' | 'msg', origin: 'as-found' | 'synthesized', locator: string, parentId: number | null, tracker: Tracker, meta: Record<string, unknown> | null = null): Promise<void> {
    await this.pool.room(bytes.length);
    tracker.add();
    const p = this.pool.parse(bytes, format, origin).then(
      (r) => {
        this.writer.addMessage(locator, parentId, r, meta);
      },
      (e) => {
        this.record(locator, parentId, 'error', 'worker-crashed', `the parser crashed on this message: ${describe(e)}`, bytes.length);
      },
    ).finally(() => tracker.done());
    p.catch((e: unknown) => {
      this.fatal ??= e;
    });
  }

  private async container(locator: string, parentId: number | null, depth: number, format: string, size: number | null, mtime: string | null,
    sha256: string | null, existing: ItemRow | undefined, walk: (id: number, t: Tracker) => Promise<void>): Promise<number | null> {
    if (depth >= this.opts.limits.maxDepth) {
      this.record(locator, parentId, 'skipped', 'too-deep', `container nested ${depth} levels deep (limit ${this.opts.limits.maxDepth})`, size ?? undefined, sha256 ?? undefined);
      return null;
    }
    const id = existing?.id ?? this.writer.addItem({ locator, parentId, kind: 'container', format, sha256, size, mtime, done: false });
    const t = new Tracker();
    try {
      await walk(id, t);
    } catch (e) {
      if (e === this.fatal) throw e; // a store failure, not a problem of this container
      this.containerProblem(id, locator, isTroveError(e) ? e.code : 'archive-corrupt', describe(e));
    }
    await t.idle();
    // never mark a container done when one of its results could not be written: resume re-reads it
    if (this.fatal) throw this.fatal;
    this.writer.updateItem(id, { done: true });
    return id;
  }

  private containerProblem(id: number, locator: string, code: string, reason: string): void {
    this.writer.db.stmt('UPDATE items SET code = ?, reason = ? WHERE id = ?').run(code, reason, id);
    this.writer.log('error', 'container-problem', { locator, code, reason });
  }

  /** gzip, bzip2, tar and mbox read from a stream: no spooling needed. */
  private async streamContainer(stream: Readable, kind: Kind, locator: string, parentId: number | null, depth: number, size: number | null,
    mtime: string | null, existing: ItemRow | undefined, digest: () => string): Promise<void> {
    const id = await this.container(locator, parentId, depth, kind, size, mtime, null, existing, async (cid, t) => {
      if (kind === 'mbox') await this.mailboxItems(readMbox(stream, this.ctx), locator, cid, t);
      else if (kind === 'tar') await this.archiveItems(readTar(stream, this.ctx), locator, cid, depth, t);
      else await this.compressedItems(kind === 'gzip' ? readGzip(stream, this.ctx) : readBzip2(stream, this.ctx), locator, cid, depth, t);
    });
    if (id !== null) {
      await drain(stream).catch(() => 0);
      this.writer.updateItem(id, { sha256: digest() });
    } else {
      stream.destroy();
    }
  }

  /** The single member of a gzip/bzip2 stream. A tar inside is walked transparently (x.tar.gz!member). */
  private async compressedItems(items: AsyncIterable<ArchiveItem>, locator: string, cid: number, depth: number, t: Tracker): Promise<void> {
    for await (const item of items) {
      if ('problem' in item && item.problem) {
        this.containerProblem(cid, locator, item.code, item.reason);
        continue;
      }
      const entry = item as Exclude<ArchiveItem, { problem: true }>;
      const inner = await peek(await entry.open(), SNIFF_BYTES);
      const kind = sniff(inner.head);
      if (kind === 'tar') {
        await this.archiveItems(readTar(inner.stream, this.ctx), locator, cid, depth, t);
        continue;
      }
      const name = entry.name || basename(locator).replace(/\.(gz|tgz|bz2|tbz2?|z)$/i, '') || 'data';
      await this.member(inner.stream, inner.head, kind, `${locator}!${name}`, cid, depth + 1, entry.size, t);
    }
  }

  private async archiveItems(items: AsyncIterable<ArchiveItem>, locator: string, cid: number, depth: number, t: Tracker): Promise<void> {
    let members = 0;
    for await (const item of items) {
      if ('problem' in item && item.problem) {
        if (!item.name) this.containerProblem(cid, locator, item.code, item.reason);
        else this.record(`${locator}!${item.name}`, cid, item.kind === 'skip' ? 'skipped' : 'error', item.code, item.reason);
        continue;
      }
      const entry = item as Exclude<ArchiveItem, { problem: true }>;
      if (entry.type === 'directory') continue;
      const loc = `${locator}!${entry.name.replace(/^\.\//, '')}`;
      if (++members > this.opts.limits.maxMembers) {
        this.containerProblem(cid, locator, 'too-many-members', `more than ${this.opts.limits.maxMembers} members; the rest were not read`);
        break;
      }
      const existing = this.writer.find(loc);
      if (existing && (existing.done || existing.kind !== 'container')) continue;
      if (entry.type === 'symlink') {
        this.record(loc, cid, 'skipped', 'symlink', 'symbolic link inside the archive, not followed');
        continue;
      }
      if (entry.type === 'other') {
        this.record(loc, cid, 'skipped', 'special-file', 'hard link, device or other special member');
        continue;
      }
      if (entry.encrypted) {
        this.record(loc, cid, 'skipped', 'encrypted-member', 'encrypted member: no password, not read');
        continue;
      }
      if (UNSAFE.test(entry.name)) {
        // Recorded, and still read: the bytes may be evidence, and trove never writes a member
        // to disk under its own name, so a zip-slip name cannot escape the case.
        this.writer.log('warning', 'unsafe-path', { locator: loc, reason: 'member name escapes the archive root (zip-slip or absolute path); read, never extracted by name' });
      }
      try {
        const peeked = await peek(await entry.open(), SNIFF_BYTES);
        await this.member(peeked.stream, peeked.head, sniff(peeked.head), loc, cid, depth + 1, entry.size, t, existing);
      } catch (e) {
        if (e === this.fatal) throw e;
        this.record(loc, cid, isTroveError(e) && (e.code.startsWith('bomb') || e.code === 'message-too-large') ? 'skipped' : 'error', isTroveError(e) ? e.code : 'archive-corrupt', describe(e));
      }
    }
  }

  private async mailboxItems(items: AsyncIterable<MailboxItem>, locator: string, cid: number, t: Tracker): Promise<void> {
    for await (const item of items) {
      const loc = `${locator}!${item.name}`;
      if ('problem' in item && item.problem) {
        if (!item.name) this.containerProblem(cid, locator, item.code, item.reason);
        else if (!this.writer.find(loc)) this.record(loc, cid, item.kind === 'skip' ? 'skipped' : 'error', item.code, item.reason);
        continue;
      }
      if (this.writer.find(loc)) continue;
      if ('nonMail' in item && item.nonMail) {
        this.writer.addItem({ locator: loc, parentId: cid, kind: 'file', format: item.what });
        continue;
      }
      const m = item as Extract<MailboxItem, { bytes: Buffer }>;
      await this.submit(m.bytes, 'rfc822', m.origin, loc, cid, t, m.meta ?? null);
    }
  }

  /**
   * A small file holding one message behind a `From ` envelope line (SpamAssassin's layout,
   * "Save as" from many clients) is a message, not a mailbox: it is recorded under the file's
   * own locator, with the envelope kept in the item's meta. Returns false to walk it as an mbox.
   */
  private async singleMessageMbox(whole: Buffer, locator: string, parentId: number | null, tracker: Tracker): Promise<boolean> {
    const found: MailboxItem[] = [];
    for await (const item of readMbox(Readable.from([whole]), this.ctx)) {
      found.push(item);
      if (found.length > 1) return false;
    }
    const m = found[0];
    if (!m || ('problem' in m && m.problem) || ('nonMail' in m && m.nonMail)) return false;
    const msg = m as Extract<MailboxItem, { bytes: Buffer }>;
    await this.submit(msg.bytes, 'rfc822', msg.origin, locator, parentId, tracker, { ...(msg.meta ?? {}), mbox: true });
    return true;
  }

  /** A member read from a stream: dispatch on its content. */
  private async member(stream: Readable, head: Buffer, kind: Kind, loc: string, parentId: number | null, depth: number, size: number | null, t: Tracker, existing?: ItemRow): Promise<void> {
    switch (kind) {
      case 'gzip':
      case 'bzip2':
      case 'tar':
      case 'mbox': {
        if (kind === 'mbox') {
          const more = await peek(stream, SINGLE_MBOX_MAX);
          stream = more.stream;
          if (more.head.length < SINGLE_MBOX_MAX) {
            // the whole member is in memory: one message behind an envelope is a message
            if (await this.singleMessageMbox(more.head, loc, parentId, t)) return;
          }
        }
        const h = hashing(stream);
        await this.streamContainer(h.stream, kind, loc, parentId, depth, size, null, existing, () => h.digest());
        return;
      }
      case 'zip':
      case '7z':
      case 'rar':
      case 'pst': {
        if (depth >= this.opts.limits.maxDepth) {
          const hash = createHash('sha256');
          const n = await drain(stream, hash);
          this.record(loc, parentId, 'skipped', 'too-deep', `container nested ${depth} levels deep (limit ${this.opts.limits.maxDepth})`, n, hash.digest('hex'));
          return;
        }
        const tmp = join(this.opts.tmpDir, `spool-${process.pid}-${++this.spoolCounter}`);
        try {
          const s = await spool(stream, tmp);
          await this.handleFile(tmp, loc, parentId, depth, kind, head, s.size, null, s.sha256, existing, t, false);
        } finally {
          await rm(tmp, { force: true });
        }
        return;
      }
      case 'message':
      case 'ole': {
        const hash = createHash('sha256');
        const r = await readBounded(stream, this.opts.limits.maxMessageBytes, hash);
        if (!r.bytes) {
          this.record(loc, parentId, 'skipped', 'message-too-large', `${r.size} bytes, over the ${this.opts.limits.maxMessageBytes}-byte message limit`, r.size, hash.digest('hex'));
          return;
        }
        await this.handleBytes(r.bytes, kind, loc, parentId, t);
        return;
      }
      default: {
        const hash = createHash('sha256');
        const n = await drain(stream, hash);
        this.fileItem(loc, parentId, n === 0 ? 'empty' : kind, hash.digest('hex'), n);
      }
    }
  }

  private record(locator: string, parentId: number | null, kind: 'skipped' | 'error', code: string, reason: string, size?: number, sha256?: string): void {
    if (this.writer.find(locator)) return;
    this.writer.addItem({ locator, parentId, kind, code, reason, size: size ?? null, sha256: sha256 ?? null });
  }
}


async function hashFile(path: string | Buffer): Promise<string> {
  const h = createHash('sha256');
  await drain(createReadStream(path), h);
  return h.digest('hex');
}
