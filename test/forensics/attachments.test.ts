/**
 * Attachment and photo checks through the CLI, on documents made in the test with known
 * properties: .docx files written by Python's zipfile, JPEG photos whose EXIF block is
 * built here and read back by exifr (an independent reader) before trove sees them.
 * - software unlike the sender's: one sender's tenth document made with LibreOffice after
 *   nine made with Word; a Cyrillic author among a sender's Latin names (the corpus as a
 *   whole has no majority script, so only the sender's habit can tell);
 * - photos: taken after the message was sent, taken after the file was last changed, saved
 *   by Photoshop, an "iPhone Mail" message carrying a photo just taken by a Canon camera;
 * - untouched documents and photos: no finding.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exifr from 'exifr';
import { beforeAll, describe, expect, it } from 'vitest';
import { trove } from '../helpers/cli.ts';

interface Rec { sources: { locator: string }[]; verdict: string; attachments: { filename: string; metadata: Record<string, unknown> }[]; evidence: { code: string; severity: string; detail: string }[] }

function docx(dir: string, name: string, author: string, application: string): Buffer {
  const out = join(dir, name);
  const core = `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>${author}</dc:creator><cp:lastModifiedBy>${author}</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">2017-04-01T09:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2017-04-02T09:00:00Z</dcterms:modified></cp:coreProperties>`;
  const app = `<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>${application}</Application><TotalTime>30</TotalTime></Properties>`;
  execFileSync('python3', ['-c', `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
z.writestr('word/document.xml', '<w:document/>')
z.writestr('docProps/core.xml', sys.argv[2])
z.writestr('docProps/app.xml', sys.argv[3])
z.close()`, out, core, app]);
  return readFileSync(out);
}

/** A JPEG with IFD0 Make, Model, Software, DateTime and an EXIF IFD with DateTimeOriginal (little-endian TIFF). */
function jpeg(t: { make: string; model: string; software: string; modified: string; taken: string }): Buffer {
  const tags: [number, string][] = [[0x10f, t.make], [0x110, t.model], [0x131, t.software], [0x132, t.modified]];
  const ifd0 = 8;
  const ifd0Size = 2 + (tags.length + 1) * 12 + 4;
  const exifIfd = ifd0 + ifd0Size;
  const exifSize = 2 + 12 + 4;
  let data = exifIfd + exifSize;
  const blobs: Buffer[] = [];
  const entry = (tag: number, type: number, count: number, value: number) => {
    const b = Buffer.alloc(12);
    b.writeUInt16LE(tag, 0);
    b.writeUInt16LE(type, 2);
    b.writeUInt32LE(count, 4);
    b.writeUInt32LE(value, 8);
    return b;
  };
  const ascii = (tag: number, s: string) => {
    const bytes = Buffer.from(`${s}\0`, 'latin1');
    const e = entry(tag, 2, bytes.length, data);
    blobs.push(bytes);
    data += bytes.length;
    return e;
  };
  const count = (n: number) => Buffer.from([n, 0]);
  const ifd0Entries = [...tags.map(([tag, s]) => ascii(tag, s)), entry(0x8769, 4, 1, exifIfd)];
  const exifEntries = [ascii(0x9003, t.taken)];
  const tiff = Buffer.concat([Buffer.from('II*\0', 'latin1'), Buffer.from([8, 0, 0, 0]), count(ifd0Entries.length), ...ifd0Entries, Buffer.alloc(4), count(1), ...exifEntries, Buffer.alloc(4), ...blobs]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.from([(tiff.length + 8) >> 8, (tiff.length + 8) & 0xff]), Buffer.from('Exif\0\0', 'latin1'), tiff]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, Buffer.from([0xff, 0xda, 0, 2, 0xff, 0xd9])]);
}

