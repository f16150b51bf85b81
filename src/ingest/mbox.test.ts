/**
 * @module ingest/mbox.test
 * The splitter against the real corpora, with Python's `mailbox.mbox` as the reference:
 * same count and byte-identical messages (sha256 of `get_bytes`, which on Linux is the exact
 * file slice) wherever Python is right; our own expected count, with the reason, where it is not.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { countEscapedFromLines, envelopeShape, looksLikeMbox, readMbox } from './mbox.ts';
import type { FoundMessage, MailboxItem, ReaderContext } from './types.ts';

const CORPORA = '/work/shared/corpora';
const APACHE_DIR = join(CORPORA, 'mbox');
const MIMEKIT_DIR = join(CORPORA, 'mimekit/mbox');
const ctx: ReaderContext = { limits: { ...DEFAULT_LIMITS }, tmpDir: '/tmp' };

const apacheFiles = readdirSync(APACHE_DIR).sort().map((f) => join(APACHE_DIR, f));
const mimekitFiles = readdirSync(MIMEKIT_DIR).sort().map((f) => join(MIMEKIT_DIR, f));

/**
 * Files where Python's count is wrong, with ours and why.
 * unmunged.mbox.txt: Python sees 3. It does not recognise the first `From -` behind the UTF-8 BOM
 * (and silently drops those bytes), and it splits at both `From Russia with love` body lines.
 * The file holds 2 messages ("This is a test message with an unmunged From line" and "Another
 * test message…"); the body lines are prose, not `From <sender> <date>` / `From <address>`.
 * (MimeKit's own test expects 4 for the same reason Python gets 3: it splits at every such line.)
 * content-length.mbox.txt is NOT here: Python splits at all 29 `From - ` lines and so do we; 4 of
 * its Content-Length values lie (point mid-message) and we fall back to separators for those.
 */
const PYTHON_IS_WRONG: Record<string, number> = {
  'unmunged.mbox.txt': 2,
};

interface PyRef {
  count: number;
  sha256: string[];
  messageIds: (string | null)[];
}

const PY_SCRIPT = `
import mailbox, sys, json, hashlib, email.parser
out = {}
for f in sys.argv[1:]:
    mb = mailbox.mbox(f, create=False)
    shas, mids = [], []
    for k in mb.keys():
        b = mb.get_bytes(k)
        shas.append(hashlib.sha256(b).hexdigest())
        mid = email.parser.BytesHeaderParser().parsebytes(b).get('Message-ID')
        mids.append(None if mid is None else str(mid))
    out[f] = {'count': len(shas), 'sha256': shas, 'messageIds': mids}
print(json.dumps(out))
`;

async function collect(input: Readable, c: ReaderContext = ctx): Promise<MailboxItem[]> {
  const out: MailboxItem[] = [];
  for await (const item of readMbox(input, c)) out.push(item);
  return out;
}

