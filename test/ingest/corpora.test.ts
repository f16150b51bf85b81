/**
 * Ingest of every real corpus in ../shared/corpora into one case, checked against
 * independent counts (Python's tarfile/hashlib/mailbox/email in test/oracle/py-counts.py,
 * readpst's figures in MANIFEST.md) — and the whole run within 512 MB of memory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPORA, REPO } from '../helpers/corpora.ts';
import { trove, troveJson, type StatusJson } from '../helpers/cli.ts';

interface Rec { id: string; message_id: string | null; sources: { locator: string }[]; subject: string; evidence: { code: string }[]; parent: string | null }
interface Py {
  enron: { files: number; unique: number; message_ids: string[] };
  spamassassin: { files: number; message_ids: string[] };
  mbox: { messages: number; message_ids: string[] };
}

const work = mkdtempSync(join(tmpdir(), 'trove-corpora-'));
const caseDir = join(work, 'case');
let summary: { messages: number; peakRssMb: number; seconds: number; phases?: unknown };
let st: StatusJson;
let recs: Rec[];
let py: Py;

const INPUTS = ['enron-maildir.tar.gz', 'spamassassin.tar.gz', 'trec07-slice.tar.gz', 'mbox', 'pst', 'msg', 'mimekit'].map((n) => join(CORPORA, n));

beforeAll(() => {
  const r = trove(['--case', caseDir, 'ingest', ...INPUTS, '--json']);
  expect(r.status, r.stderr).toBe(0);
  summary = JSON.parse(r.stdout);
  st = troveJson<StatusJson>(['--case', caseDir, 'status']);
  recs = trove(['--case', caseDir, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
  py = JSON.parse(execFileSync('python3', [join(REPO, 'test/oracle/py-counts.py'), CORPORA], { maxBuffer: 256 * 1024 * 1024 }).toString());
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Message items found under a root, duplicates included (sources of every unique message). */
function sourcesUnder(prefix: string): string[] {
  return recs.flatMap((r) => r.sources.map((s) => s.locator)).filter((l) => l.startsWith(prefix));
}
function recsUnder(prefix: string): Rec[] {
  return recs.filter((r) => r.sources.some((s) => s.locator.startsWith(prefix)));
}
const normId = (s: string) => {
  const u = s.replace(/\r?\n(?=[ \t])/g, '');
  return /<[^<>]*>/.exec(u)?.[0] ?? u.trim();
};
const idSet = (rs: Rec[]) => new Set(rs.map((r) => r.message_id).filter((x): x is string => !!x));

describe('ingest of the shared corpora', () => {
  it('stays within 512 MB of memory for everything together', () => {
    console.log(`all corpora: ${summary.messages} messages in ${summary.seconds} s, peak RSS ${summary.peakRssMb} MB; stages ${JSON.stringify(summary.phases)}`);
    expect(summary.peakRssMb).toBeLessThanOrEqual(512);
  });

  it('accounts for every item: nothing unfinished, nothing unparsed, no errors', () => {
    expect(st.incomplete).toEqual([]);
    expect(st.errors).toEqual([]);
    expect(st.parse_errors).toBe(0);
    expect(st.messages).toBe(summary.messages);
  });

  it('Enron maildir: one message per file, byte-identical duplicates counted, Message-IDs complete', () => {
    const top = sourcesUnder('enron-maildir.tar.gz!').filter((l) => l.split('!').length === 2);
    expect(top.length).toBe(py.enron.files); // 44,755
    expect(new Set(recsUnder('enron-maildir.tar.gz!').map((r) => r.id)).size).toBe(py.enron.unique); // 44,715
    expect(idSet(recsUnder('enron-maildir.tar.gz!'))).toEqual(new Set(py.enron.message_ids.map(normId)));
  });

  it('SpamAssassin: one message per file, Message-IDs complete', () => {
    const top = sourcesUnder('spamassassin.tar.gz!').filter((l) => l.split('!').length === 2);
    expect(top.length).toBe(py.spamassassin.files); // 6,294
    const ours = idSet(recsUnder('spamassassin.tar.gz!').filter((r) => r.sources.some((s) => s.locator.split('!').length === 2)));
    expect(ours).toEqual(new Set(py.spamassassin.message_ids.map(normId)));
  });

  it('Apache mboxes: the same messages as Python\'s mailbox module', () => {
    const top = sourcesUnder('mbox/').filter((l) => /^mbox\/[^!]+(!#\d+)?$/.test(l));
    // unmunged/BOM cases are in mimekit/, so here Python is the exact oracle: 2,039
    expect(top.length).toBe(py.mbox.messages);
    const ours = idSet(recsUnder('mbox/').filter((r) => r.sources.some((s) => /^mbox\/[^!]+(!#\d+)?$/.test(s.locator))));
    expect(ours).toEqual(new Set(py.mbox.message_ids.map(normId)));
  });

  it('PST and OST: 71 + 14 + 2 emails as readpst counts them, with folder locators', () => {
    const top = (f: string) => sourcesUnder(`pst/${f}!`).filter((l) => l.split('!').length === 2);
    expect(top('enron.pst').length).toBe(71);
    expect(top('pstextractortest@outlook.com.ost').length).toBe(14);
    expect(top('pstextractortestpdf@outlook.com.ost').length).toBe(2);
    expect(top('enron.pst').filter((l) => l.includes('/Personal/#')).length).toBe(47);
  });

  it('Outlook .msg: the 28 mail items are messages, the 16 others known non-mail files', () => {
    const top = sourcesUnder('msg/').filter((l) => l.split('!').length === 1);
    expect(top.length).toBe(28);
    const r = troveJson<{ files: number }>(['--case', caseDir, 'status']);
    expect(r.files).toBeGreaterThanOrEqual(16);
  });

  it('mail inside mail becomes its own message, linked to its parent', () => {
    const children = recs.filter((r) => r.parent);
    expect(children.length).toBeGreaterThan(0);
    for (const c of children) expect(recs.some((r) => r.id === c.parent)).toBe(true);
    // msg-in-msg-in-msg from the msgreader corpus
    expect(children.some((c) => c.sources.some((s) => /^msg\/.*!part-[\d.]+!part-[\d.]+$/.test(s.locator)))).toBe(true);
  });

  it('MimeKit edge cases: every file accounted for, the deep nesting kept as an anomaly', () => {
    const so = recs.find((r) => r.sources.some((s) => s.locator === 'mimekit/messages/stack-overflow.txt'));
    expect(so).toBeDefined();
    const mk = sourcesUnder('mimekit/');
    expect(mk.length).toBeGreaterThan(80);
  });
});
