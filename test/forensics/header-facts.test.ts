/**
 * The header facts the parse workers store at ingest (src/forensics/header-facts.ts) are what
 * the forensic pass would read from the stored bytes: the same facts message by message, and the
 * same findings and verdicts when the pass reads them from the bytes instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { runForensics } from '../../src/forensics/index.ts';
import { headerFactsJson } from '../../src/forensics/header-facts.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { CORPORA } from '../helpers/corpora.ts';

const dir = mkdtempSync(join(tmpdir(), 'trove-facts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('stored header facts equal those read from the bytes, and give the same findings', async () => {
  const db = new CaseDb(join(dir, 'case'), { create: true });
  try {
    await ingest(db, [join(CORPORA, 'spamassassin.tar.gz'), join(CORPORA, 'mbox'), join(CORPORA, 'msg'), join(CORPORA, 'pst')], { limits: DEFAULT_LIMITS, workers: 2 });
    const rows = db.stmt('SELECT id, header_facts FROM messages').all() as { id: string; header_facts: string | null }[];
    const stored = rows.filter((r) => r.header_facts !== null);
    expect(stored.length / rows.length).toBeGreaterThan(0.99);
    // the bytes the pass would read: an Outlook item's RFC 5322 rendering, else the message
    const blob = db.stmt('SELECT data FROM blobs WHERE sha256 = ?');
    let rendered = 0;
    for (const r of stored) {
      const own = blob.get(`${r.id}.rendered`) as { data: Uint8Array } | undefined;
      if (own) rendered++;
      const bytes = (own ?? (blob.get(r.id) as { data: Uint8Array })).data;
      expect(JSON.parse(r.header_facts!), r.id).toEqual(JSON.parse(headerFactsJson(bytes)));
    }
    expect(rendered).toBeGreaterThan(10);

    const now = Date.parse('2026-11-27T00:00:00Z');
    const snapshot = () => ({
      evidence: db.stmt("SELECT message, code, severity, detail FROM evidence WHERE stage = 'forensics' ORDER BY message, code, detail").all(),
      verdicts: db.stmt('SELECT id, verdict FROM messages ORDER BY id').all(),
    });
    const a = runForensics(db, { now });
    const withFacts = snapshot();
    expect(withFacts.evidence.length).toBeGreaterThan(50);
    db.tx(() => db.stmt('UPDATE messages SET header_facts = NULL').run());
    const b = runForensics(db, { now });
    expect(snapshot()).toEqual(withFacts);
    expect({ ...b, seconds: 0 }).toEqual({ ...a, seconds: 0 });
  } finally {
    db.close();
  }
}, 300_000);
