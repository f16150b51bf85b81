import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CFB from 'cfb';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { attachmentFindings } from '../attachments.ts';
import { majorityScript } from '../script.ts';
import { extractMetadata } from './index.ts';
import { MAX_CFB_BYTES } from './ole.ts';
import { readStreams } from './ole-bounded.ts';
import type { DocMetadata } from './types.ts';

/** A .docx written by python3's zipfile with known docProps. */
function docx(creator: string, created: string, modified: string, totalTime: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'trove-ooxml-'));
  const out = join(dir, 'a.docx');
  const core = `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>${creator}</dc:creator><cp:lastModifiedBy>Marie Dupont</cp:lastModifiedBy><cp:revision>7</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">${created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${modified}</dcterms:modified></cp:coreProperties>`;
  const app = `<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Template>Normal.dotm</Template><TotalTime>${totalTime}</TotalTime><Application>Microsoft Office Word</Application><AppVersion>16.0000</AppVersion><Company>En Marche</Company></Properties>`;
  execFileSync('python3', ['-c', `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
z.writestr('word/document.xml', '<w:document/>')
z.writestr('docProps/core.xml', sys.argv[2])
z.writestr('docProps/app.xml', sys.argv[3])
z.close()`, out, core, app]);
  return readFileSync(out);
}

