/**
 * The scaled corpus generator (bench/lib/scale.ts) on a small slice of the real Enron maildir:
 * deterministic bytes, the expected number of messages in every packing, and copies that trove
 * sees as distinct messages (no duplicate Message-IDs, no byte-identical copies), with the
 * generated attachments found and the dates still parseable.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleCorpus, shiftDate, vary, type ScaledCorpus } from '../../bench/lib/scale.ts';
import { CORPORA, extracted } from '../helpers/corpora.ts';
import { trove, troveJson } from '../helpers/cli.ts';

const HAVE = existsSync(join(CORPORA, 'enron-maildir.tar.gz'));
const FACTOR = 3;
const USERS = 2;

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

describe.skipIf(!HAVE)('scaled corpus generator', () => {
  let tmp: string;
  let a: ScaledCorpus;
  let b: ScaledCorpus;
  let src: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'trove-scale-'));
    src = join(extracted('enron-maildir'), 'maildir');
    a = await scaleCorpus({ src, factor: FACTOR, out: join(tmp, 'a'), packs: ['maildir', 'zip', 'mbox', 'nested'], users: USERS });
    b = await scaleCorpus({ src, factor: FACTOR, out: join(tmp, 'b'), packs: ['zip', 'mbox', 'nested'], users: USERS });
  }, 300_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is deterministic: the same input gives the same bytes in every packing', () => {
    expect(a.messages).toBe(b.messages);
    expect(a.bytes).toBe(b.bytes);
    for (const p of ['zip', 'mbox', 'nested'] as const) expect(sha(a.paths[p]!), p).toBe(sha(b.paths[p]!));
  });

  it('copy 0 is the corpus itself; other copies change ids, dates and names but stay parseable', () => {
    const raw = readFileSync(join(src, 'allen-p/inbox/10'));
    expect(vary(raw, 0, 'allen-p/inbox/10').equals(raw)).toBe(true);
    const withId = Buffer.from('Message-ID: <123.JavaMail.evans@thyme>\nDate: Mon, 14 May 2001 16:39:00 -0700 (PDT)\nFrom: phillip.allen@enron.com\nTo: tim.belden@enron.com\nX-From: Phillip K Allen\nSubject: x\n\nbody\n');
    const v = vary(withId, 2, 'u/inbox/1').toString('latin1');
    expect(v).toMatch(/^Message-ID: <123\.JavaMail\.evans\.v2@thyme>$/m);
    expect(v).not.toContain('phillip.allen@');
    expect(v).not.toMatch(/^X-From: Phillip K Allen$/m);
    const date = /^Date: (.*)$/m.exec(v)![1];
    // two years of 52 weeks later (+ < 1 day): same weekday rule, zone kept
    const t = Date.parse(date.replace(/\(.*\)/, ''));
    const shift = t - Date.parse('Mon, 14 May 2001 16:39:00 -0700');
    expect(shift).toBeGreaterThanOrEqual(2 * 364 * 86_400_000);
    expect(shift).toBeLessThan(2 * 364 * 86_400_000 + 86_400_000);
    expect(date).toMatch(/ -0700 \(PDT\)$/);
    expect(shiftDate('Sat, 29 Dec 2001 23:30:00 +0100', 3_600_000)).toBe('Sun, 30 Dec 2001 00:30:00 +0100');
  });

  it('every packing ingests to the same number of distinct messages', () => {
    const counts: Record<string, { messages: number; unique: number; duplicates: number }> = {};
    for (const p of ['maildir', 'zip', 'mbox', 'nested'] as const) {
      const c = join(tmp, `case-${p}`);
      const s = troveJson<{ messages: number; unique: number; duplicates: number; errors: number }>(['--case', c, 'ingest', a.paths[p]!]);
      expect(s.errors, p).toBe(0);
      counts[p] = { messages: s.messages, unique: s.unique, duplicates: s.duplicates };
    }
    for (const p of Object.keys(counts)) {
      expect(counts[p].messages, p).toBe(a.messages);
      expect(counts[p].unique, p).toBe(counts.maildir.unique);
    }
    // the varied copies are not duplicates of the original (only the corpus's own duplicates are)
    expect(counts.maildir.unique).toBeGreaterThan(a.messages * 0.95);
    // generated attachments are found and indexed
    const r = trove(['--case', join(tmp, 'case-zip'), 'search', 'has:attachment filename:positions*', '--count']);
    expect(r.status, r.stderr).toBe(0);
    const n = Number(r.stdout.trim());
    // one message in 16 of the copies k ≥ 1, by hash: expect roughly (FACTOR-1)/16 of a copy each
    const perCopy = a.messages / FACTOR;
    expect(n).toBeGreaterThan(((FACTOR - 1) * perCopy) / 16 / 2);
    expect(n).toBeLessThan(((FACTOR - 1) * perCopy) / 16 * 2);
  }, 600_000);
});
