/**
 * `mailer-fingerprint-mismatch` on real mail, through the CLI: real SpamAssassin ham written
 * with exmh 2.5 and Outlook 2000 is DKIM-signed in the test (its own From domain, a test key
 * imported into the case) so that the case has groups of verified messages to learn from.
 * Other real messages of the same mailers, rewritten to another mailer's shape (Gmail's
 * Message-ID, Apple Mail's boundary, Thunderbird's header order) and left unsigned, must each
 * be flagged with expected vs found; untouched ones of the same mailers must not be.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signDkim, testKey } from '../../src/auth/testing/sign.ts';
import { trove } from '../helpers/cli.ts';
import { extracted } from '../helpers/corpora.ts';

interface Rec { sources: { locator: string }[]; verdict: string; evidence: { code: string; severity: string; detail: string }[] }

const HAM = () => join(extracted('spamassassin'), 'spamassassin', 'easy_ham');

interface Msg { file: string; fields: string[]; body: string; domain: string; multipart: boolean }

function read(file: string, mailer: RegExp): Msg | null {
  const text = readFileSync(file, 'latin1').replace(/^From .*\n/, '');
  const end = text.indexOf('\n\n');
  if (end < 0) return null;
  const fields = text.slice(0, end + 1).split(/\n(?=[^ \t])/).map((f) => f.replace(/\n$/, ''));
  const get = (k: string) => fields.find((f) => f.toLowerCase().startsWith(`${k}:`));
  if (!mailer.test(get('x-mailer') ?? '')) return null;
  const domain = /@([A-Za-z0-9.-]+)/.exec(get('from') ?? '')?.[1]?.toLowerCase();
  if (!domain || !get('date') || !get('message-id')) return null;
  return { file, fields, body: text.slice(end + 2), domain, multipart: /^Content-Type:\s*multipart\//im.test(get('content-type') ?? '') };
}

const crlf = (m: Msg) => Buffer.from(`${m.fields.join('\n')}\n\n${m.body}`.replace(/\r?\n/g, '\r\n'), 'latin1');
const field = (m: Msg, k: string) => m.fields.findIndex((f) => f.toLowerCase().startsWith(`${k}:`));

/** Thunderbird 1.x writes its fields in this order; exmh writes them differently. */
const THUNDERBIRD = ['message-id', 'date', 'from', 'user-agent', 'x-mailer', 'mime-version', 'to', 'cc', 'subject', 'references', 'in-reply-to', 'content-type', 'content-transfer-encoding'];

