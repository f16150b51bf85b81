/**
 * @module forensics/metadata/pdf
 * PDF properties from the file's own structure: the document information dictionary of the
 * last revision (/Title /Author /Creator /Producer /CreationDate /ModDate), the XMP packet
 * when stored uncompressed (as ISO 32000 recommends), and the revision count. Each save in
 * "incremental update" mode appends objects, a cross-reference section and `startxref …
 * %%EOF`, so sections beyond the first (and beyond the extra one a linearized file starts
 * with) are later edits. Read synchronously from the bytes: an Info dictionary inside a
 * compressed object stream is not reached (noted in `notes`).
 */
import { compact, type DocMetadata } from './types.ts';

export function isPdf(b: Uint8Array): boolean {
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 1024)).includes('%PDF-');
}

/** A PDF string literal or hex string, with escapes and a UTF-16BE BOM handled. */
function pdfString(raw: string): string {
  let bytes: number[] = [];
  if (raw.startsWith('<')) {
    const hex = raw.slice(1, -1).replace(/\s+/g, '');
    for (let i = 0; i < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2).padEnd(2, '0'), 16));
  } else {
    const s = raw.slice(1, -1);
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c !== '\\') {
        bytes.push(s.charCodeAt(i) & 0xff);
        continue;
      }
      const n = s[++i];
      const esc: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
      if (n in esc) bytes.push(esc[n]);
      else if (/[0-7]/.test(n)) {
        let o = n;
        while (o.length < 3 && /[0-7]/.test(s[i + 1] ?? '')) o += s[++i];
        bytes.push(parseInt(o, 8) & 0xff);
      } else if (n === '\r' || n === '\n') {
        if (n === '\r' && s[i + 1] === '\n') i++;
      } else bytes.push(n.charCodeAt(0) & 0xff);
    }
  }
  const buf = Buffer.from(bytes);
  if (buf[0] === 0xfe && buf[1] === 0xff) return buf.subarray(2).swap16().toString('utf16le').replace(/\0+$/, '');
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  return buf.toString('latin1');
}

/** D:YYYYMMDDHHmmSSOHH'mm' → ISO (zone kept when given, local time without one). */
export function pdfDate(s: string | undefined): string | undefined {
  const m = s && /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-])?\s*(\d{2})?'?(\d{2})?/.exec(s.trim());
  if (!m) return undefined;
  const base = `${m[1]}-${m[2] ?? '01'}-${m[3] ?? '01'}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
  if (!m[7]) return base;
  if (m[7] === 'Z') return `${base}Z`;
  return `${base}${m[7]}${m[8] ?? '00'}:${m[9] ?? '00'}`;
}

const VALUE = String.raw`(\((?:\\[\s\S]|[^\\)])*\)|<[0-9a-fA-F\s]*>)`;

function infoValue(dict: string, key: string): string | undefined {
  const m = new RegExp(String.raw`/${key}\s*${VALUE}`).exec(dict);
  return m ? pdfString(m[1]) : undefined;
}

function xmpValue(xmp: string, key: string): string | undefined {
  const attr = new RegExp(`${key}="([^"]*)"`).exec(xmp);
  if (attr) return attr[1];
  const el = new RegExp(`<${key}>\\s*([\\s\\S]*?)\\s*</${key}>`).exec(xmp);
  if (!el) return undefined;
  const li = /<rdf:li[^>]*>([\s\S]*?)<\/rdf:li>/.exec(el[1]);
  return (li ? li[1] : el[1]).replace(/<[^>]+>/g, '').trim() || undefined;
}

export function readPdf(b: Uint8Array): DocMetadata {
  const s = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  const notes: string[] = [];
  const startxrefs = s.match(/\bstartxref\b/g)?.length ?? 0;
  const linearized = /\/Linearized\s/.test(s.slice(0, 2048));
  const incrementalUpdates = Math.max(0, startxrefs - 1 - (linearized ? 1 : 0));
  // The last /Info reference wins: it belongs to the newest trailer.
  const refs = [...s.matchAll(/\/Info\s+(\d+)\s+(\d+)\s+R/g)];
  let info = '';
  const ref = refs.at(-1);
  if (ref) {
    const objs = [...s.matchAll(new RegExp(String.raw`(?:^|[\s>])${ref[1]}\s+${ref[2]}\s+obj\s*<<([\s\S]*?)>>\s*endobj`, 'g'))];
    info = objs.at(-1)?.[1] ?? '';
    if (!info) notes.push('info dictionary not readable (compressed object stream)');
  }
  const xmp = [...s.matchAll(/<x:xmpmeta[\s\S]*?<\/x:xmpmeta>/g)].at(-1)?.[0] ?? '';
  if (xmp) notes.push('xmp');
  const x = (k: string) => (xmp ? xmpValue(xmp, k) : undefined);
  const producer = infoValue(info, 'Producer') ?? x('pdf:Producer');
  const creatorTool = infoValue(info, 'Creator') ?? x('xmp:CreatorTool');
  return compact({
    format: 'pdf',
    pdfVersion: /%PDF-(\d\.\d)/.exec(s.slice(0, 1024))?.[1],
    title: infoValue(info, 'Title') ?? x('dc:title'),
    author: infoValue(info, 'Author') ?? x('dc:creator'),
    software: producer,
    creatorTool: creatorTool !== producer ? creatorTool : undefined,
    created: pdfDate(infoValue(info, 'CreationDate')) ?? x('xmp:CreateDate'),
    modified: pdfDate(infoValue(info, 'ModDate')) ?? x('xmp:ModifyDate'),
    incrementalUpdates,
    linearized: linearized || undefined,
    notes,
  });
}
