/**
 * @module forensics/metadata/ole
 * Legacy Office (doc, xls, ppt) properties: the \u0005SummaryInformation and
 * \u0005DocumentSummaryInformation property-set streams ([MS-OLEPS]) of the compound file,
 * read with SheetJS `cfb`. The property sets themselves are a small typed table parsed here.
 */
import CFB from 'cfb';
import iconv from 'iconv-lite';
import { readStreams } from './ole-bounded.ts';
import { compact, type DocMetadata } from './types.ts';

const FILETIME_EPOCH_MS = 11_644_473_600_000;

export function isOle(b: Uint8Array): boolean {
  return b.length > 512 && b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0 && b[4] === 0xa1 && b[5] === 0xb1 && b[6] === 0x1a && b[7] === 0xe1;
}

type Value = string | number | { filetime: bigint };

/** The first section of a property set: property id → value. Unknown types are skipped. */
export function readPropertySet(buf: Buffer): Map<number, Value> {
  const out = new Map<number, Value>();
  if (buf.length < 48 || buf.readUInt16LE(0) !== 0xfffe) return out;
  const sec = buf.readUInt32LE(44);
  if (sec + 8 > buf.length) return out;
  const count = Math.min(buf.readUInt32LE(sec + 4), 1000);
  let codepage = 1252;
  const entries: [number, number][] = [];
  for (let i = 0; i < count && sec + 16 + i * 8 <= buf.length; i++) entries.push([buf.readUInt32LE(sec + 8 + i * 8), sec + buf.readUInt32LE(sec + 12 + i * 8)]);
  for (const [id, off] of entries) if (id === 1 && off + 6 <= buf.length && buf.readUInt16LE(off) === 2) codepage = buf.readUInt16LE(off + 4);
  for (const [id, off] of entries) {
    if (off + 8 > buf.length) continue;
    const type = buf.readUInt16LE(off);
    if (type === 2) out.set(id, buf.readInt16LE(off + 4));
    else if (type === 3) out.set(id, buf.readInt32LE(off + 4));
    else if (type === 64 && off + 12 <= buf.length) out.set(id, { filetime: buf.readBigUInt64LE(off + 4) });
    else if (type === 30) {
      const n = buf.readUInt32LE(off + 4);
      const bytes = buf.subarray(off + 8, Math.min(buf.length, off + 8 + n));
      const cp = codepage === 65001 ? 'utf8' : codepage === 1200 ? 'utf16le' : `cp${codepage}`;
      const s = iconv.encodingExists(cp) ? iconv.decode(bytes, cp) : bytes.toString('latin1');
      out.set(id, s.replace(/\0+$/, ''));
    } else if (type === 31) {
      const n = buf.readUInt32LE(off + 4);
      out.set(id, buf.subarray(off + 8, Math.min(buf.length, off + 8 + n * 2)).toString('utf16le').replace(/\0+$/, ''));
    }
  }
  return out;
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function date(v: Value | undefined): string | undefined {
  if (!v || typeof v !== 'object' || v.filetime === 0n) return undefined;
  const ms = Number(v.filetime / 10_000n) - FILETIME_EPOCH_MS;
  // Dates before 1980 are unset fields (Office writes small values or zero).
  return ms > Date.UTC(1980, 0, 1) && ms < Date.UTC(2200, 0, 1) ? new Date(ms).toISOString() : undefined;
}

const SI = '\u0005SummaryInformation';
const DSI = '\u0005DocumentSummaryInformation';

/**
 * SheetJS cfb expands a whole compound file into JS arrays (about 60x its size in memory on
 * an 866 KB Enron .doc); above this size only the two property streams are read, in place
 * (ole-bounded.ts).
 */
export const MAX_CFB_BYTES = 512 * 1024;

/** The two property-set streams, through SheetJS cfb (small files) or the bounded reader. */
export function propertyStreams(b: Uint8Array): { si: Buffer | null; dsi: Buffer | null } {
  if (b.length > MAX_CFB_BYTES) {
    const s = readStreams(b, [SI, DSI]);
    return { si: s.get(SI) ?? null, dsi: s.get(DSI) ?? null };
  }
  const c = CFB.read(b, { type: 'buffer' });
  // Only the root's own property sets: embedded objects (ObjectPool/…) have theirs.
  const stream = (name: string): Buffer | null => {
    const i = c.FullPaths.indexOf(`${c.FullPaths[0]}${name}`);
    const content = i >= 0 ? c.FileIndex[i]?.content : undefined;
    return content && content.length ? Buffer.from(content as Uint8Array) : null;
  };
  return { si: stream(SI), dsi: stream(DSI) };
}

export function readOle(b: Uint8Array): DocMetadata | null {
  const { si, dsi } = propertyStreams(b);
  if (!si && !dsi) return null;
  const s = si ? readPropertySet(si) : new Map<number, Value>();
  const d = dsi ? readPropertySet(dsi) : new Map<number, Value>();
  const edit = s.get(10);
  return compact({
    format: 'ole',
    title: str(s.get(2)),
    author: str(s.get(4)),
    template: str(s.get(7)),
    lastModifiedBy: str(s.get(8)),
    revision: str(s.get(9)),
    // PIDSI_EDITTIME is a FILETIME holding a duration (100 ns units).
    totalEditMinutes: edit && typeof edit === 'object' ? Math.round(Number(edit.filetime / 10_000n) / 60_000) : undefined,
    lastPrinted: date(s.get(11)),
    created: date(s.get(12)),
    modified: date(s.get(13)),
    software: str(s.get(18)),
    manager: str(d.get(14)),
    company: str(d.get(15)),
  });
}
