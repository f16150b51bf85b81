/**
 * `trove provenance FILE` on documents and messages, against a temp case built from real
 * Enron mail (skilling-j's inbox from the shared corpus) plus one message carrying a DOCX
 * whose text is a real Enron memo: a forged copy of that DOCX (one figure changed, other
 * author, dates and software) is found with the figure and the metadata differences called
 * out; an Enron .eml with one header changed is found by its Message-ID with that header
 * named; files that are not in the dump come back "not found".
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { parseMessage } from '../../src/mime/parse.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { provenanceQuery, type ProvenanceResult } from '../../src/provenance/index.ts';
import { bodyText } from '../../src/search/indexer.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { extracted } from '../helpers/corpora.ts';
import { trove, troveJson } from '../helpers/cli.ts';

const INBOX = join(extracted('enron-maildir'), 'maildir/skilling-j/inbox');
/** A memo with figures: "a portion (about $30 million) of the Enron Cash Balance Plan portfolio…" */
const MEMO = join(INBOX, '75');

interface DocProps { author: string; lastModifiedBy: string; revision: number; created: string; modified: string; application: string }

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A .docx (Office Open XML) with the given paragraphs and document properties, zipped by yazl. */
function docx(paragraphs: string[], p: DocProps): Promise<Buffer> {
  const z = new yazl.ZipFile();
  const add = (name: string, xml: string): void => z.addBuffer(Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${xml}`), name, { mtime: new Date('2001-04-20T00:00:00Z') });
  add('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>');
  add('_rels/.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>');
  add('word/document.xml', `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs.map((t) => `<w:p><w:r><w:t xml:space="preserve">${esc(t)}</w:t></w:r></w:p>`).join('')}</w:body></w:document>`);
  add('docProps/core.xml', `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Smith Graham proposal</dc:title><dc:creator>${esc(p.author)}</dc:creator><cp:lastModifiedBy>${esc(p.lastModifiedBy)}</cp:lastModifiedBy><cp:revision>${p.revision}</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">${p.created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${p.modified}</dcterms:modified></cp:coreProperties>`);
  add('docProps/app.xml', `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>${esc(p.application)}</Application><Company>Enron</Company></Properties>`);
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

/** A one-page PDF (Helvetica text, one Tj per line) with an Info dictionary, written by hand. */
function pdf(paragraphs: string[], info: { author: string; producer: string; created: string }): Buffer {
  const lines = paragraphs.flatMap((p) => p.match(/.{1,90}(\s|$)/g) ?? []).map((l) => l.trim());
  const content = `BT /F1 9 Tf 11 TL 40 800 Td ${lines.map((l) => `(${l.replace(/[\\()]/g, '\\$&')}) Tj T*`).join(' ')} ET`;
  let s = '%PDF-1.4\n';
  const off: number[] = [];
  const obj = (n: number, body: string): void => { off[n] = Buffer.byteLength(s, 'latin1'); s += `${n} 0 obj\n${body}\nendobj\n`; };
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  obj(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>');
  obj(4, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  obj(5, `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
  obj(6, `<< /Author (${info.author}) /Producer (${info.producer}) /CreationDate (${info.created}) >>`);
  const xref = Buffer.byteLength(s, 'latin1');
  s += `xref\n0 7\n0000000000 65535 f \n${[1, 2, 3, 4, 5, 6].map((n) => `${String(off[n]).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 7 /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(s, 'latin1');
}

/** A message carrying one attachment, base64 with 76-column lines. */
function messageWith(file: string, bytes: Buffer): string {
  const b64 = bytes.toString('base64').replace(/.{76}/g, '$&\n');
  return [
    'Message-ID: <proposal.draft.20010420@enron.com>', 'Date: Fri, 20 Apr 2001 18:02:00 -0700', 'From: Tim DeSpain <tim.despain@enron.com>',
    'To: Jeff Skilling <jeff.skilling@enron.com>', 'Subject: Smith Graham proposal (draft)', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b-1"', '',
    '--b-1', 'Content-Type: text/plain; charset=us-ascii', '', 'Jeff, the draft for the Plan Administrative Committee is attached.', '',
    '--b-1', `Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name="${file}"`, `Content-Disposition: attachment; filename="${file}"`,
    'Content-Transfer-Encoding: base64', '', b64, '--b-1--', '',
  ].join('\n');
}

const ORIGINAL: DocProps = { author: 'Tim DeSpain', lastModifiedBy: 'Tim DeSpain', revision: 4, created: '2001-04-19T16:05:00Z', modified: '2001-04-20T23:40:00Z', application: 'Microsoft Word 9.0' };
const FORGED: DocProps = { author: 'Tim DeSpain', lastModifiedBy: 'Andy Kahn', revision: 1, created: '2017-05-04T21:12:00Z', modified: '2017-05-05T06:58:00Z', application: 'Microsoft Office Word' };

let dir: string;
let db: CaseDb;
let memoParagraphs: string[];
let originalDocx: Buffer;
let memoId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trove-provenance-files-'));
  const dump = join(dir, 'dump');
  mkdirSync(dump);
  // 80 messages of the inbox, the memo among them
  const names = readdirSync(INBOX).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b)).slice(40, 120);
  expect(names).toContain('75');
  for (const n of names) copyFileSync(join(INBOX, n), join(dump, `${n}.eml`));
  const memo = readFileSync(MEMO);
  memoId = createHash('sha256').update(memo).digest('hex');
  memoParagraphs = bodyText(parseMessage(memo, DEFAULT_LIMITS).message).split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
  originalDocx = await docx(memoParagraphs, ORIGINAL);
  writeFileSync(join(dump, 'proposal-draft.eml'), messageWith('Smith Graham proposal.docx', originalDocx));
  db = new CaseDb(join(dir, 'case'), { create: true });
  await ingest(db, [dump], { limits: DEFAULT_LIMITS, workers: 1 });
}, 300_000);
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const query = (name: string, bytes: Uint8Array): Promise<ProvenanceResult> => provenanceQuery(db, { file: { name, bytes } });

describe('provenance of documents', () => {
  it('the original attachment matches by hash, with the same metadata', async () => {
    // a plain Uint8Array, as the API hands it over (not a Buffer)
    const r = await query('proposal.docx', new Uint8Array(originalDocx));
    expect(r.found).toBe(true);
    const top = r.matches[0];
    expect(top.exact).toBe('attachment');
    expect(top.matched_by).toBe('sha256');
    expect(top.attachment?.filename).toBe('Smith Graham proposal.docx');
    expect(top.metadata?.differs).toEqual([]);
    expect(top.metadata?.fields.map((f) => f.field)).toEqual(expect.arrayContaining(['author', 'lastModifiedBy', 'created', 'modified', 'software', 'revision']));
  });

  it('a forged DOCX with a figure changed: the attachment is found, the figure and the metadata differences called out', async () => {
    const forged = memoParagraphs.map((p) => p.replace('(about $30 million)', '(about $300 million)'));
    expect(forged).not.toEqual(memoParagraphs);
    const bytes = await docx(forged, FORGED);
    const r = await query('Smith Graham proposal.docx', bytes);
    expect(r.input.format).toBe('docx');
    expect(r.found).toBe(true);
    const top = r.matches[0];
    expect(top.exact).toBeUndefined();
    expect(top.matched_by).toBe('text');
    expect(top.attachment?.filename).toBe('Smith Graham proposal.docx');
    expect(top.match).toBe(true);
    expect(top.similarity).toBeLessThan(1);
    expect(top.changes.numbers).toContainEqual({ op: 'changed', quote: '300', source: '30', kind: 'number' });
    expect(top.diff.filter((o) => o.op !== 'equal')).toHaveLength(1);
    // the memo's own body in the case matches as well, below the attachment on a tie
    expect(r.matches.some((m) => m.id === memoId && !m.attachment && m.match)).toBe(true);
    const md = top.metadata!;
    expect([...md.differs].sort()).toEqual(['created', 'lastModifiedBy', 'modified', 'revision', 'software']);
    const f = Object.fromEntries(md.fields.map((x) => [x.field, x]));
    expect(f.author).toMatchObject({ input: 'Tim DeSpain', source: 'Tim DeSpain', same: true });
    expect(f.lastModifiedBy).toMatchObject({ input: 'Andy Kahn', source: 'Tim DeSpain', same: false });
    expect(f.created).toMatchObject({ input: FORGED.created, source: ORIGINAL.created, same: false });
    expect(f.revision).toMatchObject({ input: '1', source: '4', same: false });
  });

  it('the same forgery as RTF (no metadata reader): text match and a note on the missing metadata', async () => {
    const text = memoParagraphs.map((p) => p.replace('(about $30 million)', '(about $300 million)')).join('\\par\n');
    const rtf = Buffer.from(`{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times;}}\\f0 ${text.replace(/[{}]/g, '')}\\par}`, 'latin1');
    const r = await query('memo.rtf', rtf);
    expect(r.input.format).toBe('rtf');
    expect(r.found).toBe(true);
    const top = r.matches[0];
    expect(top.attachment?.filename).toBe('Smith Graham proposal.docx');
    expect(top.changes.numbers).toContainEqual({ op: 'changed', quote: '300', source: '30', kind: 'number' });
    expect(top.metadata?.notes.some((n) => n.startsWith('input: no document metadata'))).toBe(true);
  });

  it('the same forgery printed to PDF: found, with the producer and dates that differ', async () => {
    const forged = memoParagraphs.map((p) => p.replace('(about $30 million)', '(about $300 million)'));
    const r = await query('agreement.pdf', pdf(forged, { author: 'Tim DeSpain', producer: 'Microsoft: Print To PDF', created: "D:20170505090000+02'00'" }));
    expect(r.input.format).toBe('pdf');
    expect(r.found).toBe(true);
    const top = r.matches[0];
    expect(top.attachment?.filename).toBe('Smith Graham proposal.docx');
    expect(top.changes.numbers).toContainEqual({ op: 'changed', quote: '300', source: '30', kind: 'number' });
    const f = Object.fromEntries(top.metadata!.fields.map((x) => [x.field, x]));
    expect(f.author.same).toBe(true);
    expect(f.software).toMatchObject({ input: 'Microsoft: Print To PDF', source: 'Microsoft Word 9.0', same: false });
    expect(f.created.same).toBe(false);
    expect(f.format).toMatchObject({ input: 'pdf', source: 'ooxml', same: false });
  });

  it('a document that is not in the dump is not found', async () => {
    const bytes = await docx([
      'Our offshore vehicle in Bermuda will absorb the Dabhol write-down so nothing shows on the consolidated balance sheet.',
      'Move my personal shares through the Chewco account before the announcement so the sale does not show up in filings.',
    ], FORGED);
    const r = await query('offshore.docx', bytes);
    expect(r.found).toBe(false);
    expect(r.matches.every((m) => !m.match && !m.exact)).toBe(true);
  });
});

describe('provenance of a message claimed to be from the dump', () => {
  it('one header changed: found by Message-ID, the header named, the body identical', async () => {
    const raw = readFileSync(MEMO, 'latin1');
    expect(raw).toContain('\nSubject: Gerald Smith\n');
    const claimed = Buffer.from(raw.replace('\nSubject: Gerald Smith\n', '\nSubject: Gerald Smith - payment approved\n'), 'latin1');
    const r = await query('claimed.eml', claimed);
    expect(r.input.format).toBe('message');
    expect(r.found).toBe(true);
    const top = r.matches[0];
    expect(top.id).toBe(memoId);
    expect(top.matched_by).toBe('message-id');
    expect(top.exact).toBeUndefined();
    expect(top.message_diff?.headers).toEqual([{ name: 'Subject', op: 'changed', input: 'Gerald Smith - payment approved', source: 'Gerald Smith' }]);
    expect(top.message_diff?.body_identical).toBe(true);
    expect(top.similarity).toBe(1);
    expect(top.diff).toEqual([]);
  });

  it('a header added and a figure changed in the body: both shown', async () => {
    const raw = readFileSync(MEMO, 'latin1');
    const claimed = Buffer.from(raw.replace('\nDate: ', '\nX-Priority: 1\nDate: ').replace('($10 million)', '($40 million)'), 'latin1');
    const r = await query('claimed.eml', claimed);
    const top = r.matches[0];
    expect(top.id).toBe(memoId);
    expect(top.matched_by).toBe('message-id');
    expect(top.message_diff?.headers).toEqual([{ name: 'X-Priority', op: 'added', input: '1' }]);
    expect(top.message_diff?.body_identical).toBe(false);
    expect(top.changes.numbers).toEqual([{ op: 'changed', quote: '40', source: '10', kind: 'number' }]);
    expect(top.match).toBe(true);
  });

  it('a new Message-ID: found by its body text, the changed headers named', async () => {
    const raw = readFileSync(MEMO, 'latin1');
    const claimed = Buffer.from(raw.replace('<16007217.1075840151656.JavaMail.evans@thyme>', '<20010420.forged@enron.com>').replace('\nFrom: tim.despain@enron.com\n', '\nFrom: andrew.fastow@enron.com\n'), 'latin1');
    const r = await query('claimed.eml', claimed);
    expect(r.found).toBe(true);
    const top = r.matches.find((m) => m.id === memoId)!;
    expect(top.matched_by).toBe('text');
    expect(top.match).toBe(true);
    expect(top.message_diff?.headers.map((h) => [h.name, h.op, h.input])).toEqual([
      ['Message-ID', 'changed', '<20010420.forged@enron.com>'],
      ['From', 'changed', 'andrew.fastow@enron.com'],
    ]);
    expect(top.message_diff?.body_identical).toBe(true);
  });

  it('the stored bytes match exactly', async () => {
    const r = await query('memo.eml', readFileSync(MEMO));
    expect(r.matches[0]).toMatchObject({ id: memoId, exact: 'message', matched_by: 'sha256' });
  });

  it('a message that is not in the dump is not found', async () => {
    const eml = [
      'Message-ID: <99999999.1075840151656.JavaMail.evans@thyme>', 'Date: Fri, 20 Apr 2001 17:49:00 -0700 (PDT)', 'From: tim.despain@enron.com',
      'To: kenneth.lay@enron.com', 'Subject: Cayman transfer', '',
      'We have moved the remaining twelve million into the Cayman account so the auditors will not see it before the quarter closes.', '',
    ].join('\n');
    const r = await query('leak.eml', Buffer.from(eml));
    expect(r.found).toBe(false);
    expect(r.matches.every((m) => !m.match && m.matched_by === 'text')).toBe(true);
  });
});

describe('trove provenance FILE (CLI)', () => {
  it('prints the metadata comparison and gives it in --json', async () => {
    const forged = await docx(memoParagraphs.map((p) => p.replace('(about $30 million)', '(about $300 million)')), FORGED);
    const file = join(dir, 'forged.docx');
    writeFileSync(file, forged);
    const human = trove(['--case', join(dir, 'case'), 'provenance', file]);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^FOUND/);
    expect(human.stdout).toMatch(/metadata: +5 field\(s\) differ/);
    expect(human.stdout).toMatch(/≠ lastModifiedBy +file: Andy Kahn {2}\| {2}attachment: Tim DeSpain/);
    const json = troveJson<ProvenanceResult>(['--case', join(dir, 'case'), 'provenance', file]);
    expect(Object.keys(json).slice(0, 3)).toEqual(['threshold', 'found', 'matches']);
    expect(json.matches[0].metadata?.differs).toContain('modified');
  });
});
