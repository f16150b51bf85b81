/**
 * @module ingest/outlook/cfb
 * A strict structural check of a Compound File Binary ([MS-CFB], the OLE container of .msg, .doc,
 * .xls…), run before a buffer is handed to msgreader. msgreader follows sector chains with
 * `while (next != END_OF_CHAIN)` and walks the directory tree without a visited set, so a cyclic
 * FAT or directory in a hostile file makes it loop until memory runs out. Here every chain is
 * followed with a visited set and a length bound, every sector must lie inside the buffer, and every
 * stream's chain must be long enough for its declared size. Only then is msgreader called.
 * The same walk yields the stream names, which is how a .msg is told from a .doc.
 */

const SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const END_OF_CHAIN = 0xfffffffe;
const FREE_SECT = 0xffffffff;
const NO_STREAM = 0xffffffff;
const MAX_REG_SECT = 0xfffffffa;

export interface CfbEntry {
  /** '/'-joined names from the root, e.g. `__attach_version1.0_#00000000/__substg1.0_37010102`. */
  path: string;
  type: 'storage' | 'stream';
  size: number;
}

export interface CfbListing {
  sectorSize: number;
  entries: CfbEntry[];
  /** The bytes of a stream by path, or null when there is no such stream. */
  read(path: string): Buffer | null;
}

/** True when the bytes start with the CFB signature (cheap sniff, no validation). */
export function hasCfbSignature(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(SIGNATURE);
}

