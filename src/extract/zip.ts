/**
 * @module extract/zip
 * A small synchronous zip reader for OOXML and ODF containers, bounded against zip bombs.
 * Members are found through the central directory and inflated one at a time with
 * node:zlib's `inflateRawSync` and `maxOutputLength`: the declared sizes are never trusted,
 * and no member is expanded unless asked for. (SheetJS cfb, used by forensics/metadata,
 * expands every member at once; yauzl is callback-only; the ingest workers are synchronous.)
 * Zip64 and encrypted members are refused with a reason.
 */
import { inflateRawSync } from 'node:zlib';
import { LimitHit } from './limits.ts';

interface Entry {
  name: string;
  method: number;
  flags: number;
  compSize: number;
  localOffset: number;
}

export class Zip {
  readonly entries = new Map<string, Entry>();
  private readonly buf: Buffer;
  /** Expanded bytes still allowed for this file (all members together). */
  private budget: number;

  constructor(bytes: Uint8Array, maxMembers: number, maxExpandedBytes: number) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = maxExpandedBytes;
    const b = this.buf;
    let eocd = -1;
    for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
      if (b.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new LimitHit('zip: no end of central directory (truncated or not a zip)', true);
    const count = b.readUInt16LE(eocd + 10);
    const cdOffset = b.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw new LimitHit('zip64 archives are not supported', true);
    if (count > maxMembers) throw new LimitHit(`zip has ${count} members, over the limit of ${maxMembers}`, true);
    let p = cdOffset;
    for (let n = 0; n < count; n++) {
      if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) throw new LimitHit('zip: damaged central directory', true);
      const flags = b.readUInt16LE(p + 8);
      const method = b.readUInt16LE(p + 10);
      const compSize = b.readUInt32LE(p + 20);
      const nameLen = b.readUInt16LE(p + 28);
      const extraLen = b.readUInt16LE(p + 30);
      const commentLen = b.readUInt16LE(p + 32);
      const localOffset = b.readUInt32LE(p + 42);
      const name = b.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
      // OOXML names are case-insensitive (OPC); ODF ones are not, but never collide by case.
      this.entries.set(name.replace(/^\//, '').toLowerCase(), { name, method, flags, compSize, localOffset });
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The member's bytes, or null when absent. Throws LimitHit on a bomb, encryption or damage. */
  read(name: string): Buffer | null {
    const e = this.entries.get(name.toLowerCase());
    if (!e) return null;
    const b = this.buf;
    const at = e.localOffset;
    if (at + 30 > b.length || b.readUInt32LE(at) !== 0x04034b50) throw new LimitHit(`zip: member ${e.name} is damaged`, true);
    if (e.flags & 1) throw new LimitHit(`zip: member ${e.name} is encrypted`, true);
    const start = at + 30 + b.readUInt16LE(at + 26) + b.readUInt16LE(at + 28);
    const data = b.subarray(start, Math.min(b.length, start + e.compSize));
    if (this.budget <= 0) throw new LimitHit('zip: expanded-bytes limit reached');
    let out: Buffer;
    if (e.method === 0) out = data;
    else if (e.method === 8) {
      try {
        out = inflateRawSync(data, { maxOutputLength: this.budget });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
          this.budget = 0;
          throw new LimitHit(`zip: member ${e.name} expands past the limit (zip bomb?)`);
        }
        throw new LimitHit(`zip: member ${e.name} does not inflate: ${(err as Error).message.slice(0, 80)}`, true);
      }
    } else throw new LimitHit(`zip: member ${e.name} uses unsupported compression method ${e.method}`, true);
    this.budget -= out.length;
    return out;
  }

  /** The member as UTF-8 text (XML parts of OOXML and ODF are UTF-8; a UTF-16 BOM is honoured). */
  text(name: string): string | null {
    const b = this.read(name);
    if (!b) return null;
    if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
    if (b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2, 2 + ((b.length - 2) & ~1))).swap16().toString('utf16le');
    return b.toString('utf8');
  }
}

export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}
