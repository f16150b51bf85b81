/**
 * @module forensics/metadata/exif
 * EXIF of JPEG photos (APP1 "Exif" segment) and TIFF files: camera make and model,
 * software, DateTimeOriginal (local time of an unknown zone), DateTime (last change) and GPS
 * position. A small synchronous TIFF-IFD reader: the forensic pass runs inside a
 * synchronous transaction, and exifr's API is promise-only.
 */
import { compact, type DocMetadata } from './types.ts';

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

export function isImage(b: Uint8Array): boolean {
  return (b[0] === 0xff && b[1] === 0xd8) || (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a);
}

/** The TIFF block of a JPEG's EXIF segment, or the file itself when it is a TIFF. */
function tiffBlock(b: Buffer): Buffer | null {
  if (b[0] !== 0xff) return b;
  let p = 2;
  while (p + 4 <= b.length && b[p] === 0xff) {
    const marker = b[p + 1];
    if (marker === 0xda || marker === 0xd9) break; // image data starts: no EXIF before it
    const len = b.readUInt16BE(p + 2);
    if (marker === 0xe1 && b.subarray(p + 4, p + 10).toString('latin1') === 'Exif\0\0') return b.subarray(p + 10, p + 2 + len);
    p += 2 + len;
  }
  return null;
}

type Tags = Map<number, unknown>;

function readIfd(t: Buffer, off: number, le: boolean): Tags {
  const tags: Tags = new Map();
  const u16 = (o: number) => (le ? t.readUInt16LE(o) : t.readUInt16BE(o));
  const u32 = (o: number) => (le ? t.readUInt32LE(o) : t.readUInt32BE(o));
  if (off + 2 > t.length) return tags;
  const n = Math.min(u16(off), 500);
  for (let i = 0; i < n; i++) {
    const e = off + 2 + i * 12;
    if (e + 12 > t.length) break;
    const tag = u16(e);
    const type = u16(e + 2);
    const count = u32(e + 4);
    const size = (TYPE_SIZE[type] ?? 0) * count;
    if (!size) continue;
    const at = size <= 4 ? e + 8 : u32(e + 8);
    if (at + size > t.length) continue;
    if (type === 2) tags.set(tag, t.subarray(at, at + size).toString('latin1').replace(/\0[\s\S]*$/, '').trim());
    else if (type === 3) tags.set(tag, u16(at));
    else if (type === 4) tags.set(tag, u32(at));
    else if (type === 5) {
      const vals: number[] = [];
      for (let k = 0; k < Math.min(count, 8); k++) vals.push(u32(at + k * 8) / (u32(at + k * 8 + 4) || 1));
      tags.set(tag, vals);
    }
  }
  return tags;
}

/** "YYYY:MM:DD HH:MM:SS" → ISO without a zone (EXIF local time). */
function exifDate(v: unknown): string | undefined {
  const m = typeof v === 'string' ? /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(v) : null;
  return m && m[1] !== '0000' ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : undefined;
}

function coord(v: unknown, ref: unknown): number | undefined {
  if (!Array.isArray(v) || v.length < 3) return undefined;
  const d = v[0] + v[1] / 60 + v[2] / 3600;
  return Math.round((ref === 'S' || ref === 'W' ? -d : d) * 1e6) / 1e6;
}

export function readExif(b: Uint8Array): DocMetadata | null {
  const t = tiffBlock(Buffer.from(b.buffer, b.byteOffset, b.length));
  if (!t || t.length < 8) return null;
  const le = t[0] === 0x49;
  const ifd0Off = le ? t.readUInt32LE(4) : t.readUInt32BE(4);
  const ifd0 = readIfd(t, ifd0Off, le);
  if (!ifd0.size) return null;
  const exif = typeof ifd0.get(0x8769) === 'number' ? readIfd(t, ifd0.get(0x8769) as number, le) : new Map();
  const gps = typeof ifd0.get(0x8825) === 'number' ? readIfd(t, ifd0.get(0x8825) as number, le) : new Map();
  const lat = coord(gps.get(2), gps.get(1));
  const lon = coord(gps.get(4), gps.get(3));
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return compact({
    format: 'exif',
    make: str(ifd0.get(0x10f)),
    model: str(ifd0.get(0x110)),
    software: str(ifd0.get(0x131)),
    author: str(ifd0.get(0x13b)),
    taken: exifDate(exif.get(0x9003)) ?? exifDate(exif.get(0x9004)),
    modified: exifDate(ifd0.get(0x132)),
    gps: lat !== undefined && lon !== undefined ? { latitude: lat, longitude: lon } : undefined,
  });
}
