/**
 * Precision of the case scan (issue 8 follow-up): names damaged by the text they sit in are not
 * lookalikes — regressions from real Enron messages (a still quoted-printable body, addresses
 * wrapped by Lotus Notes columns, a percent escape cut by a line break, text run into a
 * name) — and a lookalike the case shows to be the organisation's own is `info`, while a
 * phishing burst from outside stays a warning that makes its messages suspicious.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { detect, makeTarget, ownedBecause, OWNED, parseHost, runLookalikes } from '../../src/lookalike/index.ts';
import { bareDomains, domainsOf, undoQuotedPrintable } from '../../src/lookalike/extract.ts';
import { parseMessage } from '../../src/mime/parse.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { trove } from '../helpers/cli.ts';
import { extracted } from '../helpers/corpora.ts';

const enron = (path: string) => domainsOf(parseMessage(readFileSync(join(extracted('enron-maildir'), 'maildir', path)), DEFAULT_LIMITS).message);
const enronCom = [makeTarget('enron.com')!];

describe('damaged names in real Enron messages', () => {
  it.each([
    // "<Stacey.W.White@e        cc:" / "nron.com>   Subject:" (Lotus Notes header columns)
    ['white-s/inbox/116'], ['saibi-e/inbox/137'], ['keiser-k/inbox/341'], ['keiser-k/inbox/12'],
  ])('%s: an address wrapped in a Lotus Notes column gives no "nron.com"', (path) => {
    const ds = enron(path);
    expect(ds.has('nron.com')).toBe(false);
    expect(ds.size).toBeGreaterThan(0);
  });

  it('lay-k/inbox/206: "email=info%4" / "0enron.com" (a percent escape cut by a line break) gives no 0enron.com', () => {
    const ds = enron('lay-k/inbox/206');
    expect(ds.has('0enron.com')).toBe(false);
    expect(ds.get('www.cumbria-investment.com')).toContain('link');
  });

  it('dasovich-j/inbox/794: a body still quoted-printable gives www.enron.com, not www.enron.com=20', () => {
    const ds = enron('dasovich-j/inbox/794');
    expect([...ds.keys()].filter((d) => d.includes('='))).toEqual([]);
    expect(ds.get('www.enron.com')).toContain('link');
  });

  it('names run into text or cut short are not lookalikes: no ICANN suffix, or characters no host has', () => {
    // lay-k/inbox/630 <mailto:christie_patrick@enron.comsend>; <...thordardottir@enron.c>; mailto:…@enron.comAlberto
    expect(enron('lay-k/inbox/630').get('enron.comsend')).toContain('link');
    for (const d of ['enron.comsend', 'enron.c', 'enron.comalberto', 'www.enron.com=20']) expect(detect(d, enronCom), d).toBeNull();
    expect(parseHost('www.enron.com=20')).toBeNull();
    // a real TLD swap still is one; a reserved TLD counts when the target uses it (demo cases)
    expect(detect('enron.co', enronCom)?.kind).toBe('tld-swap');
    expect(detect('onedrive-horizon.example', [makeTarget('horizon.example')!])?.kind).toBe('combosquat');
    expect(detect('onedrive-horizon.example', enronCom)).toBeNull();
  });

  it('wrapping and quoted-printable, on their own', () => {
    expect(bareDomains('mail David.Portz@e\n>     nron.com today')).toEqual([]);
    expect(bareDomains('    <Kam.Keiser@e        To:     <EtterK@valero.com>\n\n    nron.com>    cc:')).toEqual([]);
    expect(bareDomains('manager.cgi?email=info%4\n0enron.com&group=1')).toEqual([]);
    // a complete address or a plain word above does not hide the name below
    expect(bareDomains('write to anne@enron.com\nenron.net is ours')).toEqual(['enron.net']);
    expect(bareDomains('see\nonedrive-en-marche.fr/login')).toEqual(['onedrive-en-marche.fr']);
    expect(undoQuotedPrintable('Web site: http://www.enron.com=20\nnext=\n line')).toBe('Web site: http://www.enron.com \nnext line');
    expect(undoQuotedPrintable('a=b and c=3D without a soft break')).toBe('a=b and c=3D without a soft break');
  });
});

describe('organisation-owned lookalikes', () => {
  it('thresholds: wide use, or relaying the organisation\'s own mail; a burst is neither', () => {
    const wide = { messages: 10, days: 90, senders: 5, ownSenders: 2, relayed: 0, relayedDays: 0, relayedSenders: 0 };
    expect(ownedBecause('enron.net', 'enron.com', wide)).toMatch(/^enron\.net is used in 10 messages over 3 months by 5 senders \(2 at the case's own domains\): probably the organisation's own domain/);
    for (const k of ['messages', 'days', 'senders', 'ownSenders'] as const) expect(ownedBecause('enron.net', 'enron.com', { ...wide, [k]: OWNED[k] - 1 }), k).toBeNull();
    const relay = { messages: 5, days: 30, senders: 3, ownSenders: 3, relayed: 5, relayedDays: 30, relayedSenders: 3 };
    expect(ownedBecause('mx-enron.com', 'enron.com', relay)).toMatch(/relays 5 messages from the case's own domains over 1 month \(3 senders\)/);
    for (const k of ['relayed', 'relayedDays', 'relayedSenders'] as const) expect(ownedBecause('mx-enron.com', 'enron.com', { ...relay, [k]: OWNED[k] - 1 }), k).toBeNull();
  });

  const work = mkdtempSync(join(tmpdir(), 'trove-lookalike-owned-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('a synthetic case: the sibling domains used by staff are info, the phishing ones warnings', () => {
    const dump = join(work, 'dump');
    mkdirSync(dump);
    let n = 0;
    const mail = (o: { from: string; date: Date; body: string; received?: string }): void => {
      const id = `m${++n}`;
      writeFileSync(join(dump, `${id}.eml`), [
        ...(o.received ? [`Received: from ${o.received} (${o.received} [192.0.2.7]) by mx1.en-marche.fr; ${o.date.toUTCString()}`] : []),
        `From: ${o.from}`, 'To: staff@en-marche.fr', 'Cc: equipe@en-marche.fr', `Subject: note ${n}`, `Message-ID: <${id}@case.test>`,
        `Date: ${o.date.toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', o.body, '',
      ].join('\r\n'));
    };
    const day = (d: number) => new Date(Date.UTC(2017, 0, 1) + d * 86_400_000);
    // the campaign's own intranet under a lookalike name, linked by 6 staff over 5 months
    for (let i = 0; i < 12; i++) mail({ from: `staff${i % 6}@en-marche.fr`, date: day(i * 13), body: `Le compte rendu est sur https://intranet.en-marche.org/cr/${i} comme d'habitude.` });
    // an outgoing relay with a lookalike name, in the Received chain of staff mail over 40 days
    for (let i = 0; i < 5; i++) mail({ from: `staff${i % 3}@en-marche.fr`, date: day(10 + i * 10), received: 'out.enmarche-mail.fr', body: 'Réunion jeudi.' });
    // the 2017 pattern: three phishing mails over three days from a lookalike, with its link
    for (let i = 0; i < 3; i++) mail({ from: 'OneDrive <noreply@onedrive-en-marche.fr>', date: day(100 + i), body: `Un document vous attend: https://onedrive-en-marche.fr/doc/${i}` });
    // a burst that spoofs many staff with a lookalike link: many senders, but days, not months
    for (let i = 0; i < 12; i++) mail({ from: `staff${i % 6}@en-marche.fr`, date: day(120 + (i % 4)), body: `Mot de passe expiré: https://accounts-en-marche.fr/reset/${i}` });

    const caseDir = join(work, 'case');
    const r = trove(['--case', caseDir, 'ingest', dump]);
    expect(r.status, r.stderr).toBe(0);
    const verdicts = new Map<string, string>();
    for (const l of trove(['--case', caseDir, 'export']).stdout.trim().split('\n')) {
      const x = JSON.parse(l) as { message_id: string; verdict: string };
      verdicts.set(x.message_id, x.verdict);
    }
    const v = (from: number, to: number) => [...new Set(Array.from({ length: to - from + 1 }, (_, i) => verdicts.get(`<m${from + i}@case.test>`)))];
    expect(v(1, 12)).toEqual(['unverifiable']);
    expect(v(13, 17)).toEqual(['unverifiable']);
    expect(v(18, 20)).toEqual(['suspicious']);
    expect(v(21, 32)).toEqual(['suspicious']);

    const db = new CaseDb(caseDir, { create: false });
    try {
      const res = runLookalikes(db);
      expect(res.targets).toEqual(['en-marche.fr']);
      const by = Object.fromEntries(res.hits.map((h) => [h.domain, h]));
      expect(Object.keys(by).sort()).toEqual(['accounts-en-marche.fr', 'intranet.en-marche.org', 'onedrive-en-marche.fr', 'out.enmarche-mail.fr']);
      expect(by['intranet.en-marche.org'].owned).toMatch(/^en-marche\.org is used in 12 messages over 5 months by 6 senders \(6 at the case's own domains\): probably the organisation's own domain — name it .*trove lookalikes en-marche\.fr en-marche\.org/);
      expect(by['out.enmarche-mail.fr'].owned).toMatch(/^enmarche-mail\.fr relays 5 messages from the case's own domains over 1 month \(3 senders\)/);
      expect(by['onedrive-en-marche.fr'].owned).toBeUndefined();
      expect(by['accounts-en-marche.fr'].owned).toBeUndefined();
      const rows = db.db.prepare(`SELECT e.severity, e.detail FROM evidence e WHERE e.code = 'lookalike-domain'`).all() as { severity: string; detail: string }[];
      const sev = (d: string) => [...new Set(rows.filter((x) => x.detail.includes(` ${d}, a lookalike`)).map((x) => x.severity))];
      expect(sev('intranet.en-marche.org')).toEqual(['info']);
      expect(sev('out.enmarche-mail.fr')).toEqual(['info']);
      expect(sev('onedrive-en-marche.fr')).toEqual(['warning']);
      expect(sev('accounts-en-marche.fr')).toEqual(['warning']);
      expect(rows.find((x) => x.detail.includes('intranet.en-marche.org'))!.detail).toMatch(/^link uses intranet\.en-marche\.org, a lookalike of en-marche\.fr \(tld-swap.*; en-marche\.org is used in 12 messages/);
    } finally {
      db.close();
    }
  }, 120_000);
});
