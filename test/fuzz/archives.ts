/**
 * Fuzz properties of the container readers: zip, tar, gzip, bzip2, 7z and rar (7z-wasm), PST
 * and Outlook .msg, on mutated seeds (test/fixtures/archive, ../shared/corpora/msg and pst,
 * demo/sample-dump.zip). Each reader is driven as the walker drives it (entries in order,
 * every file member opened and drained; mailbox items collected) and must:
 *
 *  - never throw anything past the walker: the walker catches a reader's throw and records it
 *    on the container, so a throw is allowed, but an uncaught exception or unhandled rejection
 *    (a stream 'error' nobody listens to) would end the ingest, and is a failure;
 *  - never hang: each input must be read within a time budget;
 *  - never lose an item silently: when a mutated input yields fewer members than its seed,
 *    something must say so (a problem item, a member error, or a throw), unless the mutated
 *    input is a complete, smaller archive by the reader's own integrity checks — which only
 *    formats with no member count can be (tar, concatenated gzip/bzip2: see `countless`).
 *
 * Shared by the short in-suite run (test/fuzz/archives.fuzz.test.ts) and scripts/fuzz.ts.
 */
import fc from 'fast-check';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { readBzip2, readGzip, readRar, readSevenZip, readTar, readZip } from '../../src/ingest/archive/index.ts';
import { readPst } from '../../src/ingest/outlook/pst.ts';
import { parseOne } from '../../src/pipeline/parse-message.ts';
import type { ArchiveItem, MailboxItem, ReaderContext } from '../../src/ingest/types.ts';
import { applyMutation, fraction, mutationArb, type Mutation } from './mutate.ts';
import type { FuzzTarget } from './properties.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CORPORA = join(REPO, '..', 'shared', 'corpora');
const FIX = join(REPO, 'test', 'fixtures', 'archive');

export type ContainerKind = 'zip' | 'tar' | 'gzip' | 'bzip2' | '7z' | 'rar' | 'pst' | 'msg';

/** What one read of a container gave, in the walker's terms. */
export interface Outcome {
  /** Members (file entries, messages, non-mail items) read to the end without an error. */
  items: number;
  /** Problem items the reader yielded, member open/stream errors, and a throw of the iterator. */
  problems: number;
  /** Directory entries that claim bytes: the walker skips directories, so this would be a loss. */
  dataDirs: number;
  thrown: string | null;
  ms: number;
}

/** Walker-equivalent time budget for one input: readers stream, so it scales with the input. */
export function containerBudgetMs(kind: ContainerKind, bytes: number): number {
  const base = kind === 'pst' ? 8_000 : kind === '7z' || kind === 'rar' ? 5_000 : 3_000;
  return base + bytes / 10_000;
}

const tmpRoot = mkdtempSync(join(tmpdir(), 'trove-fuzz-archive-'));
process.once('exit', () => rmSync(tmpRoot, { recursive: true, force: true }));
let counter = 0;

async function drainStream(s: Readable): Promise<void> {
  for await (const _ of s) {
    // bytes are not needed: the walker hashes or spools them; errors are what matter here
  }
}

async function readArchive(items: AsyncIterable<ArchiveItem>, out: Outcome): Promise<void> {
  for await (const it of items) {
    if ('problem' in it && it.problem) {
      out.problems++;
      continue;
    }
    const e = it as Exclude<ArchiveItem, { problem: true }>;
    if (e.type === 'directory') {
      if ((e.size ?? 0) > 0) out.dataDirs++;
      continue;
    }
    if (e.type !== 'file' || e.encrypted) {
      out.items++; // recorded by the walker as skipped with the member's locator
      continue;
    }
    try {
      await drainStream(await e.open());
      out.items++;
    } catch {
      out.problems++;
    }
  }
}

function readMailbox(items: Iterable<MailboxItem> | AsyncIterable<MailboxItem>, out: Outcome, ctxLimits = DEFAULT_LIMITS): Promise<void> {
  return (async () => {
    for await (const it of items) {
      if ('problem' in it && it.problem) {
        out.problems++;
        continue;
      }
      if ('bytes' in it) {
        // the parse stage must take what the reader rebuilt (it never throws: parse errors are recorded)
        const r = parseOne(it.bytes, 'rfc822', it.origin, { limits: ctxLimits, resolve: null });
        if (r.error) out.problems++;
      }
      out.items++;
    }
  })();
}

