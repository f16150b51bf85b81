/**
 * @module forensics/metadata/ole-bounded
 * Reads one named stream of a compound file ([MS-CFB]) in place, following only the sector
 * chains that lead to it: the header, the FAT sectors (through the DIFAT), the directory, and
 * for a small stream the mini FAT and the mini stream. Memory is the stream's own bytes plus
 * a few integer lists, whatever the size of the file.
 *
 * Why not SheetJS `cfb` here: `CFB.read` has no lazy mode; it builds the chain of every
 * sector and copies every stream into a buffer of its own (about 60x the file size in JS
 * memory on an 866 KB Enron .doc). trove still uses `cfb` for files up to 512 KB, and the
 * tests check this reader against it, stream for stream.
 */

const ENDOFCHAIN = -2;
interface Entry { start: number; size: number }
const FREESECT = -1;
/** Property sets are a few KB; a larger "SummaryInformation" is not one. */
export const MAX_PROPERTY_STREAM = 256 * 1024;

class Cfb {
  readonly ssz: number;
  private readonly difat: number[] = [];
  private readonly sectors: number;
  private readonly b: Buffer;
  constructor(b: Buffer) {
    this.b = b;
    if (b.length < 512 || b.readUInt16LE(28) !== 0xfffe) throw new Error('not a compound file');
    const major = b.readUInt16LE(26);
    this.ssz = major === 4 ? 4096 : 512;
    this.sectors = Math.floor((b.length - this.ssz) / this.ssz) + 1;
    // Never more FAT sectors than the file's sectors need (the header's count is untrusted).
    const nFat = Math.min(b.readUInt32LE(44), Math.ceil(this.sectors / (this.ssz / 4)) + 1);
    for (let i = 0; i < 109 && this.difat.length < nFat; i++) this.difat.push(b.readInt32LE(76 + i * 4));
    // Further FAT sector numbers live in DIFAT sectors: (ssz/4 - 1) entries, then the next one.
    let d = b.readInt32LE(68);
    for (let hops = 0; d >= 0 && this.difat.length < nFat && hops <= this.sectors; hops++) {
      const off = this.offset(d);
      const per = this.ssz / 4 - 1;
      for (let i = 0; i < per && this.difat.length < nFat; i++) this.difat.push(this.b.readInt32LE(off + i * 4));
      d = this.b.readInt32LE(off + per * 4);
    }
  }

  offset(sector: number): number {
    const off = (sector + 1) * this.ssz;
    if (sector < 0 || off + this.ssz > this.b.length) throw new Error(`sector ${sector} outside the file`);
    return off;
  }

  next(sector: number): number {
    const per = this.ssz / 4;
    const fat = this.difat[Math.floor(sector / per)];
    if (fat === undefined || fat < 0) throw new Error(`no FAT entry for sector ${sector}`);
    return this.b.readInt32LE(this.offset(fat) + (sector % per) * 4);
  }

  /** Sector numbers of a chain, at most `max` of them (a loop in the FAT is cut there). */
  chain(start: number, max: number): number[] {
    const out: number[] = [];
    for (let s = start; s !== ENDOFCHAIN && s !== FREESECT && out.length < Math.min(max, this.sectors); s = this.next(s)) out.push(s);
    return out;
  }

  /** Bytes [from, from + n) of a chain of regular sectors. */
  readChain(chain: readonly number[], from: number, n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let done = 0; done < n;) {
      const pos = from + done;
      const s = chain[Math.floor(pos / this.ssz)];
      if (s === undefined) throw new Error('stream shorter than its size');
      const inSector = pos % this.ssz;
      const len = Math.min(this.ssz - inSector, n - done);
      this.b.copy(out, done, this.offset(s) + inSector, this.offset(s) + inSector + len);
      done += len;
    }
    return out;
  }

  /**
   * The root entry and the streams of the given names directly under it. Embedded objects
   * (ObjectPool/…) carry property sets of their own, so only the root's children count: they
   * are a red-black tree reached from the root's child id through left/right sibling ids.
   */
  find(names: readonly string[]): { streams: Map<string, Entry>; root: Entry | null } {
    const dir = this.chain(this.b.readInt32LE(48), this.sectors);
    const perSector = this.ssz / 128;
    const entry = (id: number) => {
      const s = dir[Math.floor(id / perSector)];
      if (id < 0 || s === undefined) return null;
      const e = this.offset(s) + (id % perSector) * 128;
      const nameLen = this.b.readUInt16LE(e + 64);
      return {
        name: nameLen >= 2 && nameLen <= 64 ? this.b.toString('utf16le', e, e + nameLen - 2) : '',
        type: this.b[e + 66],
        left: this.b.readInt32LE(e + 68),
        right: this.b.readInt32LE(e + 72),
        child: this.b.readInt32LE(e + 76),
        start: this.b.readInt32LE(e + 116),
        size: this.ssz === 512 ? this.b.readUInt32LE(e + 120) : Number(this.b.readBigUInt64LE(e + 120)),
      };
    };
    const r = entry(0);
    if (!r || r.type !== 5) throw new Error('compound file without a root entry');
    const streams = new Map<string, Entry>();
    const seen = new Set<number>();
    for (const stack = [r.child]; stack.length && seen.size <= dir.length * perSector;) {
      const id = stack.pop()!;
      if (id < 0 || seen.has(id)) continue;
      seen.add(id);
      const e = entry(id);
      if (!e) continue;
      if (e.type === 2 && names.includes(e.name) && !streams.has(e.name)) streams.set(e.name, { start: e.start, size: e.size });
      stack.push(e.left, e.right);
    }
    return { streams, root: { start: r.start, size: r.size } };
  }
}

/**
 * The content of each named stream (null when absent or too large), read without
 * expanding the rest of the file.
 */
export function readStreams(bytes: Uint8Array, names: readonly string[]): Map<string, Buffer | null> {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f = new Cfb(b);
  const { streams: found, root } = f.find(names);
  const cutoff = b.readUInt32LE(56) || 4096;
  const miniSize = 1 << (b.readUInt16LE(32) || 6);
  const out = new Map<string, Buffer | null>();
  let miniFat: number[] | null = null;
  let miniStream: number[] | null = null;
  for (const name of names) {
    const e = found.get(name);
    if (!e || e.size === 0 || e.size > MAX_PROPERTY_STREAM) {
      out.set(name, null);
      continue;
    }
    if (e.size >= cutoff) {
      out.set(name, f.readChain(f.chain(e.start, Math.ceil(e.size / f.ssz)), 0, e.size));
      continue;
    }
    // A small stream lives in the mini stream (the root entry's chain), cut in mini sectors
    // whose chain is the mini FAT (itself a chain of regular sectors).
    if (!root) throw new Error('compound file without a root entry');
    miniFat ??= f.chain(b.readInt32LE(60), b.readUInt32LE(64) || 1);
    miniStream ??= f.chain(root.start, Math.ceil(root.size / f.ssz));
    const parts: Buffer[] = [];
    let left = e.size;
    for (let m = e.start, hops = 0; m >= 0 && left > 0; hops++) {
      if (hops > e.size / miniSize + 1) throw new Error('loop in the mini FAT');
      const len = Math.min(miniSize, left);
      parts.push(f.readChain(miniStream, m * miniSize, len));
      left -= len;
      m = f.readChain(miniFat, m * 4, 4).readInt32LE(0);
    }
    if (left > 0) throw new Error('mini stream chain shorter than the stream');
    out.set(name, Buffer.concat(parts));
  }
  return out;
}
