/**
 * Authentication through the whole pipeline, as a user runs it: ingest, keys import, analyze,
 * export. Signed messages are made here with a test key (src/auth/testing/sign.ts), so every
 * expected verdict is known by construction.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDkim, testKey } from '../../src/auth/testing/sign.ts';
import { CORPORA } from '../helpers/corpora.ts';
import { trove } from '../helpers/cli.ts';

interface Rec { id: string; message_id: string | null; verdict: string; dkim: { result: string; body_hash: string; header_signature: string; aligned: boolean }[]; evidence: { code: string; severity: string }[]; sources: { locator: string }[] }

const work = mkdtempSync(join(tmpdir(), 'trove-auth-'));
const dump = join(work, 'dump');
const caseDir = join(work, 'case');
let recs: Rec[];
const byMid = (m: string) => recs.find((r) => r.message_id === `<${m}@campaign.example>`)!;

function message(mid: string, body: string): Buffer {
  return Buffer.from(
    [`From: Alice <alice@campaign.example>`, `To: bob@campaign.example`, `Subject: Budget ${mid}`, `Date: Fri, 28 Apr 2017 10:00:00 +0200`, `Message-ID: <${mid}@campaign.example>`, ``, body].join('\r\n'),
  );
}

beforeAll(() => {
  mkdirSync(dump, { recursive: true });
  const key = testKey('rsa', 2048);
  const sign = (raw: Buffer) => signDkim(raw, { domain: 'campaign.example', selector: 's2017', privateKey: key.privateKey });
  const good = sign(message('good', 'The rally budget is 48,500 EUR.\r\n'));
  writeFileSync(join(dump, 'good.eml'), good);
  // the same message with its amount changed after signing
  writeFileSync(join(dump, 'edited.eml'), Buffer.from(sign(message('edited', 'The rally budget is 48,500 EUR.\r\n')).toString('latin1').replace('48,500', '148,500'), 'latin1'));
  // signed by the campaign, but claiming another From domain
  writeFileSync(join(dump, 'foreign.eml'), signDkim(Buffer.from(message('foreign', 'hello\r\n').toString('latin1').replace('alice@campaign.example', 'alice@other.example'), 'latin1'), { domain: 'campaign.example', selector: 's2017', privateKey: key.privateKey }));
  // a signed body with a line starting "From ", stored in an mbox that quoted it as ">From "
  const quoted = sign(message('quoted', 'Minutes follow.\r\nFrom now on, no press.\r\n'));
  writeFileSync(join(dump, 'list.mbox'), Buffer.concat([
    Buffer.from('From alice@campaign.example Fri Apr 28 10:00:00 2017\n'),
    Buffer.from(quoted.toString('latin1').replace('\r\nFrom now', '\r\n>From now'), 'latin1'),
    Buffer.from('\n'),
    Buffer.from('From alice@campaign.example Fri Apr 28 10:05:00 2017\n'),
    good,
    Buffer.from('\n'),
  ]));
  writeFileSync(join(work, 'keys.txt'), `# archived on 2017-05-05\ns2017._domainkey.campaign.example ${key.txt}\n`);

  let r = trove(['--case', caseDir, 'ingest', dump, join(CORPORA, 'msg/test1.msg')]);
  expect(r.status, r.stderr).toBe(0);
  // before keys are known: nothing can be verified
  recs = trove(['--case', caseDir, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(recs.filter((x) => x.verdict === 'verified')).toEqual([]);
  r = trove(['--case', caseDir, 'keys', 'import', join(work, 'keys.txt')]);
  expect(r.status, r.stderr).toBe(0);
  r = trove(['--case', caseDir, 'analyze']);
  expect(r.status, r.stderr).toBe(0);
  recs = trove(['--case', caseDir, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('authentication in the pipeline', () => {
  it('verifies an intact signed message once its key is archived (same bytes found twice: one record, two sources)', () => {
    const g = byMid('good');
    expect(g.verdict).toBe('verified');
    expect(g.dkim[0]).toMatchObject({ result: 'pass', body_hash: 'match', header_signature: 'valid', aligned: true });
    expect(g.sources.map((s) => s.locator).sort()).toEqual(['dump/good.eml', 'dump/list.mbox!#2']);
  });

  it('calls a message edited after signing tampered, and says the body changed', () => {
    const e = byMid('edited');
    expect(e.verdict).toBe('tampered');
    expect(e.dkim[0]).toMatchObject({ body_hash: 'mismatch', header_signature: 'valid' });
    expect(e.evidence.map((x) => x.code)).toContain('body-modified');
  });

  it('never verifies a signature of another domain than the From', () => {
    const f = byMid('foreign');
    expect(f.verdict).not.toBe('verified');
    expect(f.dkim[0].aligned).toBe(false);
  });

  it('undoes mbox ">From " quoting before checking, and says so', () => {
    const q = byMid('quoted');
    expect(q.verdict).toBe('verified');
    expect(q.evidence.map((x) => x.code)).toContain('mbox-unquoted');
  });

  it('never checks signatures over bytes rebuilt from Outlook files', () => {
    const m = recs.find((r) => r.sources.some((s) => s.locator === 'test1.msg'))!;
    expect(m.verdict).toBe('unverifiable');
    expect(m.dkim).toEqual([]);
    expect(m.evidence.map((x) => x.code)).toContain('synthesized');
  });
});
