/**
 * The authenticity report's "check it yourself" script, run as a reader of the report would:
 * with dkimpy (Debian python3-dkim), offline, on the bytes `trove show --raw` prints. It must
 * say "valid" for the demo's verified message and "NOT valid" for its doctored copy —
 * an independent confirmation of trove's two verdicts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trove } from '../helpers/cli.ts';

const PY = '/usr/bin/python3';
function hasDkimpy(): boolean {
  try {
    execFileSync(PY, ['-c', 'import dkim']);
    return true;
  } catch {
    return false;
  }
}

const work = mkdtempSync(join(tmpdir(), 'trove-reproduce-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('report: check it yourself with dkimpy', () => {
  it.skipIf(!hasDkimpy())('dkimpy agrees with trove on the verified message and its doctored copy (skipped without python3-dkim)', () => {
    const caseDir = join(work, 'case');
    expect(trove(['--case', caseDir, 'demo', '--no-serve']).status).toBe(0);
    const hits = JSON.parse(trove(['--case', caseDir, 'search', 'subject:budget', '--json']).stdout) as { hits: { id: string; verdict: string }[] };
    const results: Record<string, string> = {};
    for (const h of hits.hits.filter((x) => x.verdict === 'verified' || x.verdict === 'tampered')) {
      const report = JSON.parse(trove(['--case', caseDir, 'show', h.id, '--report', 'json']).stdout) as { reproduce: string };
      const eml = join(work, `${h.id.slice(0, 12)}.eml`);
      const raw = trove(['--case', caseDir, 'show', h.id, '--raw']);
      writeFileSync(eml, raw.stdout, 'latin1');
      // step 2 of the script, as printed in the report
      const script = report.reproduce.slice(report.reproduce.indexOf("python3 - <<'PY'\n") + "python3 - <<'PY'\n".length, report.reproduce.lastIndexOf('\nPY'));
      results[h.verdict] = execFileSync(PY, ['-'], { input: script, cwd: work }).toString().trim();
    }
    expect(results.verified).toBe('signature 0 valid');
    expect(results.tampered).toMatch(/^signature 0 NOT valid body hash mismatch/);
  });
});