function messages(items: MailboxItem[]): FoundMessage[] {
  return items.filter((i): i is FoundMessage => !i.problem && !('nonMail' in i));
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** `<id>` out of a Message-ID value; both sides go through this so folding does not matter. */
function normalizeId(v: string): string {
  return v.match(/<[^>]*>/)?.[0] ?? v.trim();
}

function messageIdOf(bytes: Buffer): string | null {
  const text = bytes.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id[ \t]*:(.*)$/im.exec(head);
  return m ? m[1] : null;
}

let py: Record<string, PyRef>;

beforeAll(() => {
  const out = execFileSync('python3', ['-c', PY_SCRIPT, ...apacheFiles, ...mimekitFiles], { maxBuffer: 64 * 1024 * 1024 });
  py = JSON.parse(out.toString('utf8')) as Record<string, PyRef>;
});

describe('readMbox on the corpora, against Python mailbox.mbox', () => {
  const all = [...apacheFiles, ...mimekitFiles];
  for (const file of all) {
    const base = file.split('/').pop() as string;
    it(`${base}: count and bytes`, async () => {
      // Small highWaterMark so chunk boundaries fall all over the messages.
      const items = await collect(createReadStream(file, { highWaterMark: 4096 }));
      expect(items.filter((i) => i.problem)).toEqual([]);
      const msgs = messages(items);
      const ref = py[file];
      const expected = PYTHON_IS_WRONG[base] ?? ref.count;
      expect(msgs.length).toBe(expected);
      msgs.forEach((m, i) => {
        expect(m.name).toBe(`#${i + 1}`);
        expect(m.origin).toBe('as-found');
      });
      if (base in PYTHON_IS_WRONG) return;
      expect(msgs.map((m) => sha256(m.bytes))).toEqual(ref.sha256);
      // Each message is the exact slice of the file right after its envelope line.
      const raw = readFileSync(file);
      for (const m of msgs) {
        const off = m.meta?.offset as number;
        const start = raw.indexOf(0x0a, off) + 1;
        expect(raw.subarray(start, start + m.bytes.length).equals(m.bytes)).toBe(true);
        expect(raw.toString('latin1', off, start - 1).replace(/\r$/, '')).toBe(m.meta?.envelope);
      }
    });
  }

  it('unmunged.mbox.txt: 2 messages, the `From Russia with love` lines stay in the bodies', async () => {
    const file = join(MIMEKIT_DIR, 'unmunged.mbox.txt');
    const msgs = messages(await collect(createReadStream(file)));
    expect(msgs.map((m) => m.meta?.envelope)).toEqual(['From -', 'From -']);
    expect(msgs[0].meta?.offset).toBe(3); // after the BOM
    expect(msgs[0].bytes.toString()).toContain('\n\nFrom Russia with love\n\nWhat does Thunderbird do?\n');
    expect(msgs[1].bytes.toString()).toContain('\n\nFrom Russia with love\nYear: 1963\n');
    expect(msgs[0].bytes.toString().startsWith('From: Jeffrey Stedfast')).toBe(true);
    // Python agrees on message 2 once the split is right: it is the file's tail after the 2nd `From -`.
    const raw = readFileSync(file);
    const second = raw.indexOf('\nFrom -\n', 10) + '\nFrom -\n'.length;
    expect(msgs[1].bytes.equals(raw.subarray(second))).toBe(true);
  });

  it('content-length.mbox.txt: 25 messages framed by Content-Length, 4 lying ones by separators', async () => {
    const msgs = messages(await collect(createReadStream(join(MIMEKIT_DIR, 'content-length.mbox.txt'))));
    const framing = msgs.map((m) => m.meta?.framing);
    expect(framing.filter((f) => f === 'content-length').length).toBe(25);
    // Messages 1, 2, 3 and 5 declare a Content-Length that ends mid-message (checked with Python).
    expect([0, 1, 2, 4].map((i) => framing[i])).toEqual(['separator', 'separator', 'separator', 'separator']);
  });

  it('Apache mboxes: the set of Message-IDs equals Python\'s', async () => {
    for (const file of apacheFiles) {
      const msgs = messages(await collect(createReadStream(file)));
      const ours = msgs.map((m) => messageIdOf(m.bytes)).map((v) => (v === null ? null : normalizeId(v)));
      const theirs = py[file].messageIds.map((v) => (v === null ? null : normalizeId(v)));
      expect(new Set(ours), file).toEqual(new Set(theirs));
      expect(ours.length, file).toBe(theirs.length);
    }
  });

  it('maven-dev-2017-11: >From lines are counted and left escaped', async () => {
    const file = join(APACHE_DIR, 'maven-dev-2017-11-listsao.mbox');
    const msgs = messages(await collect(createReadStream(file)));
    const counted = msgs.reduce((n, m) => n + (m.meta?.escapedFromLines as number), 0);
    const raw = readFileSync(file).toString('latin1');
    const inFile = raw.match(/^>+From /gm)?.length ?? 0;
    expect(inFile).toBeGreaterThan(0);
    expect(counted).toBe(inFile);
    expect(msgs.some((m) => m.bytes.includes('\n>>From "Failed to create parent directories"'))).toBe(true);
  });

  it('throughput: the Apache corpus concatenated (about 14 MB)', async () => {
    // A blank line between files, as an mbox writer would put between messages.
    const parts: Buffer[] = [];
    for (const f of apacheFiles) parts.push(readFileSync(f), Buffer.from('\n'));
    const all = Buffer.concat(parts);
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += 65536) chunks.push(all.subarray(i, i + 65536));
    let best = Infinity;
    let count = 0;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      count = messages(await collect(Readable.from(chunks))).length;
      best = Math.min(best, performance.now() - t0);
    }
    const mbps = all.length / 1e6 / (best / 1000);
    console.log(`mbox split: ${(all.length / 1e6).toFixed(1)} MB, ${count} messages, ${best.toFixed(0)} ms, ${mbps.toFixed(0)} MB/s`);
    expect(count).toBe(2039);
    // Generous floor for a shared 2-core box; the goal (≥ 200 MB/s) is reported, not asserted.
    expect(mbps).toBeGreaterThan(30);
  });
});

