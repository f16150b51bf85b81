/**
 * @module ingest/outlook/pst.test
 * readPst against the pst-extractor test files in the shared corpora: exact message counts per
 * folder (MANIFEST.md), non-mail counts, Message-IDs equal to readpst's (pst-utils) when it is
 * installed, attachment names and sizes, determinism, and damaged files (truncated, overwritten,
 * looping) that must give problems, not crashes or hangs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPORA } from '../../../test/helpers/corpora.ts';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import type { EntryProblem, FoundMessage, MailboxItem, NonMailItem, ReaderContext } from '../types.ts';
import { readPst } from './pst.ts';

const PST_DIR = join(CORPORA, 'pst');
const ENRON = join(PST_DIR, 'enron.pst');
const OST1 = join(PST_DIR, 'pstextractortest@outlook.com.ost');
const OST2 = join(PST_DIR, 'pstextractortestpdf@outlook.com.ost');
const ctx: ReaderContext = { limits: { ...DEFAULT_LIMITS }, tmpDir: tmpdir() };
const MLOKAY = 'lokay-m/MLOKAY (Non-Privileged)';

interface Read {
  messages: FoundMessage[];
  nonMail: NonMailItem[];
  problems: EntryProblem[];
}

async function readAll(path: string, budgets?: Parameters<typeof readPst>[2]): Promise<Read> {
  const out: Read = { messages: [], nonMail: [], problems: [] };
  for await (const item of readPst(path, ctx, budgets) as AsyncIterable<MailboxItem>) {
    if (item.problem) out.problems.push(item);
    else if ('nonMail' in item) out.nonMail.push(item);
    else out.messages.push(item);
  }
  return out;
}

function folderOf(name: string): string {
  return name.replace(/\/?#\d+$/, '');
}

function countBy<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

/** The Message-ID field of the top header block, as written (no unfolding needed for these files). */
function messageId(bytes: Buffer): string | null {
  const head = bytes.subarray(0, Math.max(0, bytes.indexOf('\r\n\r\n'))).toString('utf8');
  return /^message-id:[ \t]*(.*)$/im.exec(head)?.[1].trim() ?? null;
}