function mail(o: { from: string; date: string; subject: string; mailer?: string; files: [string, string, Buffer][] }): string {
  const b = 'trove-test-boundary';
  return [
    `From: ${o.from}`, 'To: desk@newsroom.org', `Subject: ${o.subject}`, `Date: ${o.date}`, `Message-ID: <${o.subject.replace(/\W/g, '')}@mail.newsroom.org>`,
    ...(o.mailer ? [`X-Mailer: ${o.mailer}`] : []), 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${b}"`, '',
    `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', 'See attached.', '',
    ...o.files.flatMap(([name, type, data]) => [`--${b}`, `Content-Type: ${type}; name="${name}"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${name}"`, '', data.toString('base64').replace(/.{76}/g, '$&\n'), '']),
    `--${b}--`, '',
  ].join('\n');
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const WORD = 'Microsoft Office Word';
const CANON = { make: 'Canon', model: 'Canon EOS 5D Mark III', software: 'Firmware Version 1.3.3', modified: '2017:04:28 10:15:00', taken: '2017:04:28 10:15:00' };

describe('attachment metadata against the sender and the message', () => {
  let recs: Rec[];
  const rec = (subject: string) => recs.find((r) => r.sources.some((s) => s.locator.endsWith(`${subject}.eml`)))!;
  const anomalies = (subject: string, severity?: string) => rec(subject).evidence.filter((e) => e.code === 'attachment-metadata-anomaly' && (!severity || e.severity === severity));

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-attach-'));
    const dump = join(dir, 'dump');
    mkdirSync(dump);
    const put = (subject: string, o: Omit<Parameters<typeof mail>[0], 'subject'>) => writeFileSync(join(dump, `${subject}.eml`), mail({ ...o, subject }));
    const latin = ['Marie Dupont', 'Jean Martin', 'Alain Durand', 'Sophie Bernard', 'Paul Petit', 'Claire Moreau', 'Luc Simon', 'Anne Laurent', 'Henri Roux'];
    latin.forEach((a, i) => put(`word-${i}`, { from: 'Alice <alice@campagne.fr>', date: `Mon, ${10 + i} Apr 2017 10:00:00 +0200`, files: [[`note-${i}.docx`, DOCX, docx(dir, `w${i}.docx`, a, WORD)]] }));
    put('libreoffice', { from: 'Alice <alice@campagne.fr>', date: 'Fri, 21 Apr 2017 10:00:00 +0200', files: [['plan.docx', DOCX, docx(dir, 'lo.docx', 'Marie Dupont', 'LibreOffice/5.2.7.2$Windows_X86_64 LibreOffice_project/2b7f1e640c46ceb28adf43ee075a6e8b8439ed10')]] });
    put('cyrillic', { from: 'Alice <alice@campagne.fr>', date: 'Sat, 22 Apr 2017 10:00:00 +0200', files: [['budget.docx', DOCX, docx(dir, 'cy.docx', 'Роман Иванов', WORD)]] });
    // another sender writes in Cyrillic, so the corpus has no majority script
    ['Пётр Смирнов', 'Ольга Козлова', 'Иван Попов', 'Анна Волкова', 'Сергей Морозов', 'Мария Соколова'].forEach((a, i) => put(`ru-${i}`, { from: 'Boris <boris@rosmail.ru>', date: `Tue, ${11 + i} Apr 2017 10:00:00 +0300`, files: [[`doc-${i}.docx`, DOCX, docx(dir, `r${i}.docx`, a, WORD)]] }));

    const photos: Record<string, Parameters<typeof jpeg>[0]> = {
      'photo-ok': CANON,
      'photo-after-sent': { ...CANON, taken: '2017:05:03 14:22:01', modified: '2017:05:03 14:22:01' },
      'photo-dates-reversed': { ...CANON, taken: '2017:04:28 18:00:00', modified: '2017:04:27 09:00:00' },
      'photo-photoshop': { ...CANON, software: 'Adobe Photoshop CC 2017 (Windows)', modified: '2017:04:29 09:00:00' },
    };
    for (const [subject, t] of Object.entries(photos)) {
      const jpg = jpeg(t);
      // the test's JPEG must say what exifr (an independent EXIF reader) reads in it
      const x = await exifr.parse(jpg, { tiff: true, exif: true, reviveValues: false });
      expect([x.Make, x.Model, x.Software, x.DateTimeOriginal]).toEqual([t.make, t.model, t.software, t.taken]);
      put(subject, { from: 'Carol <carol@carolphoto.net>', date: 'Mon, 01 May 2017 09:00:00 +0200', files: [['IMG_0001.jpg', 'image/jpeg', jpg]] });
    }
    put('iphone-canon', { from: 'Dan <dan@danmobile.net>', date: 'Fri, 28 Apr 2017 12:00:00 +0200', mailer: 'iPhone Mail (14E304)', files: [['IMG_0002.jpg', 'image/jpeg', jpeg(CANON)]] });

    const c = join(dir, 'case');
    const r = trove(['--case', c, 'ingest', dump, '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    recs = trove(['--case', c, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
  }, 120_000);

  it('flags software unlike the sender\'s other documents', () => {
    const [f] = anomalies('libreoffice', 'warning');
    expect(f?.detail).toMatch(/"plan\.docx" was made with LibreOffice\/OpenOffice .*all 10 other office documents this sender \(alice@campagne\.fr\) attached were made with Microsoft Word/);
    expect(rec('libreoffice').verdict).toBe('suspicious');
  });
  it('flags an author name in a script unlike the sender\'s', () => {
    const [f] = anomalies('cyrillic', 'warning');
    expect(f?.detail).toMatch(/"budget\.docx" is written in Cyrillic script \("Роман Иванов"\), while the names in all 10 other documents this sender \(alice@campagne\.fr\) attached are in Latin script/);
    expect(rec('cyrillic').verdict).toBe('suspicious');
  });
  it('leaves the sender\'s ordinary documents and the other sender\'s alone', () => {
    for (const s of ['word-0', 'word-8', 'ru-0', 'ru-5']) expect(anomalies(s), s).toEqual([]);
    expect(rec('word-3').attachments[0].metadata).toMatchObject({ format: 'ooxml', author: 'Sophie Bernard', lastModifiedBy: 'Sophie Bernard', software: WORD });
  });
  it('flags a photo taken after the message was sent', () => {
    const [f] = anomalies('photo-after-sent', 'warning');
    expect(f?.detail).toMatch(/"IMG_0001\.jpg" say it was taken 2017-05-03T14:22:01 \(local time\), after the email carrying it was sent/);
    expect(rec('photo-after-sent').verdict).toBe('suspicious');
  });
  it('flags a photo taken after its file was last changed', () => {
    expect(anomalies('photo-dates-reversed', 'warning')[0]?.detail).toMatch(/taken 2017-04-28T18:00:00 \(local time\), after the file was last changed 2017-04-27T09:00:00/);
  });
  it('notes photo editing software and a device unlike the mailer, without making the message suspicious', () => {
    expect(anomalies('photo-photoshop', 'info')[0]?.detail).toMatch(/saved by photo editing software \("Adobe Photoshop CC 2017 \(Windows\)"\) after it was taken with a Canon Canon EOS 5D Mark III/);
    expect(rec('photo-photoshop').verdict).toBe('unverifiable');
    expect(anomalies('iphone-canon', 'info')[0]?.detail).toMatch(/written on an Apple device \("iPhone Mail \(14E304\)"\), but "IMG_0002\.jpg".* comes from a Canon Canon EOS 5D Mark III camera/);
    expect(rec('iphone-canon').verdict).toBe('unverifiable');
  });
  it('leaves an ordinary photo alone and exports its EXIF', () => {
    expect(anomalies('photo-ok')).toEqual([]);
    expect(rec('photo-ok').attachments[0].metadata).toEqual({ format: 'exif', make: 'Canon', model: 'Canon EOS 5D Mark III', software: 'Firmware Version 1.3.3', taken: '2017-04-28T10:15:00', modified: '2017-04-28T10:15:00' });
  });
});
