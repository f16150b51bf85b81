/**
 * @module extract
 * Text of mail attachments for the search index: PDF, Office Open XML (docx, xlsx, pptx),
 * OpenDocument (odt, ods, odp), RTF, HTML and plain text. The kind is recognised by content
 * first (magic bytes, zip members), then by content type, then by file name. Every file is
 * bounded (extract/limits): size, output characters, PDF pages, zip members and expanded
 * bytes, RTF nesting, time. Never throws on the input: a limit reached gives
 * `truncated: true` (with the partial text and a `note`), a file that cannot be read gives
 * `error`.
 *
 * `extractTextSync` covers every kind but PDF (pdf.js is promise-only); `extractText` covers
 * all. Legacy Word (.doc) is read by `extractText` (extract/doc); legacy Excel and PowerPoint
 * binaries (.xls/.ppt) are recognised but not read.
 */
import { decodeText } from '../mime/charset.ts';
import { DEFAULT_EXTRACT_LIMITS, LimitHit, Sink, resolveExtractLimits, type ExtractLimits } from './limits.ts';
import { htmlToText } from './html.ts';
import { docText, isWordDoc } from './doc.ts';
import { docxText, odfText, pptxText, xlsxText } from './office.ts';
import { isPdf, pdfText } from './pdf.ts';
import { isRtf, rtfText } from './rtf.ts';
import { Zip, isZip } from './zip.ts';

export { DEFAULT_EXTRACT_LIMITS, resolveExtractLimits, type ExtractLimits } from './limits.ts';
export { htmlToText } from './html.ts';

export type ExtractKind = 'pdf' | 'doc' | 'docx' | 'xlsx' | 'pptx' | 'odt' | 'ods' | 'odp' | 'rtf' | 'text' | 'html' | 'none';

export interface ExtractResult {
  text: string;
  kind: ExtractKind;
  /** A limit stopped extraction early; `text` holds what was read before it and `note` says which. */
  truncated: boolean;
  /** Why the file yielded no (or only partial) text because it could not be read; null when fine. */
  error: string | null;
  /** Which limit truncated the text (null when not truncated). */
  note: string | null;
  /** Set (true) when the time budget stopped it: a hit that depends on machine load, unlike the size limits. */
  timedOut?: true;
}

const EXT: Record<string, ExtractKind> = {
  pdf: 'pdf', doc: 'doc', dot: 'doc', docx: 'docx', docm: 'docx', dotx: 'docx', dotm: 'docx', xlsx: 'xlsx', xlsm: 'xlsx', xltx: 'xlsx', xltm: 'xlsx',
  pptx: 'pptx', pptm: 'pptx', ppsx: 'pptx', potx: 'pptx', odt: 'odt', ott: 'odt', ods: 'ods', ots: 'ods', odp: 'odp', otp: 'odp',
  rtf: 'rtf', htm: 'html', html: 'html', xhtml: 'html', txt: 'text', text: 'text', csv: 'text', tsv: 'text', md: 'text',
  log: 'text', json: 'text', xml: 'text', ini: 'text', cfg: 'text', vcf: 'text', ics: 'text', asc: 'text', diff: 'text', patch: 'text',
};

const TYPES: Record<string, ExtractKind> = {
  'application/pdf': 'pdf', 'application/x-pdf': 'pdf', 'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt', 'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp', 'application/rtf': 'rtf', 'text/rtf': 'rtf', 'text/richtext': 'rtf',
  'text/html': 'html', 'application/xhtml+xml': 'html', 'application/json': 'text', 'application/xml': 'text',
};

