/**
 * Domain names written without a scheme in message bodies ("go to onedrive-en-marche.fr/login"):
 * what the extractor keeps and leaves out, on hand-picked traps and on the SpamAssassin corpus
 * (every URL host of a text body, its `http://` removed, must still be found); and the
 * evidence a case gets: a warning for a lookalike sender, info for one only named in the text.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { detect, makeTarget, parseHost, runLookalikes } from '../../src/lookalike/index.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { trove } from '../helpers/cli.ts';
import { bareDomains, domainsOf } from '../../src/lookalike/extract.ts';
import { parseMessage } from '../../src/mime/parse.ts';
import { extracted } from '../helpers/corpora.ts';

const CASES: [string, string[]][] = [
  ['go to onedrive-en-marche.fr/login to read it', ['onedrive-en-marche.fr']],
  ['(see accounts-office.fr), or MAIL-EN-MARCHE.FR.', ['accounts-office.fr', 'mail-en-marche.fr']],
  ['Visit Amazon.com or www.DeepEddy.Com today.', ['amazon.com', 'www.deepeddy.com']],
  ['ftp.cs.example.ac.uk and hm.qov.hu', ['ftp.cs.example.ac.uk', 'hm.qov.hu']],
  ['new TLDs: secure-login.click, login.click/x', ['secure-login.click', 'login.click']],
  // e-mail addresses (handled as addresses), URLs (handled as links), paths, key=value
  ['write to john.smith@enron.com or see http://example.com/a/b.html', []],
  ['path /var/www/site.com/index and key=value.com and C:\\dir\\web.com', []],
  // file names whose extension is a TLD, and ones that are no TLD at all
  ['see report.pdf, archive.zip, setup.py, notes.md, main.rs and photo.jpg', []],
  // abbreviations, numbers, sentences run together, ordinary words under new gTLDs
  ['e.g. this, i.e. that, U.S. policy, 3.5 million, v1.2.3, Smith et.al, Tel.no 22', []],
  ['the end.Today we meet; click instantly.click here; sender: foo.bar', []],
  ['a.b.c.d.e.f and 192.168.0.1 and 2.0.com', []],
];

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

describe('scheme-less domains in bodies', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(bareDomains(text)).toEqual(expected);
  });

  it('a message naming a lookalike without a scheme gets it as a "text" place', () => {
    const raw = Buffer.from([
      'From: Support <it@en-marche.fr>', 'To: staff@en-marche.fr', 'Subject: mot de passe', 'Message-ID: <1@en-marche.fr>',
      'Content-Type: text/plain; charset=utf-8', '',
      'Bonjour, votre mot de passe expire. Allez sur onedrive-en-marche.fr/login avant ce soir.',
      'Le rapport.pdf est joint. Contact: it@en-marche.fr', '',
    ].join('\r\n'));
    const m = parseMessage(raw, DEFAULT_LIMITS).message;
    const ds = domainsOf(m);
    expect([...ds.get('onedrive-en-marche.fr') ?? []]).toEqual(['text']);
    expect(ds.has('rapport.pdf')).toBe(false);
    expect(detect('onedrive-en-marche.fr', [makeTarget('en-marche.fr')!])?.kind).toBe('combosquat');
  });

  it('finds the URL hosts of the SpamAssassin text bodies with their scheme removed', () => {
    const URL_HOST = /\bhttps?:\/\/([a-z0-9.-]+\.[a-z]{2,})(?=[/\s"'<>)]|$)/gi;
    let hosts = 0;
    let found = 0;
    let bareOnly = 0;
    for (const f of files(extracted('spamassassin'))) {
      const raw = readFileSync(f);
      if (!raw.length) continue;
      const m = parseMessage(raw, DEFAULT_LIMITS).message;
      for (const ps of domainsOf(m).values()) if (ps.size === 1 && ps.has('text')) bareOnly++;
      if (!m.text) continue;
      const want = new Set([...m.text.matchAll(URL_HOST)].map((x) => x[1].toLowerCase()).filter((h) => parseHost(h)?.icann));
      if (!want.size) continue;
      const got = new Set(bareDomains(m.text.replace(/\bhttps?:\/\//gi, ' ')));
      for (const h of want) {
        hosts++;
        if (got.has(h)) found++;
      }
    }
    const recall = found / hosts;
    console.log(`scheme-less extraction: ${found}/${hosts} = ${recall.toFixed(4)} of SpamAssassin URL hosts found without http://; ${bareOnly} names found only as bare text`);
    expect(hosts).toBeGreaterThan(10_000);
    expect(recall).toBeGreaterThanOrEqual(0.98);
  }, 120_000);
});

describe('lookalike evidence from the body text', () => {
  const work = mkdtempSync(join(tmpdir(), 'trove-lookalike-text-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('a warning when a header or link uses the lookalike, info when the text only names it', () => {
    const dump = join(work, 'dump');
    mkdirSync(dump);
    const mail = (from: string, id: string, body: string): string => [
      `From: ${from}`, 'To: staff@en-marche.fr', 'Cc: team@en-marche.fr', 'Subject: compte', `Message-ID: <${id}>`,
      'Date: Thu, 20 Apr 2017 10:00:00 +0200', 'Content-Type: text/plain; charset=utf-8', '', body, '',
    ].join('\r\n');
    writeFileSync(join(dump, 'phish.eml'), mail('Support <support@mail-en-marche.fr>', 'p1@mail-en-marche.fr', 'Votre compte expire: allez sur onedrive-en-marche.fr/login.'));
    writeFileSync(join(dump, 'warning.eml'), mail('IT <it@en-marche.fr>', 'w1@en-marche.fr', 'Attention: ne cliquez pas sur les liens de onedrive-en-marche.fr, voir le rapport.pdf.'));
    writeFileSync(join(dump, 'other.eml'), mail('Anne <anne@en-marche.fr>', 'o1@en-marche.fr', 'Rendez-vous au marche.fr demain.'));
    const caseDir = join(work, 'case');
    const r = trove(['--case', caseDir, 'ingest', dump]);
    expect(r.status, r.stderr).toBe(0);
    // ingest's analysis guessed en-marche.fr from the recipients: only the phishing mail is suspicious
    const verdicts = Object.fromEntries(trove(['--case', caseDir, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { message_id: string; verdict: string }).map((x) => [x.message_id, x.verdict]));
    expect(verdicts).toEqual({ '<p1@mail-en-marche.fr>': 'suspicious', '<w1@en-marche.fr>': 'unverifiable', '<o1@en-marche.fr>': 'unverifiable' });
    const db = new CaseDb(caseDir, { create: false });
    try {
      const res = runLookalikes(db, ['en-marche.fr']);
      expect(res.hits.map((h) => h.domain).sort()).toEqual(['mail-en-marche.fr', 'onedrive-en-marche.fr']);
      const rows = db.db.prepare(`SELECT json_extract(m.parsed, '$.messageId') AS mid, e.severity, e.detail FROM evidence e JOIN messages m ON m.id = e.message WHERE e.code = 'lookalike-domain' ORDER BY mid, e.detail`).all() as { mid: string; severity: string; detail: string }[];
      expect(rows.map((x) => [x.mid, x.severity])).toEqual([
        ['<p1@mail-en-marche.fr>', 'warning'],
        ['<p1@mail-en-marche.fr>', 'info'],
        ['<w1@en-marche.fr>', 'info'],
      ]);
      expect(rows[1].detail).toMatch(/^the body text names onedrive-en-marche\.fr, a lookalike of en-marche\.fr \(combosquat/);
      expect(rows[0].detail).toMatch(/^from, message-id use mail-en-marche\.fr/);
    } finally {
      db.close();
    }
  }, 120_000);
});