/** Validates the container and lists its entries. Throws an Error with a reason when malformed. */
export function inspectCfb(buf: Buffer): CfbListing {
  if (buf.length < 512) throw new Error(`not a compound file: ${buf.length} bytes, header needs 512`);
  if (!hasCfbSignature(buf)) throw new Error('not a compound file: bad signature');
  const major = buf.readUInt16LE(0x1a);
  const shift = buf.readUInt16LE(0x1e);
  if (!((major === 3 && shift === 9) || (major === 4 && shift === 12))) {
    throw new Error(`unsupported compound file version ${major} / sector shift ${shift}`);
  }
  if (buf.readUInt16LE(0x20) !== 6) throw new Error('unsupported mini sector size');
  const ss = 1 << shift;
  const sectorCount = Math.ceil((buf.length - ss) / ss);
  const sectorOk = (n: number) => n <= MAX_REG_SECT && n < sectorCount;
  const sectorAt = (n: number) => {
    const off = (n + 1) * ss;
    return buf.subarray(off, Math.min(buf.length, off + ss));
  };

  // FAT sector numbers: 109 in the header, the rest in the DIFAT chain.
  const numFat = buf.readUInt32LE(0x2c);
  if (numFat > sectorCount) throw new Error(`FAT of ${numFat} sectors in a file of ${sectorCount}`);
  const fatSectors: number[] = [];
  for (let i = 0; i < 109 && fatSectors.length < numFat; i++) fatSectors.push(buf.readUInt32LE(0x4c + 4 * i));
  let difat = buf.readUInt32LE(0x44);
  const numDifat = buf.readUInt32LE(0x48);
  const seenDifat = new Set<number>();
  for (let d = 0; d < numDifat && fatSectors.length < numFat; d++) {
    if (!sectorOk(difat) || seenDifat.has(difat)) throw new Error(`bad DIFAT chain at sector ${difat}`);
    seenDifat.add(difat);
    const sec = sectorAt(difat);
    const per = ss / 4 - 1;
    for (let i = 0; i < per && fatSectors.length < numFat; i++) fatSectors.push(sec.readUInt32LE(4 * i));
    difat = sec.readUInt32LE(ss - 4);
  }
  if (fatSectors.length < numFat) throw new Error('DIFAT lists fewer FAT sectors than the header declares');
  const fat = new Uint32Array(fatSectors.length * (ss / 4));
  fatSectors.forEach((s, k) => {
    if (!sectorOk(s)) throw new Error(`FAT sector ${s} outside the file (truncated?)`);
    const sec = sectorAt(s);
    if (sec.length < ss) throw new Error(`FAT sector ${s} cut short (truncated file)`);
    for (let i = 0; i < ss / 4; i++) fat[k * (ss / 4) + i] = sec.readUInt32LE(4 * i);
  });

  /** Follows a FAT chain; every sector must exist, none may repeat. */
  const chain = (start: number, what: string, table: Uint32Array, valid: (n: number) => boolean): number[] => {
    const out: number[] = [];
    const seen = new Set<number>();
    let n = start;
    while (n !== END_OF_CHAIN) {
      if (n === FREE_SECT && out.length === 0) break; // an empty stream
      if (!valid(n) || n >= table.length) throw new Error(`${what}: sector ${n} outside the file (truncated?)`);
      if (seen.has(n)) throw new Error(`${what}: cyclic sector chain at ${n}`);
      seen.add(n);
      out.push(n);
      n = table[n];
    }
    return out;
  };

  const dirChain = chain(buf.readUInt32LE(0x30), 'directory', fat, sectorOk);
  if (dirChain.length === 0) throw new Error('empty directory');
  const dirBytes = Buffer.concat(dirChain.map(sectorAt));
  const entryCount = Math.floor(dirBytes.length / 128);
  const entry = (i: number) => dirBytes.subarray(i * 128, i * 128 + 128);
  const root = entry(0);
  if (root[0x42] !== 5) throw new Error('first directory entry is not the root');

  // Mini stream (inside the root entry's chain) and its allocation table.
  const miniFatChain = chain(buf.readUInt32LE(0x3c), 'mini FAT', fat, sectorOk);
  const miniFat = new Uint32Array(miniFatChain.length * (ss / 4));
  miniFatChain.forEach((s, k) => {
    const sec = sectorAt(s);
    for (let i = 0; i < sec.length / 4; i++) miniFat[k * (ss / 4) + i] = sec.readUInt32LE(4 * i);
  });
  const rootSize = Number(root.readBigUInt64LE(0x78) & 0xffffffffn);
  const miniStreamSectors = chain(root.readUInt32LE(0x74), 'mini stream', fat, sectorOk);
  if (miniStreamSectors.length * ss < rootSize) throw new Error('mini stream shorter than declared (truncated?)');
  const miniCount = Math.floor(rootSize / 64);
  const cutoff = buf.readUInt32LE(0x38) || 4096;

  const entries: CfbEntry[] = [];
  const streams = new Map<string, { sectors: number[]; mini: boolean; size: number }>();
  const visited = new Set<number>();
  const walk = (first: number, prefix: string, depth: number) => {
    if (depth > 64) throw new Error('directory nested too deeply');
    // Red-black tree of siblings; iterate with an explicit stack (no recursion on siblings).
    const stack = [first];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (i === NO_STREAM) continue;
      if (i >= entryCount || i === 0) throw new Error(`directory entry ${i} outside the directory`);
      if (visited.has(i)) throw new Error(`directory entry ${i} reached twice (cyclic tree)`);
      visited.add(i);
      const e = entry(i);
      const nameLen = Math.min(64, e.readUInt16LE(0x40));
      const name = e.subarray(0, Math.max(0, nameLen - 2)).toString('utf16le');
      const type = e[0x42];
      stack.push(e.readUInt32LE(0x44), e.readUInt32LE(0x48));
      const path = prefix === '' ? name : `${prefix}/${name}`;
      if (type === 1) {
        entries.push({ path, type: 'storage', size: 0 });
        walk(e.readUInt32LE(0x4c), path, depth + 1);
      } else if (type === 2) {
        // Version 3 files only use the low 32 bits of the size.
        const size = Number(e.readBigUInt64LE(0x78) & (major === 3 ? 0xffffffffn : 0xffffffffffffffffn));
        if (size > buf.length * 64) throw new Error(`stream ${path} declares ${size} bytes`);
        if (size > 0) {
          const start = e.readUInt32LE(0x74);
          if (size < cutoff) {
            const c = chain(start, `stream ${path}`, miniFat, (n) => n < miniCount);
            if (c.length * 64 < size) throw new Error(`stream ${path} chain shorter than its size (truncated?)`);
            streams.set(path, { sectors: c, mini: true, size });
          } else {
            const c = chain(start, `stream ${path}`, fat, sectorOk);
            if (c.length * ss < size) throw new Error(`stream ${path} chain shorter than its size (truncated?)`);
            const last = c[c.length - 1];
            if ((last + 1) * ss + (size - (c.length - 1) * ss) > buf.length) {
              throw new Error(`stream ${path} runs past the end of the file (truncated)`);
            }
            streams.set(path, { sectors: c, mini: false, size });
          }
        }
        entries.push({ path, type: 'stream', size });
      }
    }
  };
  walk(root.readUInt32LE(0x4c), '', 0);
  const read = (path: string): Buffer | null => {
    const st = streams.get(path);
    if (!st) return entries.some((e) => e.path === path && e.type === 'stream') ? Buffer.alloc(0) : null;
    const out = Buffer.alloc(st.size);
    let at = 0;
    for (const n of st.sectors) {
      if (at >= st.size) break;
      if (st.mini) {
        // Mini sector n lives at byte n*64 of the mini stream, itself a chain of normal sectors.
        const byte = n * 64;
        const sec = sectorAt(miniStreamSectors[Math.floor(byte / ss)]);
        at += sec.copy(out, at, byte % ss, byte % ss + Math.min(64, st.size - at));
      } else {
        at += sectorAt(n).copy(out, at, 0, Math.min(ss, st.size - at));
      }
    }
    return out;
  };
  return { sectorSize: ss, entries, read };
}

/**
 * True when the container holds an Outlook item: a `__properties_version1.0` stream and
 * `__substg1.0_*` property streams at the top level. Word/Excel/PowerPoint files have neither.
 */
export function listingLooksLikeMsg(listing: CfbListing): boolean {
  let props = false;
  let substg = false;
  for (const e of listing.entries) {
    if (e.path.includes('/')) continue;
    if (e.type === 'stream' && e.path === '__properties_version1.0') props = true;
    if (e.type === 'stream' && e.path.startsWith('__substg1.0_')) substg = true;
  }
  return props && substg;
}