/** Reads one container the way the walker does; never rejects (a throw is counted in the outcome). */
export async function readContainer(kind: ContainerKind, bytes: Buffer): Promise<Outcome> {
  const out: Outcome = { items: 0, problems: 0, dataDirs: 0, thrown: null, ms: 0 };
  const dir = join(tmpRoot, String(++counter));
  const ctx: ReaderContext = { limits: DEFAULT_LIMITS, tmpDir: dir };
  const file = join(tmpRoot, `in-${counter}`);
  mkdirSync(dir);
  const t0 = performance.now();
  try {
    switch (kind) {
      case 'zip':
      case '7z':
      case 'rar':
        writeFileSync(file, bytes);
        await readArchive((kind === 'zip' ? readZip : kind === '7z' ? readSevenZip : readRar)(file, ctx), out);
        break;
      case 'tar':
        await readArchive(readTar(Readable.from([bytes]), ctx), out);
        break;
      case 'gzip':
      case 'bzip2':
        await readArchive((kind === 'gzip' ? readGzip : readBzip2)(Readable.from([bytes]), ctx), out);
        break;
      case 'pst':
        writeFileSync(file, bytes);
        await readMailbox(readPst(file, ctx), out);
        break;
      case 'msg': {
        // the walker hands .msg bytes to the parse stage, which renders them (readMsg) and parses
        const r = parseOne(bytes, 'msg', 'as-found', { limits: DEFAULT_LIMITS, resolve: null });
        if (r.error && r.nonMail.length === 0) out.problems++;
        else out.items++;
        for (const c of r.children) if (c.result.error) out.problems++;
        break;
      }
    }
  } catch (e) {
    out.thrown = e instanceof Error ? `${e.name}: ${e.message}` : `non-Error thrown: ${String(e)}`;
  } finally {
    rmSync(file, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  out.ms = performance.now() - t0;
  return out;
}

// ---------------------------------------------------------------- seeds

export interface ContainerSeed {
  kind: ContainerKind;
  name: string;
  bytes: Buffer;
}

function maybe(kind: ContainerKind, path: string): ContainerSeed[] {
  return existsSync(path) ? [{ kind, name: path.slice(path.lastIndexOf('/') + 1), bytes: readFileSync(path) }] : [];
}

/** Seeds per kind; each is a real archive or mailbox read in place (never copied into the repo). */
export function containerSeeds(): ContainerSeed[] {
  const normalTar = readFileSync(join(FIX, 'normal.tar'));
  return [
    ...maybe('zip', join(FIX, 'normal.zip')),
    ...maybe('zip', join(FIX, 'names.zip')),
    ...maybe('zip', join(FIX, 'zip64.zip')),
    ...maybe('zip', join(FIX, 'encrypted.zip')),
    ...maybe('zip', join(REPO, 'demo', 'sample-dump.zip')),
    ...maybe('tar', join(FIX, 'normal.tar')),
    ...maybe('tar', join(FIX, 'pax.tar')),
    { kind: 'gzip', name: 'normal.tar.gz', bytes: gzipSync(normalTar) },
    ...maybe('gzip', join(FIX, 'hello.txt.gz')),
    ...maybe('gzip', join(FIX, 'multi.gz')),
    ...maybe('bzip2', join(FIX, 'multi.bz2')),
    ...maybe('7z', join(FIX, 'normal.7z')),
    ...maybe('7z', join(FIX, 'encrypted-members.7z')),
    ...maybe('rar', join(FIX, 'rar4-folders.rar')),
    ...maybe('rar', join(FIX, 'rar5-symlink.rar')),
    ...maybe('rar', join(FIX, 'rar5-encrypted-members.rar')),
    ...maybe('msg', join(CORPORA, 'msg', 'Simple.msg')),
    ...maybe('msg', join(CORPORA, 'msg', 'msgInMsg.msg')),
    ...maybe('msg', join(CORPORA, 'msg', 'nonUnicodeMail.msg')),
    ...maybe('msg', join(CORPORA, 'msg', 'attachAndInline.msg')),
    ...maybe('msg', join(CORPORA, 'msg', 'A memo.msg')),
    ...maybe('pst', join(CORPORA, 'pst', 'enron.pst')),
  ];
}

// ---------------------------------------------------------------- the property

/**
 * Formats where a mutated input can be a smaller but complete archive by the format's own rules:
 * tar has no member count or checksum over the archive (a cut at a header boundary is a valid
 * tar), and a concatenation of gzip/bzip2 members cut between members is a valid stream. For
 * them a lower member count is a loss only when the cut is not at such a boundary, which the
 * reader cannot know; the property then only asks for no throw past the walker and no hang.
 */
const countless = new Set<ContainerKind>(['tar', 'gzip', 'bzip2']);

const baselines = new Map<Buffer, Outcome>();
async function baseline(seed: ContainerSeed): Promise<Outcome> {
  let b = baselines.get(seed.bytes);
  if (!b) {
    b = await readContainer(seed.kind, seed.bytes);
    baselines.set(seed.bytes, b);
  }
  return b;
}

/**
 * Mutations for containers. Binary formats are positional: most inserted or deleted bytes
 * only move the directory out of reach (one clean error), so flips that keep every offset
 * valid get most of the weight, aimed at the start and end (headers, central directories,
 * B-tree roots) as often as anywhere; the byte-level set of mutate.ts stays in the mix.
 */
function containerMutationArb(kind: ContainerKind): fc.Arbitrary<Mutation> {
  const head = fraction(0, kind === 'pst' ? 0.005 : 0.15);
  const tail = fraction(kind === 'pst' ? 0.95 : 0.75, 1);
  const anywhere = fraction();
  const byte = fc.oneof(fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x01, 0x2f, 0x2e, 0x5c), fc.integer({ min: 0, max: 255 }));
  const flip = (at: fc.Arbitrary<number>) => fc.record({ op: fc.constant('flip' as const), at, byte });
  return fc.oneof(
    { weight: 3, arbitrary: flip(head) },
    { weight: 3, arbitrary: flip(tail) },
    { weight: 3, arbitrary: flip(anywhere) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fraction(0.3, 1) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at: anywhere, len: fc.integer({ min: 1, max: 64 }) }) },
    { weight: 1, arbitrary: mutationArb(4096) },
  );
}

