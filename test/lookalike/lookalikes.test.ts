/**
 * `trove lookalikes` on the demo case, on a feed, and `runLookalikes` writing evidence; and
 * precision on ordinary domain lists: the distinct sender domains of the Enron and
 * SpamAssassin corpora against twenty well-known targets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect, makeTarget, runLookalikes, guessTargets } from '../../src/lookalike/index.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { trove, troveJson } from '../helpers/cli.ts';
import { senderDomains } from './sender-domains.ts';

const work = mkdtempSync(join(tmpdir(), 'trove-lookalike-'));
const caseDir = join(work, 'case');
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Hit { domain: string; target: string; kind: string; score: number; seen_in: string[]; parts: { reason: string }[] }

describe('trove lookalikes', () => {
  let phishId = '';
  beforeAll(() => {
    const r = trove(['--case', caseDir, 'demo', '--no-serve']);
    expect(r.status, r.stderr).toBe(0);
    const recs = trove(['--case', caseDir, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; message_id: string });
    phishId = recs.find((x) => x.message_id === '<a81f@onedrive-horizon.example>')!.id;
  }, 120_000);

  it('finds the demo phishing domain for horizon.example, with the message using it', () => {
    const hits = troveJson<Hit[]>(['--case', caseDir, 'lookalikes', 'horizon.example']);
    const h = hits.find((x) => x.domain === 'onedrive-horizon.example')!;
    expect(h).toMatchObject({ target: 'horizon.example', kind: 'combosquat', seen_in: [phishId] });
    expect(h.score).toBeGreaterThanOrEqual(0.85);
    expect(h.parts[0].reason).toContain('onedrive');
    expect(hits.every((x) => x.seen_in.length === 1 && x.seen_in[0] === phishId)).toBe(true);
  });

  it('guesses the case domain from recipients when none is given', () => {
    const hits = troveJson<Hit[]>(['--case', caseDir, 'lookalikes']);
    expect(hits.map((h) => h.domain)).toContain('onedrive-horizon.example');
  });

  it('scans a feed and generates candidates', () => {
    const feed = join(work, 'feed.txt');
    writeFileSync(feed, 'supermarche.fr\nonedrive-en-marche.fr\n# comment\nmail-en-marche.fr\nlemonde.fr\n');
    const hits = troveJson<Hit[]>(['lookalikes', 'en-marche.fr', '--feed', feed]);
    expect(hits.map((h) => h.domain).sort()).toEqual(['mail-en-marche.fr', 'onedrive-en-marche.fr']);
    const gen = troveJson<{ domain: string; kind: string }[]>(['lookalikes', 'en-marche.fr', '--generate']);
    expect(gen.length).toBeGreaterThan(1000);
    expect(gen).toContainEqual({ domain: 'onedrive-en-marche.fr', kind: 'combosquat', target: 'en-marche.fr' });
    expect(trove(['lookalikes', '--generate']).status).toBe(1);
  });

  it('runLookalikes writes lookalike-domain evidence, idempotently', () => {
    const db = new CaseDb(caseDir, { create: false });
    try {
      expect(guessTargets(db)).toEqual(['horizon.example']);
      runLookalikes(db);
      const res = runLookalikes(db);
      expect(res.targets).toEqual(['horizon.example']);
      const rows = db.db.prepare("SELECT message, severity, detail FROM evidence WHERE code = 'lookalike-domain'").all() as { message: string; severity: string; detail: string }[];
      expect(rows.length).toBe(2); // onedrive-horizon.example and its tracker. host
      expect(rows.every((r) => r.message === phishId && r.severity === 'warning')).toBe(true);
      expect(rows.map((r) => r.detail).join('\n')).toMatch(/from, message-id, link use onedrive-horizon\.example, a lookalike of horizon\.example \(combosquat/);
    } finally {
      db.close();
    }
  });
});

describe('precision on ordinary domain lists', () => {
  const TARGETS = ['enron.com', 'en-marche.fr', 'paypal.com', 'ebay.com', 'amazon.com', 'microsoft.com', 'yahoo.com', 'hotmail.com', 'aol.com', 'google.com', 'apple.com', 'bankofamerica.com', 'citibank.com', 'linux.ie', 'spamassassin.org', 'sourceforge.net', 'redhat.com', 'cnet.com', 'ibm.com', 'dell.com'];
  // Checked by eye (3,451 distinct sender domains): the typosquats are real; the yahoo
  // country domains, yahoo-inc.com and enrononline.com are the brands' own domains built
  // like lookalikes (a TLD swap, a combosquat) — only ownership data could clear them; the
  // linux.ie ones are innocent domains of a brand that is an ordinary word.
  const EXPECTED: Record<string, string> = {
    'enrononline.com': 'combosquat', 'hotmaill.com': 'repetition', 'hotmal.com': 'omission', 'hottmail.com': 'repetition',
    'yahoo-inc.com': 'combosquat', 'yahoo.ca': 'tld-swap', 'yahoo.co.in': 'tld-swap', 'yahoo.co.uk': 'tld-swap', 'yahoo.com.au': 'tld-added',
    'yahoo.com.mx': 'tld-added', 'yahoo.fr': 'tld-swap', 'yahoo.lv': 'tld-swap', 'mail.yahoo.co.jp': 'tld-swap',
    'linux.org': 'tld-swap', 'frlinux.net': 'combosquat', 'linuxmail.org': 'combosquat',
  };

  it('flags only the domains checked by eye', () => {
    const ds = [...new Set([...senderDomains('enron-maildir'), ...senderDomains('spamassassin')])];
    const ts = TARGETS.map((d) => makeTarget(d)!);
    const flagged: Record<string, string> = {};
    for (const d of ds) {
      const m = detect(d, ts);
      if (m) flagged[d] = m.kind;
    }
    console.log(`lookalikes: ${Object.keys(flagged).length} of ${ds.length} sender domains flagged against ${TARGETS.length} targets`);
    expect(ds.length).toBeGreaterThan(3000);
    expect(flagged).toEqual(EXPECTED);
  }, 120_000);
});
