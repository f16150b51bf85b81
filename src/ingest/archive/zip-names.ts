/**
 * @module ingest/archive/zip-names
 * Decoding zip member names, which carry no reliable charset.
 *
 * The spec says: bit 11 set → UTF-8, otherwise CP437. In practice many tools write UTF-8
 * without the flag, and Windows tools write the local OEM/ANSI code page. Our rule:
 *  1. an Info-ZIP Unicode Path extra field (0x7075) whose CRC matches the raw name wins;
 *  2. bit 11 set → UTF-8; invalid bytes become U+FFFD and the name is marked lossy;
 *  3. otherwise valid UTF-8 (ASCII included) is taken as UTF-8;
 *  4. otherwise CP437, which maps every byte, so the original bytes stay recoverable and the
 *     name is not marked lossy.
 */
import { crc32 } from 'node:zlib';
import iconv from 'iconv-lite';

export interface DecodedName {
  name: string;
  lossy: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

export const UTF8_FLAG = 0x800;
const UNICODE_PATH_EXTRA = 0x7075;

export function decodeZipName(raw: Buffer, generalPurposeBitFlag: number, extraFields: ReadonlyArray<{ id: number; data: Buffer }> = []): DecodedName {
  const unicode = infoZipUnicodePath(raw, extraFields);
  if (unicode !== null) return { name: unicode, lossy: false };
  const utf8 = tryUtf8(raw);
  if (generalPurposeBitFlag & UTF8_FLAG) {
    if (utf8 !== null) return { name: utf8, lossy: false };
    return { name: lenientUtf8.decode(raw), lossy: true };
  }
  if (utf8 !== null) return { name: utf8, lossy: false };
  return { name: iconv.decode(raw, 'cp437'), lossy: false };
}

function tryUtf8(raw: Buffer): string | null {
  try {
    return strictUtf8.decode(raw);
  } catch {
    return null;
  }
}

/** Version 1 of the field: [version u8][crc32 of the header name u32][UTF-8 name]. */
function infoZipUnicodePath(raw: Buffer, extraFields: ReadonlyArray<{ id: number; data: Buffer }>): string | null {
  for (const f of extraFields) {
    if (f.id !== UNICODE_PATH_EXTRA || f.data.length < 5 || f.data[0] !== 1) continue;
    // A stale field (name edited by a tool that kept the extra) must not win over the real name.
    if (f.data.readUInt32LE(1) !== crc32(raw)) continue;
    return tryUtf8(f.data.subarray(5));
  }
  return null;
}
