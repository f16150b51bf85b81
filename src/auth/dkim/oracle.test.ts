/**
 * dkimpy as an oracle. Needs python3-dkim (`apt-get install python3-dkim`); without it these
 * comparisons are skipped with a message (the expectation tables are asserted by
 * conformance.test.ts regardless).
 *
 * 1. Every signature of every vector: pass / not pass, and the body hash, against dkimpy. The only
 *    differences allowed are the principled ones, recognised by trove's own evidence, never by
 *    file name:
 *    - dkimpy adds an extra `from` to h= when it verifies (its Debian bug #644046 workaround), so
 *      a message with an unsigned From added above fails there; trove says pass + unsigned-header-added.
 *    - dkimpy fails expired signatures; trove keeps pass + signature-expired (CONTRACT.md).
 *    - dkimpy ignores the key's t=s and h= restrictions; trove says permerror (key-incompatible).
 * 2. The 557 signed messages of corpora/mbox (no keys archived): trove must never say pass (nor
 *    verified), and its body-hash finding must equal dkimpy's canonicalisation + hash.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyDkim } from './verify.ts';
import { dkimVerdict } from '../verdict.ts';
import { fromDomains } from '../from-domain.ts';
import type { DkimSignatureResult } from '../types.ts';
import { folders, loadKeys, loadRows, readMessage, resolverFor, nowFor, vectorsPresent, splitMbox, MBOX_DIR } from '../testing/vectors.ts';

const PYTHON = process.env.TROVE_DKIMPY_PYTHON ?? '/usr/bin/python3';
const ORACLE = fileURLToPath(new URL('../../../test/fixtures/auth/dkimpy_oracle.py', import.meta.url));
const hasDkimpy = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import dkim, nacl'], { stdio: 'ignore' }).status === 0;
if (!hasDkimpy) console.warn(`dkimpy oracle comparison SKIPPED: ${PYTHON} cannot import dkim/nacl (apt-get install python3-dkim python3-nacl to enable it)`);

interface OracleSig { d: string; s: string; result: string; reason: string; bh: string }
interface Item { id: string; raw_b64: string; keys: Record<string, string>; at: number | null }

function runOracle(items: Item[]): Record<string, OracleSig[]> {
  const res = spawnSync(PYTHON, [ORACLE], { input: JSON.stringify({ items }), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`dkimpy oracle failed: ${res.stderr}`);
  return (JSON.parse(res.stdout) as { results: Record<string, OracleSig[]> }).results;
}

/** Why trove may differ from dkimpy here, from trove's own findings; null = they must agree. */
function explained(ours: DkimSignatureResult, theirs: OracleSig): string | null {
  const codes = new Set(ours.evidence.map((e) => e.code));
  if (theirs.result === 'fail' && ours.result === 'pass' && ours.evidence.some((e) => e.code === 'unsigned-header-added' && e.data?.header === 'From')) return 'dkimpy extra-from workaround';
  if (theirs.result === 'fail' && ours.result === 'pass' && codes.has('signature-expired')) return 'expired: proves content, not delivery time';
  if (theirs.result === 'pass' && ours.result === 'permerror' && ours.error === 'key-incompatible') return 'dkimpy ignores key t=s / h=';
  return null;
}

describe.skipIf(!hasDkimpy || !vectorsPresent())('dkimpy oracle', () => {
  it('agrees with dkimpy on every vector signature (differences only where trove reports why)', () => {
    const items: Item[] = [];
    const ours = new Map<string, DkimSignatureResult[]>();
    for (const folder of folders()) {
      const keys = loadKeys(folder);
      loadRows(folder).forEach((row, n) => {
        const raw = readMessage(folder, row.file);
        if (!/^dkim-signature:/im.test(raw.toString('latin1'))) return;
        const id = `${folder}/${row.file}#${n + 1}`;
        const merged = Object.fromEntries(keys);
        for (const [k, v] of Object.entries(row.keys_override ?? {})) merged[k] = v;
        items.push({ id, raw_b64: raw.toString('base64'), keys: merged, at: row.verify_at ?? null });
        ours.set(id, verifyDkim(raw, { resolve: resolverFor(keys, row.keys_override), now: nowFor(row) }));
      });
    }
    const theirs = runOracle(items);
    const disagreements: string[] = [];
    const why = new Map<string, number>();
    let compared = 0;
    for (const [id, results] of ours) {
      const t = theirs[id];
      expect(t.length, id).toBe(results.length);
      results.forEach((r, i) => {
        compared++;
        const o = t[i];
        const same = (r.result === 'pass') === (o.result === 'pass');
        if (same && (o.bh === 'unknown' || r.body_hash === 'unknown' || o.bh === r.body_hash)) return;
        const reason = explained(r, o);
        if (reason) why.set(reason, (why.get(reason) ?? 0) + 1);
        else disagreements.push(`${id} sig ${i + 1}: trove ${r.result}/${r.error ?? ''} bh=${r.body_hash}, dkimpy ${o.result} bh=${o.bh} (${o.reason})`);
      });
    }
    console.log(`dkimpy vs trove on vectors: ${compared} signatures, ${compared - [...why.values()].reduce((a, b) => a + b, 0) - disagreements.length} identical, explained differences: ${JSON.stringify(Object.fromEntries(why))}`);
    expect(disagreements).toEqual([]);
  });

  it('never passes the 557 keyless signed messages of corpora/mbox, and matches dkimpy body hashes', () => {
    if (!existsSync(MBOX_DIR)) return;
    const items: Item[] = [];
    const ours = new Map<string, { raw: Buffer; results: DkimSignatureResult[] }>();
    for (const f of readdirSync(MBOX_DIR).filter((x) => x.endsWith('.mbox')).sort()) {
      splitMbox(readFileSync(join(MBOX_DIR, f))).forEach((raw, i) => {
        const head = raw.subarray(0, Math.max(0, raw.indexOf('\n\n')) || raw.length).toString('latin1');
        if (!/^dkim-signature:/im.test(head)) return;
        const id = `${f}#${i + 1}`;
        items.push({ id, raw_b64: raw.toString('base64'), keys: {}, at: null });
        ours.set(id, { raw, results: verifyDkim(raw, { resolve: () => [] }) });
      });
    }
    expect(items.length).toBe(557);
    const theirs = runOracle(items);
    const bhDiff: string[] = [];
    let sigs = 0;
    let bhMatch = 0;
    for (const [id, { raw, results }] of ours) {
      for (const r of results) {
        sigs++;
        expect(r.result, id).not.toBe('pass');
        if (r.body_hash === 'match') bhMatch++;
      }
      expect(dkimVerdict(results, fromDomains(raw)).verdict, id).not.toBe('verified');
      const t = theirs[id];
      results.forEach((r, i) => {
        const o = t[i];
        if (o && o.bh !== 'unknown' && r.body_hash !== 'unknown' && o.bh !== r.body_hash) bhDiff.push(`${id} sig ${i + 1} (${r.domain}): trove ${r.body_hash}, dkimpy ${o.bh}`);
      });
    }
    console.log(`corpora/mbox: ${items.length} signed messages, ${sigs} signatures, none pass (no keys); body hash intact for ${bhMatch}; body-hash disagreements with dkimpy: ${bhDiff.length}`);
    expect(bhDiff).toEqual([]);
  });
});
