/**
 * @module ingest/outlook/codepage
 * Windows code page numbers, as Outlook stores them (PR_INTERNET_CPID, PR_MESSAGE_CODEPAGE,
 * `\ansicpgN` in RTF), to iconv-lite encodings and MIME charset labels.
 *
 * Two different questions are asked: "which charset are these HTML/text bytes in" (the internet
 * code page, may be ISO-2022-JP, UTF-8…) and "which ANSI code page are the PT_STRING8 properties
 * in" (always a Windows/DOS code page: a Japanese Outlook writes CP932 strings even when it sends
 * mail as ISO-2022-JP). `ansiCodepageFor` answers the second from the first.
 */
import iconv from 'iconv-lite';

/** MIME charset label for a code page, or null when unknown. */
export function charsetForCodepage(cp: number): string | null {
  switch (cp) {
    case 65001: return 'utf-8';
    case 20127: return 'us-ascii';
    case 28591: return 'iso-8859-1';
    case 50220: case 50221: case 50222: return 'iso-2022-jp';
    case 51932: case 20932: return 'euc-jp';
    case 932: return 'shift_jis';
    case 936: return 'gbk';
    case 54936: return 'gb18030';
    case 52936: return 'hz-gb-2312';
    case 949: return 'ks_c_5601-1987';
    case 51949: return 'euc-kr';
    case 950: return 'big5';
    case 20866: return 'koi8-r';
    case 21866: return 'koi8-u';
    case 1200: return 'utf-16le';
    case 1201: return 'utf-16be';
    default:
      if (cp >= 28592 && cp <= 28606) return `iso-8859-${cp - 28590}`;
      if (cp >= 1250 && cp <= 1258) return `windows-${cp}`;
      if (cp === 874) return 'windows-874';
      if (cp >= 437 && cp <= 869) return `ibm${cp}`;
      return null;
  }
}

/** iconv-lite encoding name for a code page, or null when iconv-lite cannot decode it. */
export function iconvNameForCodepage(cp: number): string | null {
  const candidates = [charsetForCodepage(cp), `cp${cp}`, `windows-${cp}`].filter((x): x is string => x !== null);
  for (const name of candidates) if (iconv.encodingExists(name)) return name;
  return null;
}

/**
 * The ANSI (PT_STRING8) code page implied by an internet code page: ISO-2022-JP and EUC-JP mail
 * is written by Outlooks whose ANSI code page is 932, and so on. Unicode and ASCII say nothing
 * about the ANSI code page, so they map to null (caller falls back to windows-1252).
 */
export function ansiCodepageFor(internetCp: number): number | null {
  if ([932, 50220, 50221, 50222, 51932, 20932].includes(internetCp)) return 932;
  if ([936, 54936, 52936, 20936].includes(internetCp)) return 936;
  if ([949, 51949, 50225].includes(internetCp)) return 949;
  if ([950, 20000, 20002].includes(internetCp)) return 950;
  if ([20866, 21866, 28595].includes(internetCp)) return 1251;
  if (internetCp === 28592) return 1250;
  if (internetCp === 28597) return 1253;
  if (internetCp === 28599) return 1254;
  if (internetCp === 28598 || internetCp === 38598) return 1255;
  if (internetCp === 28596) return 1256;
  if (internetCp === 28594 || internetCp === 28603 || internetCp === 28604) return 1257;
  if (internetCp >= 1250 && internetCp <= 1258) return internetCp;
  if (internetCp === 874) return 874;
  return null;
}

/** Decodes bytes in a code page, falling back to windows-1252 (never throws). */
export function decodeCodepage(bytes: Uint8Array, cp: number | null): string {
  const name = cp === null ? null : iconvNameForCodepage(cp);
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name ?? 'windows-1252');
}