/** Message-IDs of the emails readpst exports (`-te`: email items only), or null when readpst is absent. */
function readpstMessageIds(path: string): string[] | null {
  if (spawnSync('readpst', ['-V']).error) return null;
  const dir = mkdtempSync(join(tmpdir(), 'trove-readpst-'));
  try {
    // -j 0: no parallel jobs (readpst 0.6.76 loses messages in its forked writers), -D: deleted items too.
    execFileSync('readpst', ['-D', '-M', '-b', '-j', '0', '-q', '-te', '-o', dir, path], { stdio: 'ignore' });
    const ids: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else {
          const b = readFileSync(p);
          const end = b.indexOf('\n\n') >= 0 ? Math.min(...[b.indexOf('\n\n'), b.indexOf('\r\n\r\n')].filter((i) => i >= 0)) : b.length;
          const m = /^message-id:[ \t]*(.*)$/im.exec(b.subarray(0, end).toString('utf8'));
          ids.push(m ? m[1].trim() : '(none)');
        }
      }
    };
    walk(dir);
    return ids.sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('enron.pst', () => {
  let r: Read;
  beforeAll(async () => {
    r = await readAll(ENRON);
  });

  it('yields exactly the 71 emails, in the MANIFEST folder counts, and nothing else', () => {
    expect(r.problems).toEqual([]);
    expect(r.nonMail).toEqual([]);
    expect(r.messages).toHaveLength(71);
    expect(countBy(r.messages, (m) => folderOf(m.name))).toEqual({
      [`${MLOKAY}/Personal`]: 47,
      [`${MLOKAY}/TW-Commercial Group`]: 14,
      [`${MLOKAY}/Systems`]: 7,
      [`${MLOKAY}/Sent Items`]: 2,
      [MLOKAY]: 1,
    });
  });

  it('names items Folder/#N, numbered 1..n within each folder, below "Top of Personal Folders"', () => {
    const byFolder = new Map<string, number[]>();
    for (const m of r.messages) {
      const n = Number(/#(\d+)$/.exec(m.name)?.[1]);
      byFolder.set(folderOf(m.name), [...(byFolder.get(folderOf(m.name)) ?? []), n]);
    }
    for (const ns of byFolder.values()) expect(ns).toEqual(ns.map((_, i) => i + 1));
    expect(r.messages.every((m) => m.origin === 'synthesized' && !m.name.startsWith('Top of'))).toBe(true);
  });

  it('keeps the transport headers: known Message-IDs and subjects at known positions', () => {
    const at = (name: string) => r.messages.find((m) => m.name === name) as FoundMessage;
    expect(messageId(at(`${MLOKAY}/Personal/#1`).bytes)).toBe('<DIPT3B2JIV5M2GARXRRBXRBMQXBYSBIFA@zlsvr22>');
    expect(messageId(at(`${MLOKAY}/#1`).bytes)).toBe('<IWTBDKF2WUUQG3I3RF3DVZAFDYEPIJCPB@zlsvr22>');
    const ids = r.messages.map((m) => messageId(m.bytes));
    expect(new Set(ids).size).toBe(71);
    for (const m of r.messages) {
      expect(m.bytes.subarray(0, 34).toString()).toBe('X-Trove-Synthesized: outlook-pst\r\n');
    }
  });

  it('has the same Message-IDs as readpst', (testCtx) => {
    const theirs = readpstMessageIds(ENRON);
    if (theirs === null) {
      testCtx.skip('readpst (apt-get install pst-utils) is not installed: oracle comparison skipped');
      return;
    }
    expect(r.messages.map((m) => messageId(m.bytes) ?? '(none)').sort()).toEqual(theirs);
  });

  it('rebuilds attachments with their names and exact sizes', async () => {
    const scans = await PostalMime.parse(r.messages.find((m) => m.name === `${MLOKAY}/Personal/#19`)!.bytes);
    expect(scans.subject).toBe('scans');
    expect(scans.attachments.map((a) => [a.filename, a.mimeType, (a.content as ArrayBuffer).byteLength])).toEqual([
      ['Color 72dpi.jpg', 'image/jpeg', 18839],
      ['B&W 72dpi.jpg', 'image/jpeg', 16526],
      ['Color 300dpi.jpg', 'image/jpeg', 180214],
      ['B&W 300dpi.jpg', 'image/jpeg', 168092],
    ]);
    const golf = await PostalMime.parse(r.messages.find((m) => m.name === `${MLOKAY}/Personal/#45`)!.bytes);
    expect(golf.attachments.map((a) => [a.filename, (a.content as ArrayBuffer).byteLength])).toEqual([['invite2001.doc', 866304]]);
  });

  it('is deterministic: a second read gives identical bytes', async () => {
    const again = await readAll(ENRON);
    const digest = (x: Read) => createHash('sha256').update(x.messages.map((m) => `${m.name}\0${createHash('sha256').update(m.bytes).digest('hex')}`).join('\n')).digest('hex');
    expect(digest(again)).toBe(digest(r));
  });
});

describe('the OST files (2013 format)', () => {
  it('pstextractortest: 14 emails and 169 calendar items, every one of the 160 holidays', async () => {
    const r = await readAll(OST1);
    expect(r.problems).toEqual([]);
    expect(r.messages).toHaveLength(14);
    expect(countBy(r.messages, (m) => folderOf(m.name))).toEqual({ 'Deleted Items': 1, Inbox: 10, 'Sent Items': 2, 'Sync Issues': 1 });
    expect(countBy(r.nonMail, (m) => `${folderOf(m.name)} ${m.what}`)).toEqual({
      'Calendar IPM.Appointment': 9,
      'Calendar/United States holidays IPM.Appointment': 160,
    });
    // Meeting requests and responses are mail (readpst exports them too).
    const classes = countBy(r.messages, (m) => String(m.meta?.messageClass));
    expect(classes).toEqual({ 'IPM.Note': 8, 'IPM.Schedule.Meeting.Request': 4, 'IPM.Schedule.Meeting.Resp.Pos': 2 });

    const inbox7 = await PostalMime.parse(r.messages.find((m) => m.name === 'Inbox/#7')!.bytes);
    expect(inbox7.subject).toBe('text, jpg, pdf attachments');
    expect(inbox7.messageId).toBe('<EB755363-F89B-4A39-9CF8-C347341004F9@hxcore.ol>');
    expect(inbox7.attachments.map((a) => [a.filename, a.mimeType, (a.content as ArrayBuffer).byteLength])).toEqual([
      ['Clinometer Usage.pdf', 'application/pdf', 87069],
      ['primoz-roglic-of-slovenia-and-team-jumbo-visma-red-leader-news-photo-1628610563.jpg', 'image/jpeg', 79653],
      ['text.txt', 'text/plain', 18],
    ]);
    // An RTF-only item keeps its body as a text/rtf part.
    const sync = await PostalMime.parse(r.messages.find((m) => m.name === 'Sync Issues/#1')!.bytes);
    expect(sync.attachments.map((a) => [a.filename, a.mimeType])).toEqual([['body.rtf', 'text/rtf']]);

    const theirs = readpstMessageIds(OST1);
    if (theirs !== null) expect(r.messages.map((m) => messageId(m.bytes) ?? '(none)').sort()).toEqual(theirs);
  });

  it('pstextractortestpdf: 2 emails and 160 calendar items', async () => {
    const r = await readAll(OST2);
    expect(r.problems).toEqual([]);
    expect(r.messages.map((m) => m.name)).toEqual(['Inbox/#1', 'Inbox/#2']);
    expect(r.nonMail).toHaveLength(160);
    expect(r.nonMail.every((n) => n.what === 'IPM.Appointment' && n.name.startsWith('Calendar/United States holidays/#'))).toBe(true);
    const pdf = await PostalMime.parse(r.messages[0].bytes);
    expect(pdf.attachments.map((a) => [a.filename, (a.content as ArrayBuffer).byteLength])).toEqual([['Clinometer Usage.pdf', 87069]]);
    const theirs = readpstMessageIds(OST2);
    if (theirs !== null) expect(r.messages.map((m) => messageId(m.bytes) ?? '(none)').sort()).toEqual(theirs);
  });
});

describe('damaged files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trove-pst-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a truncated PST gives one error problem for the file, quickly', async () => {
    const cut = join(dir, 'cut.pst');
    const full = readFileSync(ENRON);
    writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
    const t0 = Date.now();
    const r = await readAll(cut);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.messages).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ name: '', kind: 'error', code: 'pst-corrupt' });
    expect(r.problems[0].reason).toMatch(/past the end .* \(truncated\?\)/);
  });

  it('a file that is not a PST gives one error problem', async () => {
    const junk = join(dir, 'junk.pst');
    writeFileSync(junk, Buffer.alloc(4096, 0x41));
    const r = await readAll(junk);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ name: '', code: 'pst-corrupt' });
    expect(r.problems[0].reason).toMatch(/!BDN/);
  });

  it('an overwritten region costs the items stored there, each reported with its locator', async () => {
    const bad = join(dir, 'bad.pst');
    const b = Buffer.from(readFileSync(ENRON));
    // Deterministic garbage (xorshift) over 200 KB in the middle of the message data.
    let x = 0x2545f491;
    for (let i = 2_000_000; i < 2_200_000; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      b[i] = x & 0xff;
    }
    writeFileSync(bad, b);
    const r = await readAll(bad);
    expect(r.problems.length).toBeGreaterThanOrEqual(1);
    for (const p of r.problems) {
      expect(p).toMatchObject({ kind: 'error', code: 'pst-corrupt' });
      expect(p.name).toMatch(/^lokay-m\/.*#\d+$/);
    }
    expect(r.messages.length + r.problems.length).toBe(71);
    // What pst-extractor read past (here a recipient table) is kept with the message, not printed.
    expect(r.messages.filter((m) => m.meta?.pstWarnings).map((m) => String(m.meta?.pstWarnings))).toEqual([
      expect.stringMatching(/^PSTMessage::processRecipients/),
    ]);
  });

  it('the read budget turns a runaway item into a problem and the walk goes on', async () => {
    // Items with large attachments need ~34k reads; a 5,000-read budget fails exactly those.
    const r = await readAll(ENRON, { open: 5_000_000, folder: 5_000_000, item: 5_000 });
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems.every((p) => p.code === 'pst-corrupt' && /read budget exhausted/.test(p.reason))).toBe(true);
    expect(r.messages.length + r.problems.length).toBe(71);
    expect(r.problems.map((p) => p.name)).toContain(`${MLOKAY}/Personal/#29`);
  });

  it('streams: the first item arrives before the rest are read, and stopping early is fine', async () => {
    let n = 0;
    for await (const item of readPst(ENRON, ctx)) {
      expect('bytes' in item).toBe(true);
      if (++n === 3) break;
    }
    expect(n).toBe(3);
    expect(statSync(ENRON).size).toBe(13_984_768);
  });
});
