/**
 * @module ingest/archive/sniff
 * Recognises archive formats from their first bytes (never from file names: leaked dumps
 * are full of misnamed files). Give it at least 512 bytes to recognise tar.
 */

export type ArchiveKind = 'zip' | 'tar' | 'gzip' | 'bzip2' | '7z' | 'rar';

const startsWith = (head: Buffer, sig: readonly number[], at = 0) =>
  head.length >= at + sig.length && sig.every((b, i) => head[at + i] === b);

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
const ZIP_SPANNED = [0x50, 0x4b, 0x07, 0x08];
const SEVEN_ZIP = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
const RAR4 = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00];
const RAR5 = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00];
const GZIP = [0x1f, 0x8b, 0x08];
const BZIP2_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_EOS = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72]; // "ustar" at 257 (POSIX "ustar\0", GNU "ustar  ")

export function sniffArchive(head: Buffer): ArchiveKind | null {
  if (startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY) || startsWith(head, ZIP_SPANNED)) return 'zip';
  if (startsWith(head, SEVEN_ZIP)) return '7z';
  if (startsWith(head, RAR4) || startsWith(head, RAR5)) return 'rar';
  if (startsWith(head, GZIP)) return 'gzip';
  if (isBzip2(head)) return 'bzip2';
  if (startsWith(head, USTAR, 257) || isOldTar(head)) return 'tar';
  return null;
}

/** "BZh" + level 1-9, then a block or end-of-stream magic when we have enough bytes to see it. */
function isBzip2(head: Buffer): boolean {
  if (!startsWith(head, [0x42, 0x5a, 0x68]) || head.length < 4 || head[3] < 0x31 || head[3] > 0x39) return false;
  if (head.length < 10) return true;
  return startsWith(head, BZIP2_BLOCK, 4) || startsWith(head, BZIP2_EOS, 4);
}

/**
 * A pre-POSIX (v7) tar header has no magic, only a checksum: the byte sum of the 512-byte
 * header with the checksum field read as spaces, stored as octal at offset 148.
 */
function isOldTar(head: Buffer): boolean {
  if (head.length < 512 || head[0] === 0) return false;
  const field = head.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]{1,7}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i];
  return sum === parseInt(field, 8);
}