const ZIP_KINDS = new Set<ExtractKind>(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp']);

function declaredKind(contentType: string, filename: string | null): ExtractKind {
  const mime = contentType.split(';')[0].trim().toLowerCase();
  if (TYPES[mime]) return TYPES[mime];
  if (mime.startsWith('text/')) return 'text';
  const ext = filename ? /\.([a-z0-9]{1,8})$/i.exec(filename.trim())?.[1]?.toLowerCase() : undefined;
  return (ext && EXT[ext]) || 'none';
}

function charsetOf(contentType: string): string | null {
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return m ? m[2] : null;
}

function isOle(b: Uint8Array): boolean {
  return b.length >= 8 && b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0 && b[4] === 0xa1 && b[5] === 0xb1 && b[6] === 0x1a && b[7] === 0xe1;
}

/** The kind of a zip container from its members (ODF's mimetype member first). */
function zipKind(zip: Zip): ExtractKind {
  if (zip.has('mimetype') && zip.has('content.xml')) {
    const mt = (zip.read('mimetype') ?? Buffer.alloc(0)).subarray(0, 200).toString('latin1');
    if (/opendocument\.(text|text-template|text-master)\b/.test(mt)) return 'odt';
    if (/opendocument\.spreadsheet/.test(mt)) return 'ods';
    if (/opendocument\.presentation/.test(mt)) return 'odp';
    return 'odt'; // other ODF (drawing, chart…): content.xml text is still text
  }
  if (zip.has('content.xml') && zip.has('meta-inf/manifest.xml')) return 'odt';
  if (zip.has('word/document.xml') || zip.names().some((n) => /^word\/document\d*\.xml$/.test(n))) return 'docx';
  if (zip.has('xl/workbook.xml') || zip.has('xl/sharedstrings.xml')) return 'xlsx';
  if (zip.has('ppt/presentation.xml') || zip.names().some((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n))) return 'pptx';
  return 'none';
}

/** True when the bytes look like text: no NUL, few control characters (first 4 KB). */
function looksTextual(b: Uint8Array): boolean {
  const n = Math.min(b.length, 4096);
  if (n === 0) return false;
  let ctl = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return false;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) ctl++;
  }
  return ctl * 100 < n;
}

function decodeTextual(b: Uint8Array, contentType: string, html: boolean): string {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return decodeText(b.subarray(3), 'utf-8').text;
  if (b[0] === 0xff && b[1] === 0xfe) return decodeText(b.subarray(2), 'utf-16le').text;
  if (b[0] === 0xfe && b[1] === 0xff) return decodeText(b.subarray(2), 'utf-16be').text;
  let cs = charsetOf(contentType);
  if (!cs && html) {
    const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 2048)).toString('latin1');
    cs = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1] ?? null;
  }
  return decodeText(b, cs).text;
}

interface Plan {
  kind: ExtractKind;
  zip?: Zip;
  error?: string;
}

function plan(bytes: Uint8Array, contentType: string, filename: string | null, limits: ExtractLimits): Plan {
  if (isPdf(bytes)) return { kind: 'pdf' };
  if (isRtf(bytes)) return { kind: 'rtf' };
  const declared = declaredKind(contentType || '', filename);
  if (isZip(bytes)) {
    let zip: Zip;
    try {
      zip = new Zip(bytes, limits.maxZipMembers, limits.maxXmlBytes);
    } catch (e) {
      return { kind: ZIP_KINDS.has(declared) ? declared : 'none', error: (e as Error).message };
    }
    const kind = zipKind(zip);
    if (kind !== 'none') return { kind, zip };
    return ZIP_KINDS.has(declared) ? { kind: declared, error: `zip without the ${declared} parts (not a ${declared} file)` } : { kind: 'none' };
  }
  if (isOle(bytes)) return isWordDoc(bytes) ? { kind: 'doc' } : { kind: 'none', error: 'legacy binary Office file (.xls/.ppt/.msg): text not extracted' };
  if (declared === 'pdf' || declared === 'doc' || ZIP_KINDS.has(declared) || declared === 'rtf') return { kind: declared, error: `not a ${declared} file (content does not match its type or name)` };
  if (declared === 'html' || declared === 'text') return { kind: declared };
  // Untyped or generic (application/octet-stream): sniff HTML and plain text.
  if (!looksTextual(bytes)) return { kind: 'none' };
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 512)).toString('latin1').trimStart().toLowerCase();
  return { kind: head.startsWith('<!doctype html') || head.startsWith('<html') ? 'html' : 'text' };
}

function result(kind: ExtractKind, out: Sink | null, error: string | null): ExtractResult {
  return { text: out ? out.text() : '', kind, truncated: out?.truncated ?? false, error, note: out?.note ?? null, timedOut: out?.timedOut ? true : undefined };
}