describe('SpamAssassin corpus: every file is a one-message mbox (or a bare message)', () => {
  it('yields exactly one message per file', async () => {
    const files: { name: string; data: Buffer }[] = [];
    await new Promise<void>((resolve, reject) => {
      const ex = extract();
      ex.on('entry', (header, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          if (header.type === 'file') files.push({ name: header.name, data: Buffer.concat(chunks) });
          next();
        });
      });
      ex.on('finish', resolve);
      ex.on('error', reject);
      createReadStream(join(CORPORA, 'spamassassin.tar.gz')).pipe(createGunzip()).pipe(ex);
    });
    expect(files.length).toBe(6294);
    let withEnvelope = 0;
    for (const { name, data } of files) {
      const items = await collect(Readable.from([data]));
      expect(items.length, name).toBe(1);
      const m = items[0] as FoundMessage;
      expect(m.problem, name).toBeFalsy();
      if (data.subarray(0, 5).toString() === 'From ') {
        withEnvelope++;
        const start = data.indexOf(0x0a) + 1;
        // The whole file after the envelope line, less at most one trailing empty line.
        expect(data.subarray(start, start + m.bytes.length).equals(m.bytes), name).toBe(true);
        expect(data.length - start - m.bytes.length, name).toBeLessThanOrEqual(1);
      } else {
        expect(m.meta?.noEnvelope, name).toBe(true);
        expect(m.bytes.equals(data.subarray(0, m.bytes.length)), name).toBe(true);
      }
    }
    expect(withEnvelope).toBe(5503);
  });
});

describe('helpers', () => {
  it('envelopeShape', () => {
    expect(envelopeShape('From dev-return-5181@asterixdb.apache.org  Sun Sep  3 17:38:56 2017')).toBe('dated');
    expect(envelopeShape('From - Mon Jun  3 12:50:27 1996')).toBe('dated');
    expect(envelopeShape('From 1844347792267117879@xxx Wed Sep 26 12:58:59 +0000 2018')).toBe('dated');
    expect(envelopeShape('From 1844347792267117879@xxx')).toBe('undated');
    expect(envelopeShape('From - ')).toBe('undated');
    expect(envelopeShape('From ')).toBe('undated');
    expect(envelopeShape('From MAILER-DAEMON')).toBe('undated');
    expect(envelopeShape('From Russia with love')).toBe('none');
    expect(envelopeShape('From Russia')).toBe('none');
    expect(envelopeShape('From 9:00 to 17:00 every day')).toBe('none');
  });

  it('looksLikeMbox', () => {
    expect(looksLikeMbox(Buffer.from('From a@b Mon Jan  2 10:00:00 2006\nReturn-Path: <a@b>\n'))).toBe(true);
    expect(looksLikeMbox(Buffer.from('\ufeffFrom -\r\nFrom: x@y\r\n'))).toBe(true);
    expect(looksLikeMbox(readFileSync(join(MIMEKIT_DIR, 'unmunged.mbox.txt')))).toBe(true);
    expect(looksLikeMbox(Buffer.from('From: a@b\nTo: c@d\n'))).toBe(false);
    expect(looksLikeMbox(Buffer.from('From Russia with love\n\nis a film\n'))).toBe(false);
    expect(looksLikeMbox(Buffer.from('From a@b Mon Jan  2 10:00:00 2006'))).toBe(false);
    expect(looksLikeMbox(Buffer.alloc(0))).toBe(false);
  });

  it('countEscapedFromLines', () => {
    expect(countEscapedFromLines(Buffer.from('>From a\nx >From b\n>>From c\n>>>From d\n>Fromage\n'))).toBe(3);
    expect(countEscapedFromLines(Buffer.from('no escapes\n'))).toBe(0);
  });
});