describe('mailer fingerprints learned from verified messages', () => {
  let recs: Rec[];
  const byName = (n: string) => recs.find((r) => r.sources.some((s) => s.locator.endsWith(n)))!;
  const mismatch = (n: string) => byName(n).evidence.filter((e) => e.code === 'mailer-fingerprint-mismatch');

  beforeAll(() => {
    const files = readdirSync(HAM()).sort();
    const group = (re: RegExp) => files.map((f) => read(join(HAM(), f), re)).filter((m): m is Msg => m !== null);
    // exmh: many multipart messages (boundary, header order); its Message-IDs vary too much to be judged
    const exmh = group(/^X-Mailer:\s*exmh version 2\.5/i);
    const multi = exmh.filter((m) => m.multipart);
    const single = exmh.filter((m) => !m.multipart);
    expect(multi.length).toBeGreaterThanOrEqual(27);
    expect(single.length).toBeGreaterThanOrEqual(9);
    // Outlook 2000 (IMO): one Message-ID format
    const outlook = group(/^X-Mailer:\s*Microsoft Outlook IMO, Build 9\.0\.2416/i);
    expect(outlook.length).toBeGreaterThanOrEqual(25);
    const signed = [...multi.slice(0, 22), ...single.slice(0, 8), ...outlook.slice(0, 22)];
    const [forBoundary, forOrder, keep1, keep2] = multi.slice(22, 26);
    const keep3 = single[8];
    const [forId, keep4, signedOdd] = outlook.slice(22, 25);

    const dir = mkdtempSync(join(tmpdir(), 'trove-mailer-'));
    const dump = join(dir, 'dump');
    mkdirSync(dump);
    const key = testKey();
    const domains = new Set([...signed, signedOdd].map((m) => m.domain));
    writeFileSync(join(dir, 'keys.txt'), [...domains].map((d) => `trove._domainkey.${d} ${key.txt}`).join('\n') + '\n');
    signed.forEach((m, i) => writeFileSync(join(dump, `signed-${i}.eml`), signDkim(crlf(m), { domain: m.domain, selector: 'trove', privateKey: key.privateKey })));

    // 0. a signed message whose Message-ID has JavaMail's shape: verified, the finding only listed
    const odd = { ...signedOdd, fields: [...signedOdd.fields] };
    odd.fields[field(odd, 'message-id')] = 'Message-ID: <21504713.1075840254387.JavaMail.evans@thyme>';
    writeFileSync(join(dump, 'signed-odd.eml'), signDkim(crlf(odd), { domain: odd.domain, selector: 'trove', privateKey: key.privateKey }));
    domains.add(odd.domain);
    // 1. Message-ID rewritten to Gmail's shape
    const id = { ...forId, fields: [...forId.fields] };
    id.fields[field(id, 'message-id')] = 'Message-ID: <CAKx5OeQ7Zb3F+qvE2h2gXx_yU3J-mZk0aPq@mail.gmail.com>';
    writeFileSync(join(dump, 'forged-id.eml'), crlf(id));
    // 2. MIME boundary rewritten to Apple Mail's shape, in the header and in the body
    const old = /boundary\s*=\s*"?([^";\s]+)"?/i.exec(forBoundary.fields[field(forBoundary, 'content-type')])![1];
    const apple = 'Apple-Mail-2-1045319137';
    const b = { ...forBoundary, fields: forBoundary.fields.map((f) => f.split(old).join(apple)), body: forBoundary.body.split(old).join(apple) };
    writeFileSync(join(dump, 'forged-boundary.eml'), crlf(b));
    // 3. header fields put in Thunderbird's order (the other fields keep their places)
    const slots = forOrder.fields.map((f, i) => [i, THUNDERBIRD.indexOf(f.slice(0, f.indexOf(':')).toLowerCase())] as const).filter(([, r]) => r >= 0);
    const moved = [...slots].sort((x, y) => x[1] - y[1]).map(([i]) => forOrder.fields[i]);
    const o = { ...forOrder, fields: [...forOrder.fields] };
    slots.forEach(([i], k) => (o.fields[i] = moved[k]));
    expect(o.fields).not.toEqual(forOrder.fields);
    writeFileSync(join(dump, 'forged-order.eml'), crlf(o));
    // 4. untouched, unsigned messages of the same mailer
    for (const [n, m] of [['keep-1.eml', keep1], ['keep-2.eml', keep2], ['keep-3.eml', keep3], ['keep-4.eml', keep4]] as const) writeFileSync(join(dump, n), crlf(m));

    const c = join(dir, 'case');
    expect(trove(['--case', c, 'keys', 'import', join(dir, 'keys.txt')]).status).toBe(0);
    const r = trove(['--case', c, 'ingest', dump, '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    const e = trove(['--case', c, 'export']);
    recs = e.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
    expect(recs.filter((x) => x.verdict === 'verified')).toHaveLength(signed.length + 1);
  }, 120_000);

  it('flags a Message-ID in another mailer\'s format, with expected and found', () => {
    const [f] = mismatch('forged-id.eml');
    expect(f?.severity).toBe('warning');
    expect(f.detail).toMatch(/Message-ID format is <\{base64\}@…>, never seen in the \d+ verified messages/);
    expect(f.detail).toMatch(/written with "Microsoft Outlook IMO, Build 9\.0\.2416.*which have <\{UPPER\}\.\{lower\}@…> \(\d+\)/);
    expect(byName('forged-id.eml').verdict).toBe('suspicious');
  });
  it('flags a MIME boundary in another mailer\'s format', () => {
    const [f] = mismatch('forged-boundary.eml');
    expect(f?.severity).toBe('warning');
    expect(f.detail).toMatch(/MIME boundary format is Apple-Mail-\{digits\}-\{digits\}, never seen in the \d+ verified messages.*which have ==_Exmh_/);
    expect(byName('forged-boundary.eml').verdict).toBe('suspicious');
  });
  it('flags header fields in another mailer\'s order', () => {
    const [f] = mismatch('forged-order.eml');
    expect(f?.severity).toBe('warning');
    expect(f.detail).toMatch(/header fields are in the order Message-ID, Date, From, .*always have .* before /);
    expect(byName('forged-order.eml').verdict).toBe('suspicious');
  });
  it('leaves untouched messages of the same mailer alone', () => {
    for (const n of ['keep-1.eml', 'keep-2.eml', 'keep-3.eml', 'keep-4.eml']) {
      expect(mismatch(n).filter((e) => e.severity !== 'info'), n).toEqual([]);
      expect(byName(n).verdict).toBe('unverifiable');
    }
  });
  it('lists a mismatch on a verified message without changing its verdict', () => {
    const [f] = mismatch('signed-odd.eml');
    expect(f?.detail).toMatch(/Message-ID format is <\{digits\}\.\{digits\}\.JavaMail\.\{lower\}@…>/);
    expect(byName('signed-odd.eml').verdict).toBe('verified');
    const plain = recs.filter((x) => /signed-\d+\.eml$/.test(x.sources[0].locator));
    expect(plain).toHaveLength(52);
    for (const r of plain) expect(r.verdict).toBe('verified');
  });
});