function runSync(p: Plan, bytes: Uint8Array, contentType: string, out: Sink): ExtractResult {
  if (p.error) return result(p.kind, null, p.error);
  const big = bytes.length > out.limits.maxInputBytes;
  if (big && p.kind !== 'text' && p.kind !== 'html') return result(p.kind, null, `file of ${bytes.length} bytes is over the ${out.limits.maxInputBytes}-byte limit`);
  const input = big ? bytes.subarray(0, out.limits.maxInputBytes) : bytes;
  try {
    switch (p.kind) {
      case 'docx':
        docxText(p.zip!, out);
        break;
      case 'xlsx':
        xlsxText(p.zip!, out);
        break;
      case 'pptx':
        pptxText(p.zip!, out);
        break;
      case 'odt':
      case 'ods':
      case 'odp':
        odfText(p.zip!, out);
        break;
      case 'rtf':
        rtfText(input, out);
        break;
      case 'text':
        out.push(decodeTextual(input, contentType, false));
        break;
      case 'html':
        out.push(htmlToText(decodeTextual(input, contentType, true)));
        break;
      default:
        break;
    }
  } catch (e) {
    if (e instanceof LimitHit) {
      if (e.fatal) return result(p.kind, out, e.message);
      out.stop(e.message);
    } else return result(p.kind, out, `unreadable ${p.kind}: ${String((e as Error)?.message ?? e).slice(0, 160)}`);
  }
  if (big) out.stop(`input cut at the ${out.limits.maxInputBytes}-byte limit`);
  return result(p.kind, out, null);
}

function safeLimits(limits: Partial<ExtractLimits> | undefined): ExtractLimits | string {
  if (!limits) return DEFAULT_EXTRACT_LIMITS;
  try {
    return resolveExtractLimits(limits);
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Text of one attachment, synchronously: every kind but PDF and Word .doc. Those give an error
 * result saying so: call `extractText` for them.
 */
export function extractTextSync(bytes: Uint8Array, contentType: string, filename: string | null, limits?: Partial<ExtractLimits>): ExtractResult {
  const s = start(bytes, contentType, filename, limits);
  if ('kind' in s) return s;
  if (s.p.kind === 'pdf') return result('pdf', null, 'PDF text needs the asynchronous extractText');
  if (s.p.kind === 'doc' && !s.p.error) return result('doc', null, 'Word .doc text needs the asynchronous extractText');
  return runSync(s.p, bytes, contentType ?? '', new Sink(s.l, s.started));
}

/** What both entry points do first: validate the limits and plan the extraction, or fail as a result. */
function start(bytes: Uint8Array, contentType: string, filename: string | null, limits: Partial<ExtractLimits> | undefined): ExtractResult | { p: Plan; l: ExtractLimits; started: number } {
  const started = Date.now();
  const l = safeLimits(limits);
  if (typeof l === 'string') return result('none', null, l);
  try {
    return { p: plan(bytes, contentType ?? '', filename, l), l, started };
  } catch (e) {
    return result('none', null, `unrecognised: ${(e as Error).message}`);
  }
}

/** Text of one attachment; PDF through pdf.js and Word .doc (asynchronous), the rest as extractTextSync. */
export async function extractText(bytes: Uint8Array, contentType: string, filename: string | null, limits?: Partial<ExtractLimits>): Promise<ExtractResult> {
  const s = start(bytes, contentType, filename, limits);
  if ('kind' in s) return s;
  const { p, l, started } = s;
  if (p.kind === 'doc' && !p.error) {
    if (bytes.length > l.maxInputBytes) return result('doc', null, `file of ${bytes.length} bytes is over the ${l.maxInputBytes}-byte limit`);
    const out = new Sink(l, started);
    try {
      return result('doc', out, await docText(bytes, out));
    } catch (e) {
      if (e instanceof LimitHit) return result('doc', out, null);
      return result('doc', out, `unreadable Word .doc: ${String((e as Error)?.message ?? e).slice(0, 160)}`);
    }
  }
  if (p.kind !== 'pdf') return runSync(p, bytes, contentType ?? '', new Sink(l, started));
  if (p.error) return result('pdf', null, p.error);
  if (bytes.length > l.maxInputBytes) return result('pdf', null, `file of ${bytes.length} bytes is over the ${l.maxInputBytes}-byte limit`);
  const out = new Sink(l, started);
  try {
    const err = await pdfText(bytes, out);
    return result('pdf', out, err);
  } catch (e) {
    return result('pdf', out, `PDF unreadable: ${String((e as Error)?.message ?? e).slice(0, 160)}`);
  }
}
