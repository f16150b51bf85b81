/**
 * @module bench/dkim
 * DKIM verifications per second: trove's verifier vs dkimpy (python3-dkim) on the same signed
 * messages (every signed message of ../shared/dkim-vectors whose key is in its keys.txt), in the
 * same run, one core each, keys from memory (no DNS for either). Also the RSA-2048 verify ceiling
 * of this machine (`openssl speed -seconds 1 rsa2048`, one core) and the share of it trove reaches
 * on the subset signed with 2048-bit RSA keys. Target: trove ≥ 3× dkimpy.
 *
 * Run alone with `npm run bench -- --only dkim`, or standalone: `npx node bench/dkim.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { verifyDkim } from '../src/auth/dkim/verify.ts';
import type { KeyResolver } from '../src/auth/types.ts';
import { folders, loadKeys, loadRows, readMessage, vectorsPresent, VECTORS_DIR } from '../src/auth/testing/vectors.ts';

export const DKIM_TARGET_VS_DKIMPY = 3;
const PYTHON = process.env.TROVE_DKIMPY_PYTHON ?? '/usr/bin/python3';

interface Sample { raw: Buffer; keys: Record<string, string>; at: number | null; sigs: number; rsa2048: boolean }

export interface DkimBench {
  messages: number;
  signatures: number;
  trove: { verificationsPerSec: number; seconds: number; rounds: number };
  troveRsa2048: { verificationsPerSec: number; signatures: number } | null;
  dkimpy: { verificationsPerSec: number; seconds: number; rounds: number; version: string | null } | { skipped: string };
  ratioVsDkimpy: number | null;
  opensslRsa2048VerifyPerSec: number | null;
  shareOfRsaCeiling: number | null;
  pass: boolean | null;
  report: string;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  for (const folder of folders()) {
    const keys = Object.fromEntries(loadKeys(folder));
    loadRows(folder).forEach((row) => {
      const raw = readMessage(folder, row.file);
      const head = raw.subarray(0, raw.indexOf('\n\n') === -1 ? raw.length : raw.indexOf('\n\n')).toString('latin1');
      if (!/^dkim-signature:/im.test(head)) return;
      const k = { ...keys };
      for (const [n, v] of Object.entries(row.keys_override ?? {})) k[n.toLowerCase()] = v;
      const resolve: KeyResolver = (n) => (k[n] === undefined ? [] : [{ value: k[n], status: 'active', source: 'archive' }]);
      const res = verifyDkim(raw, { resolve, now: row.verify_at ? new Date(row.verify_at * 1000) : undefined });
      // only signatures whose key is available offline (the same set dkimpy gets)
      if (!res.length || res.some((r) => r.key === 'missing')) return;
      out.push({ raw, keys: k, at: row.verify_at ?? null, sigs: res.length, rsa2048: res.every((r) => r.key_info?.type === 'rsa' && r.key_info.bits === 2048) });
    });
  }
  return out;
}

/** Verifies every sample repeatedly for at least `minSeconds`; returns signatures verified per second. */
function timeTrove(set: Sample[], minSeconds: number): { verificationsPerSec: number; seconds: number; rounds: number } {
  const resolvers = set.map((s): KeyResolver => (n) => (s.keys[n] === undefined ? [] : [{ value: s.keys[n], status: 'active', source: 'archive' }]));
  const nows = set.map((s) => (s.at === null ? undefined : new Date(s.at * 1000)));
  const round = () => {
    let n = 0;
    for (let i = 0; i < set.length; i++) n += verifyDkim(set[i].raw, { resolve: resolvers[i], now: nows[i] }).length;
    return n;
  };
  round(); // warm-up: JIT and the parsed-key cache, as in a long ingest
  const t0 = process.hrtime.bigint();
  let sigs = 0;
  let rounds = 0;
  let secs = 0;
  do {
    sigs += round();
    rounds++;
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (secs < minSeconds);
  return { verificationsPerSec: sigs / secs, seconds: secs, rounds };
}

const DKIMPY_BENCH = String.raw`
import base64, json, logging, re, sys, time
import dkim
logging.disable(logging.CRITICAL)
req = json.load(sys.stdin)
items = []
for it in req["items"]:
    raw = re.sub(rb"(?<!\r)\n", b"\r\n", base64.b64decode(it["raw_b64"]))
    keys = {k: v.encode("latin-1") for k, v in it["keys"].items()}
    items.append((raw, keys, it["at"], it["sigs"]))
def run_round():
    n = 0
    for raw, keys, at, sigs in items:
        dns = lambda name, timeout=5, _k=keys, **kw: _k.get((name.decode("ascii") if isinstance(name, bytes) else name).lower().rstrip("."))
        if at is not None:
            dkim.time.time = lambda _a=at: float(_a)
        for i in range(sigs):
            try:
                dkim.DKIM(raw).verify(idx=i, dnsfunc=dns)
            except Exception:
                pass
            n += 1
    return n
real = dkim.time.time
run_round()
t0 = time.perf_counter(); n = 0; rounds = 0
while True:
    n += run_round(); rounds += 1
    s = time.perf_counter() - t0
    if s >= req["min_seconds"]:
        break
dkim.time.time = real
try:
    from importlib.metadata import version
    v = version("dkimpy")
except Exception:
    v = None
json.dump({"per_sec": n / s, "seconds": s, "rounds": rounds, "version": v}, sys.stdout)
`;

function timeDkimpy(set: Sample[], minSeconds: number): DkimBench['dkimpy'] {
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import dkim, nacl'], { stdio: 'ignore' }).status !== 0) return { skipped: `dkimpy not installed (${PYTHON} cannot import dkim; apt-get install python3-dkim python3-nacl)` };
  const items = set.map((s) => ({ raw_b64: s.raw.toString('base64'), keys: s.keys, at: s.at, sigs: s.sigs }));
  const r = spawnSync(PYTHON, ['-c', DKIMPY_BENCH], { input: JSON.stringify({ items, min_seconds: minSeconds }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return { skipped: `dkimpy failed: ${r.stderr.slice(0, 300)}` };
  const j = JSON.parse(r.stdout) as { per_sec: number; seconds: number; rounds: number; version: string | null };
  return { verificationsPerSec: j.per_sec, seconds: j.seconds, rounds: j.rounds, version: j.version };
}

/** `openssl speed -seconds 1 rsa2048`: RSA-2048 verifications per second on one core. */
export function opensslRsaVerify(): number | null {
  const r = spawnSync('openssl', ['speed', '-seconds', '1', 'rsa2048'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const line = r.stdout.split('\n').find((l) => /^rsa\s+2048\s+bits/.test(l));
  const n = line ? Number(line.trim().split(/\s+/).pop()) : NaN;
  return Number.isFinite(n) ? n : null;
}

export async function runDkimBench(o: { minSeconds?: number; log?: (s: string) => void } = {}): Promise<DkimBench> {
  const log = o.log ?? (() => {});
  const minSeconds = o.minSeconds ?? 3;
  if (!vectorsPresent()) throw new Error(`DKIM vectors not found at ${VECTORS_DIR}`);
  const set = samples();
  const signatures = set.reduce((a, s) => a + s.sigs, 0);
  log(`dkim: ${set.length} signed messages, ${signatures} signatures with offline keys`);
  log('dkim: timing trove (one core)');
  const trove = timeTrove(set, minSeconds);
  const rsaSet = set.filter((s) => s.rsa2048);
  const troveRsa = rsaSet.length ? { verificationsPerSec: timeTrove(rsaSet, Math.max(1, minSeconds / 2)).verificationsPerSec, signatures: rsaSet.reduce((a, s) => a + s.sigs, 0) } : null;
  log('dkim: timing dkimpy (one core)');
  const dkimpy = timeDkimpy(set, minSeconds);
  log('dkim: openssl speed -seconds 1 rsa2048');
  const ceil = opensslRsaVerify();
  const ratio = 'verificationsPerSec' in dkimpy ? trove.verificationsPerSec / dkimpy.verificationsPerSec : null;
  const share = ceil && troveRsa ? troveRsa.verificationsPerSec / ceil : null;
  const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `DKIM verification — ${set.length} signed messages from ../shared/dkim-vectors, ${signatures} signatures with offline keys (rsa-sha256, rsa-sha1, ed25519; many sizes), one core each, keys from memory`,
    `  trove:   ${f0(trove.verificationsPerSec)} verifications/s (${trove.rounds} rounds, ${trove.seconds.toFixed(2)} s; body hash AND header signature computed for every signature)`,
    'verificationsPerSec' in dkimpy
      ? `  dkimpy:  ${f0(dkimpy.verificationsPerSec)} verifications/s (${dkimpy.rounds} rounds, ${dkimpy.seconds.toFixed(2)} s${dkimpy.version ? `, dkimpy ${dkimpy.version}` : ''})`
      : `  dkimpy:  ${dkimpy.skipped}`,
    `  trove / dkimpy: ${ratio === null ? '–' : `${ratio.toFixed(2)}×`} (target ≥ ${DKIM_TARGET_VS_DKIMPY}×: ${ratio === null ? 'n/a' : ratio >= DKIM_TARGET_VS_DKIMPY ? 'PASS' : 'FAIL'})`,
    `  RSA-2048 ceiling (openssl speed -seconds 1 rsa2048, verify/s, one core): ${ceil === null ? 'openssl not available' : f0(ceil)}; trove on the ${troveRsa?.signatures ?? 0} RSA-2048 signatures: ${troveRsa ? f0(troveRsa.verificationsPerSec) : '–'}/s = ${share === null ? '–' : `${(share * 100).toFixed(1)}%`} of the bare RSA verify rate (the rest is parsing, canonicalisation and hashing)`,
  ];
  return {
    messages: set.length,
    signatures,
    trove,
    troveRsa2048: troveRsa,
    dkimpy,
    ratioVsDkimpy: ratio,
    opensslRsa2048VerifyPerSec: ceil,
    shareOfRsaCeiling: share,
    pass: ratio === null ? null : ratio >= DKIM_TARGET_VS_DKIMPY,
    report: lines.join('\n'),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDkimBench({ log: (s) => process.stderr.write(`[bench] ${s}\n`) }).then(
    (r) => process.stdout.write(r.report + '\n'),
    (e: unknown) => {
      process.stderr.write(`bench/dkim: ${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