/** A PDF written by hand, then changed once by an incremental update (new Info, xref, trailer). */
function pdfWithUpdate(): Buffer {
  let s = '%PDF-1.4\n';
  const off: number[] = [];
  const obj = (n: number, body: string) => {
    off[n] = Buffer.byteLength(s, 'latin1');
    s += `${n} 0 obj\n${body}\nendobj\n`;
  };
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, '<< /Type /Pages /Kids [] /Count 0 >>');
  obj(3, '<< /Title (Contract) /Author (Jean Martin) /Producer (LibreOffice 7.0) /CreationDate (D:20170401100000+02\'00\') /ModDate (D:20170401100000+02\'00\') >>');
  const xref1 = Buffer.byteLength(s, 'latin1');
  s += `xref\n0 4\n0000000000 65535 f \n${[1, 2, 3].map((n) => `${String(off[n]).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 4 /Root 1 0 R /Info 3 0 R >>\nstartxref\n${xref1}\n%%EOF\n`;
  obj(3, '<< /Title (Contract v2) /Author (Jean Martin) /Producer (Acrobat 9) /CreationDate (D:20170401100000+02\'00\') /ModDate (D:20170502120000+02\'00\') >>');
  const xref2 = Buffer.byteLength(s, 'latin1');
  s += `xref\n3 1\n${String(off[3]).padStart(10, '0')} 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R /Info 3 0 R /Prev ${xref1} >>\nstartxref\n${xref2}\n%%EOF\n`;
  return Buffer.from(s, 'latin1');
}

/** A minimal JPEG with an EXIF segment: make, model, software, DateTimeOriginal, GPS. */
function jpegWithExif(): Buffer {
  // Big-endian TIFF. IFD0 at 8: Make, Model, Software, ExifIFD, GPSIFD.
  const strings = { make: 'Canon\0', model: 'Canon EOS 5D\0', soft: 'GIMP 2.10\0', date: '2017:05:03 14:22:01\0' };
  const entry = (tag: number, type: number, count: number, value: number) => {
    const b = Buffer.alloc(12);
    b.writeUInt16BE(tag, 0);
    b.writeUInt16BE(type, 2);
    b.writeUInt32BE(count, 4);
    if (type === 3 && count === 1) b.writeUInt16BE(value, 8);
    else b.writeUInt32BE(value, 8);
    return b;
  };
  const ifd0 = 8;
  const ifd0Size = 2 + 5 * 12 + 4;
  const exifIfd = ifd0 + ifd0Size;
  const exifSize = 2 + 12 + 4;
  const gpsIfd = exifIfd + exifSize;
  const gpsSize = 2 + 4 * 12 + 4;
  let data = gpsIfd + gpsSize;
  const blobs: Buffer[] = [];
  const put = (b: Buffer) => {
    const at = data;
    blobs.push(b);
    data += b.length;
    return at;
  };
  const make = put(Buffer.from(strings.make, 'latin1'));
  const model = put(Buffer.from(strings.model, 'latin1'));
  const soft = put(Buffer.from(strings.soft, 'latin1'));
  const date = put(Buffer.from(strings.date, 'latin1'));
  const rational = (vals: [number, number][]) => {
    const b = Buffer.alloc(vals.length * 8);
    vals.forEach(([n, d], i) => {
      b.writeUInt32BE(n, i * 8);
      b.writeUInt32BE(d, i * 8 + 4);
    });
    return b;
  };
  const lat = put(rational([[48, 1], [51, 1], [2400, 100]]));
  const lon = put(rational([[2, 1], [21, 1], [0, 1]]));
  const ascii = (s: string) => s.charCodeAt(0) << 24;
  const tiff = Buffer.concat([
    Buffer.from('MM\0*', 'latin1'), Buffer.from([0, 0, 0, 8]),
    Buffer.from([0, 5]), entry(0x10f, 2, strings.make.length, make), entry(0x110, 2, strings.model.length, model), entry(0x131, 2, strings.soft.length, soft), entry(0x8769, 4, 1, exifIfd), entry(0x8825, 4, 1, gpsIfd), Buffer.alloc(4),
    Buffer.from([0, 1]), entry(0x9003, 2, strings.date.length, date), Buffer.alloc(4),
    Buffer.from([0, 4]), entry(1, 2, 2, ascii('N')), entry(2, 5, 3, lat), entry(3, 2, 2, ascii('E')), entry(4, 5, 3, lon), Buffer.alloc(4),
    ...blobs,
  ]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.from([(tiff.length + 8) >> 8, (tiff.length + 8) & 0xff]), Buffer.from('Exif\0\0', 'latin1'), tiff]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, Buffer.from([0xff, 0xda, 0, 2, 0xff, 0xd9])]);
}

type Prop = [number, Buffer];
const lpstr = (s: string, cp = 'cp1251'): Buffer => {
  const bytes = Buffer.concat([iconv.encode(s, cp), Buffer.from([0])]);
  const b = Buffer.alloc(8 + Math.ceil(bytes.length / 4) * 4);
  b.writeUInt32LE(30, 0);
  b.writeUInt32LE(bytes.length, 4);
  bytes.copy(b, 8);
  return b;
};
const filetime = (iso: string): Buffer => {
  const b = Buffer.alloc(12);
  b.writeUInt32LE(64, 0);
  b.writeBigUInt64LE((BigInt(Date.parse(iso)) + 11_644_473_600_000n) * 10_000n, 4);
  return b;
};
const i2 = (v: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(2, 0);
  b.writeInt16LE(v, 4);
  return b;
};

/** A property-set stream ([MS-OLEPS]) with one section of the given format id. */
function propertySet(fmtid: string, props: Prop[]): Buffer {
  const head = 8 + props.length * 8;
  let at = head;
  const table = Buffer.alloc(props.length * 8);
  props.forEach(([id, v], i) => {
    table.writeUInt32LE(id, i * 8);
    table.writeUInt32LE(at, i * 8 + 4);
    at += v.length;
  });
  const section = Buffer.concat([Buffer.alloc(8), table, ...props.map((p) => p[1])]);
  section.writeUInt32LE(section.length, 0);
  section.writeUInt32LE(props.length, 4);
  const header = Buffer.alloc(48);
  header.writeUInt16LE(0xfffe, 0);
  header.writeUInt32LE(1, 24);
  Buffer.from(fmtid, 'hex').copy(header, 28);
  header.writeUInt32LE(48, 44);
  return Buffer.concat([header, section]);
}

/** A compound file written by SheetJS cfb (an independent writer) with the given streams. */
function compound(streams: Record<string, Buffer>): Buffer {
  const cfb = CFB.utils.cfb_new();
  for (const [name, data] of Object.entries(streams)) CFB.utils.cfb_add(cfb, `/${name}`, data);
  return Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}

const SI = '\u0005SummaryInformation';
const DSI = '\u0005DocumentSummaryInformation';

/** A legacy .doc-like compound file with a SummaryInformation stream (author in cp1251). */
function oleDoc(author: string, opts: { wordBytes?: number; title?: string; company?: string } = {}): Buffer {
  const props: Prop[] = [[1, i2(1251)], [4, lpstr(author)], [8, lpstr(author)], [12, filetime('2017-04-20T10:00:00Z')], [13, filetime('2017-04-19T09:00:00Z')], [18, lpstr('Microsoft Office Word')]];
  if (opts.title) props.push([2, lpstr(opts.title)]);
  const streams: Record<string, Buffer> = { [SI]: propertySet('e0859ff2f94f6810ab9108002b27b3d9', props), WordDocument: Buffer.alloc(opts.wordBytes ?? 4096, 0x41) };
  if (opts.company) streams[DSI] = propertySet('02d5cdd59c2e1b10939708002b2cf9ae', [[1, i2(1251)], [15, lpstr(opts.company)]]);
  return compound(streams);
}

/** The streams as SheetJS cfb reads them (the oracle for the bounded reader). */
function cfbStream(file: Buffer, name: string): Buffer | null {
  const c = CFB.read(file, { type: 'buffer' });
  const i = c.FullPaths.indexOf(`${c.FullPaths[0]}${name}`);
  const content = i >= 0 ? c.FileIndex[i]?.content : undefined;
  return content ? Buffer.from(content as Uint8Array) : null;
}

const SENT = Date.parse('2017-05-05T18:00:00Z');
const LATIN = majorityScript(['Marie Dupont', 'Jean Martin', 'En Marche', 'Alain Durand', 'Sophie Bernard']);

function anomalies(m: DocMetadata, filename: string) {
  return attachmentFindings({ filename, metadata: m }, SENT, LATIN);
}

describe('extractMetadata', () => {
  it('reads OOXML docProps', () => {
    const m = extractMetadata(docx('Marie Dupont', '2017-04-01T09:00:00Z', '2017-05-02T16:30:00Z', 125));
    expect(m).toEqual({
      format: 'ooxml', author: 'Marie Dupont', lastModifiedBy: 'Marie Dupont', company: 'En Marche', software: 'Microsoft Office Word 16.0000',
      template: 'Normal.dotm', revision: '7', totalEditMinutes: 125, created: '2017-04-01T09:00:00Z', modified: '2017-05-02T16:30:00Z',
    });
    expect(anomalies(m as DocMetadata, 'a.docx')).toEqual([]);
  });
  it('flags OOXML created after modified, modified after sending, and a foreign-script author', () => {
    const m = extractMetadata(docx('Роман Иванов', '2017-05-06T09:00:00Z', '2017-05-06T08:00:00Z', 10)) as DocMetadata;
    const f = anomalies(m, 'note.docx');
    expect(f.map((x) => x.code)).toEqual(['attachment-metadata-anomaly', 'attachment-metadata-anomaly', 'attachment-metadata-anomaly']);
    expect(f.map((x) => x.detail).join('\n')).toMatch(/created 2017-05-06T09:00:00Z, after it was last modified[\s\S]*after the email carrying it was sent[\s\S]*Cyrillic script \("Роман Иванов"\)/);
  });
  it('reads a PDF Info dictionary of the last revision and counts incremental updates', () => {
    const m = extractMetadata(pdfWithUpdate()) as DocMetadata;
    expect(m).toMatchObject({ format: 'pdf', pdfVersion: '1.4', title: 'Contract v2', author: 'Jean Martin', software: 'Acrobat 9', created: '2017-04-01T10:00:00+02:00', modified: '2017-05-02T12:00:00+02:00', incrementalUpdates: 1 });
    expect(anomalies(m, 'c.pdf')).toEqual([expect.objectContaining({ code: 'attachment-metadata-anomaly', severity: 'info', contradicts: false })]);
  });
  it('reads EXIF camera, software, original date and GPS', () => {
    const m = extractMetadata(jpegWithExif()) as DocMetadata;
    expect(m).toEqual({ format: 'exif', make: 'Canon', model: 'Canon EOS 5D', software: 'GIMP 2.10', taken: '2017-05-03T14:22:01', gps: { latitude: 48.856667, longitude: 2.35 } });
    // GIMP in EXIF Software: retouched, listed for the analyst, contradicts nothing
    expect(anomalies(m, 'p.jpg')).toEqual([expect.objectContaining({ severity: 'info', contradicts: false, detail: expect.stringMatching(/photo editing software \("GIMP 2\.10"\)/) })]);
    expect(attachmentFindings({ filename: 'p.jpg', metadata: m }, Date.parse('2017-05-01T00:00:00Z'), LATIN)[0].detail).toMatch(/taken 2017-05-03T14:22:01 \(local time\), after the email/);
  });
  it('reads OLE summary information with its code page', () => {
    const m = extractMetadata(oleDoc('Роман')) as DocMetadata;
    expect(m).toMatchObject({ format: 'ole', author: 'Роман', lastModifiedBy: 'Роман', software: 'Microsoft Office Word', created: '2017-04-20T10:00:00.000Z', modified: '2017-04-19T09:00:00.000Z' });
    expect(anomalies(m, 'old.doc').map((x) => x.detail).join('\n')).toMatch(/created .* after it was last modified[\s\S]*Cyrillic/);
  });
  it('returns null for other content and an error record for broken files', () => {
    expect(extractMetadata(Buffer.from('hello'))).toBeNull();
    expect(extractMetadata(Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('[Content_Types].xml'), Buffer.alloc(40)]))).toHaveProperty('error');
  });
});

describe('legacy Office files over the cfb size limit (bounded reader)', () => {
  it('reads a 2 MB .doc written by cfb: summary and document summary information', () => {
    const doc = oleDoc('Роман Иванов', { wordBytes: 2 * 1024 * 1024, company: 'ООО Ромашка' });
    expect(doc.length).toBeGreaterThan(MAX_CFB_BYTES);
    expect(extractMetadata(doc)).toMatchObject({ format: 'ole', author: 'Роман Иванов', lastModifiedBy: 'Роман Иванов', company: 'ООО Ромашка', software: 'Microsoft Office Word', created: '2017-04-20T10:00:00.000Z', modified: '2017-04-19T09:00:00.000Z' });
  });
  it('returns the same stream bytes as SheetJS cfb, from the mini stream and from regular sectors', () => {
    // a title of 6,000 characters makes SummaryInformation larger than the 4,096-byte mini stream cutoff
    for (const doc of [oleDoc('Jean', { company: 'En Marche' }), oleDoc('Jean', { wordBytes: 1 << 20, title: 'x'.repeat(6000), company: 'En Marche' })]) {
      const got = readStreams(doc, [SI, DSI, 'WordDocument']);
      expect(got.get(SI)).toEqual(cfbStream(doc, SI));
      expect(got.get(DSI)).toEqual(cfbStream(doc, DSI));
      // larger than a property set may be: not read
      expect(got.get('WordDocument')).toEqual(doc.length > MAX_CFB_BYTES ? null : cfbStream(doc, 'WordDocument'));
    }
    expect((extractMetadata(oleDoc('Jean', { wordBytes: 1 << 20, title: 'x'.repeat(6000) })) as DocMetadata).title).toHaveLength(6000);
  });
  it('gives an error record for a truncated file and stops on a looping chain', () => {
    const doc = oleDoc('Jean', { wordBytes: 1 << 20 });
    expect(extractMetadata(doc.subarray(0, 600 * 1024))).toHaveProperty('error');
    const loop = Buffer.from(doc);
    loop.writeInt32LE(loop.readInt32LE(48), 512 + (loop.readInt32LE(76) * 512) + 4 * loop.readInt32LE(48)); // directory sector points to itself
    // the directory chain is cut at the file's sector count: same properties, no hang
    expect(extractMetadata(loop)).toEqual(extractMetadata(doc));
  });
});
