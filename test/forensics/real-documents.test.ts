/**
 * Legacy Office properties of the real .doc and .xls attachments in the shared Enron PST
 * (25 files, one of 866 KB that trove used to skip): the bounded compound-file reader must
 * return the same property streams as SheetJS cfb, and the properties must agree with what
 * libmagic's independent CDF parser (`file`) prints for the same bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CFB from 'cfb';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractMetadata, type DocMetadata } from '../../src/forensics/index.ts';
import { MAX_CFB_BYTES } from '../../src/forensics/metadata/ole.ts';
import { readStreams } from '../../src/forensics/metadata/ole-bounded.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { trove } from '../helpers/cli.ts';
import { CORPORA } from '../helpers/corpora.ts';

const SI = '\u0005SummaryInformation';
const DSI = '\u0005DocumentSummaryInformation';
const HAVE_FILE = spawnSync('file', ['--version']).status === 0;

function cfbStream(file: Uint8Array, name: string): Buffer | null {
  const c = CFB.read(file, { type: 'buffer' });
  const i = c.FullPaths.indexOf(`${c.FullPaths[0]}${name}`);
  const content = i >= 0 ? c.FileIndex[i]?.content : undefined;
  return content && content.length ? Buffer.from(content as Uint8Array) : null;
}

describe('real legacy Office attachments (Enron PST)', () => {
  const docs: { filename: string; data: Uint8Array }[] = [];
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-ole-'));
    const r = trove(['--case', dir, 'ingest', join(CORPORA, 'pst', 'enron.pst'), '--workers', '1', '--no-analyze']);
    expect(r.status, r.stderr).toBe(0);
    const db = new CaseDb(dir, { create: false });
    const rows = db.stmt('SELECT DISTINCT a.filename, b.data FROM attachments a JOIN blobs b ON b.sha256 = a.sha256 ORDER BY a.filename').all() as { filename: string; data: Uint8Array }[];
    db.close();
    for (const row of rows) if (row.data[0] === 0xd0 && row.data[1] === 0xcf) docs.push({ filename: row.filename, data: row.data });
  }, 120_000);

  it('finds the compound files, one of them over the cfb size limit', () => {
    expect(docs.length).toBeGreaterThanOrEqual(20);
    expect(docs.some((d) => d.data.length > MAX_CFB_BYTES)).toBe(true);
  });

  it('reads the same property streams as SheetJS cfb', () => {
    for (const d of docs) {
      const got = readStreams(d.data, [SI, DSI]);
      expect(got.get(SI), d.filename).toEqual(cfbStream(d.data, SI));
      expect(got.get(DSI), d.filename).toEqual(cfbStream(d.data, DSI));
    }
  });

  it.skipIf(!HAVE_FILE)('agrees with libmagic on author, last editor, application and revision', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-ole-file-'));
    let compared = 0;
    for (const [i, d] of docs.entries()) {
      const m = extractMetadata(d.data) as DocMetadata | null;
      // compound files without property sets (an attached Outlook .msg) give no record
      if (m === null) {
        expect(cfbStream(d.data, SI) ?? cfbStream(d.data, DSI), d.filename).toBeNull();
        continue;
      }
      expect(m.format, d.filename).toBe('ole');
      const path = join(dir, `${i}.bin`);
      writeFileSync(path, d.data);
      const magic = execFileSync('file', ['-b', path], { encoding: 'latin1', env: { ...process.env, TZ: 'UTC' } });
      for (const [label, v] of [['Author', m.author], ['Last Saved By', m.lastModifiedBy], ['Name of Creating Application', m.software], ['Revision Number', m.revision]] as const) {
        if (v === undefined) continue;
        expect(magic, `${d.filename}: ${label}`).toContain(`${label}: ${v}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });
});