/**
 * Recomputes the checksum of every block that looks like a ustar/GNU header, so that edits
 * inside tar headers reach the reader's logic instead of all stopping at the checksum (a
 * hostile tar has valid checksums).
 */
export function fixTarChecksums(tar: Buffer): Buffer {
  const out = Buffer.from(tar);
  for (let o = 0; o + 512 <= out.length; o += 512) {
    if (out.toString('latin1', o + 257, o + 262) !== 'ustar') continue;
    out.fill(0x20, o + 148, o + 156);
    let sum = 0;
    for (let i = o; i < o + 512; i++) sum += out[i];
    out.write(sum.toString(8).padStart(6, '0') + '\0 ', o + 148, 'latin1');
  }
  return out;
}

export async function checkContainer(seed: ContainerSeed, ms: Mutation[], fixSums = false): Promise<void> {
  const base = await baseline(seed);
  const mutated = ms.reduce((b, m) => applyMutation(b, m), seed.bytes);
  const input = fixSums && seed.kind === 'tar' ? fixTarChecksums(mutated) : mutated;
  const uncaught: unknown[] = [];
  const onErr = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onErr);
  process.on('unhandledRejection', onErr);
  let out: Outcome;
  const budget = containerBudgetMs(seed.kind, input.length);
  let timer: NodeJS.Timeout | undefined;
  try {
    // an asynchronous hang (a stream that never ends) shows as the race lost; a synchronous one
    // holds the thread and shows as the test's own timeout
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hang: no result after ${(budget * 2).toFixed(0)} ms`)), budget * 2);
    });
    out = await Promise.race([readContainer(seed.kind, input), hang]).catch((e: Error) => {
      throw new Error(`${seed.kind} ${seed.name} (${input.length} bytes): ${e.message}`);
    });
    // an 'error' emitted after the read finished surfaces on a later tick
    await new Promise((r) => setImmediate(r));
  } finally {
    clearTimeout(timer);
    process.off('uncaughtException', onErr);
    process.off('unhandledRejection', onErr);
  }
  const what = `${seed.kind} ${seed.name} (${input.length} bytes)`;
  if (uncaught.length) throw new Error(`${what}: uncaught past the walker: ${String(uncaught[0])}`);
  if (out.thrown?.startsWith('non-Error')) throw new Error(`${what}: ${out.thrown}`);
  if (out.ms > budget) throw new Error(`${what}: read took ${out.ms.toFixed(0)} ms (budget ${budget.toFixed(0)})`);
  if (out.dataDirs > 0) throw new Error(`${what}: ${out.dataDirs} directory entries with data (the walker would skip them silently)`);
  if (input.equals(seed.bytes) || countless.has(seed.kind)) return;
  const signalled = out.problems > 0 || out.thrown !== null;
  if (!signalled && out.items < base.items) {
    throw new Error(`${what}: ${base.items - out.items} of ${base.items} members lost with no problem reported`);
  }
}

export function containerTargets(): FuzzTarget[] {
  const seeds = containerSeeds();
  const kinds = [...new Set(seeds.map((s) => s.kind))];
  const runsFor: Record<ContainerKind, number> = { zip: 150, tar: 120, gzip: 120, bzip2: 60, '7z': 60, rar: 60, msg: 150, pst: 8 };
  return kinds.map((kind) => {
    const mine = seeds.filter((s) => s.kind === kind);
    return {
      name: `containers: ${kind} reader on mutated ${mine.map((s) => s.name).join(', ')} never throws past the walker, hangs, or loses a member silently`,
      runs: runsFor[kind],
      property: () => fc.asyncProperty(fc.nat(mine.length - 1), fc.array(containerMutationArb(kind), { minLength: 1, maxLength: 6 }), fc.boolean(),
        (i, ms, fixSums) => checkContainer(mine[i], ms, fixSums)),
    };
  });
}
