/**
 * Differential tests: trove vs mailauth (devDependency, postalsys/mailauth) vs dkimpy
 * (python3-dkim) on generated mutations of every signed vector. Keys come only from the vectors'
 * keys.txt through injected resolvers: no DNS is ever used.
 *
 * For each signature of each mutated message the three pass / not-pass answers are compared.
 * - mailauth and dkimpy agree: trove must give the same answer, unless trove's own evidence
 *   says why not (the principled differences listed in KNOWN).
 * - they disagree: trove must side with one of them, and the difference must again be one that
 *   trove's evidence explains; the count of each reason is printed.
 * The explanations are read from trove's findings, never from the mutation's name.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { verifyDkim } from './verify.ts';
import { dkimVerdict } from '../verdict.ts';
import { fromDomains } from '../from-domain.ts';
import type { DkimSignatureResult } from '../types.ts';
import { folders, loadKeys, loadRows, readMessage, vectorsPresent } from '../testing/vectors.ts';

const PYTHON = process.env.TROVE_DKIMPY_PYTHON ?? '/usr/bin/python3';
const ORACLE = fileURLToPath(new URL('../../../test/fixtures/auth/dkimpy_oracle.py', import.meta.url));
const hasDkimpy = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import dkim, nacl'], { stdio: 'ignore' }).status === 0;

type Mutation = (raw: Buffer) => Buffer | null;

function split(raw: Buffer): { head: string; body: string; eol: string } {
  const s = raw.toString('latin1');
  const eol = s.includes('\r\n') ? '\r\n' : '\n';
  const i = s.indexOf(eol + eol);
  return i === -1 ? { head: s, body: '', eol } : { head: s.slice(0, i + eol.length), body: s.slice(i + eol.length * 2), eol };
}
const join = (head: string, body: string, eol: string) => Buffer.from(head + eol + body, 'latin1');

/** Mutations an attacker or a mail system might make; some are invisible to relaxed canonicalisation. */
export const MUTATIONS: Record<string, Mutation> = {
  none: (raw) => raw,
  'body-letter': (raw) => {
    const { head, body, eol } = split(raw);
    const i = body.search(/[a-z]/);
    if (i === -1) return null;
    return join(head, body.slice(0, i) + (body[i] === 'x' ? 'y' : 'x') + body.slice(i + 1), eol);
  },
  'subject-letter': (raw) => {
    const { head, body, eol } = split(raw);
    const m = /(^|\n)(Subject:[^\r\n]*?)([a-z])/i.exec(head);
    if (!m) return null;
    const at = m.index + m[1].length + m[2].length;
    return join(head.slice(0, at) + (m[3] === 'x' ? 'y' : 'x') + head.slice(at + 1), body, eol);
  },
  'from-added-above': (raw) => {
    const { eol } = split(raw);
    return Buffer.concat([Buffer.from(`From: Attacker <ceo@evil.example>${eol}`, 'latin1'), raw]);
  },
  'body-appended': (raw) => {
    const { head, body, eol } = split(raw);
    return join(head, `${body}${body.endsWith(eol) || body === '' ? '' : eol}P.S. wire the money today${eol}`, eol);
  },
  'body-space-doubled': (raw) => {
    const { head, body, eol } = split(raw);
    const i = body.indexOf(' ');
    return i === -1 ? null : join(head, body.slice(0, i) + '  ' + body.slice(i + 1), eol);
  },
  'trailing-blank-lines': (raw) => {
    const { head, body, eol } = split(raw);
    return join(head, body + eol + eol, eol);
  },
  'subject-name-uppercased': (raw) => {
    const { head, body, eol } = split(raw);
    const h = head.replace(/(^|\n)Subject:/i, '$1SUBJECT:');
    return h === head ? null : join(h, body, eol);
  },
  'subject-refolded': (raw) => {
    const { head, body, eol } = split(raw);
    const m = /(^|\n)(Subject:[ \t]*\S+) (\S)/i.exec(head);
    if (!m) return null;
    const at = m.index + m[1].length + m[2].length;
    return join(head.slice(0, at) + eol + '\t' + head.slice(at + 1), body, eol);
  },
};

interface Case { id: string; raw: Buffer; keys: Record<string, string>; at: number | null }
interface OracleSig { d: string; s: string; result: string; reason: string; bh: string }
interface MailauthResult { signingDomain?: string; selector?: string; status: { result: string; comment?: string } }

async function mailauth(c: Case): Promise<MailauthResult[]> {
  const resolver = async (name: string) => {
    const v = c.keys[name.toLowerCase().replace(/\.$/, '')];
    if (v === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return [[v]];
  };
  const r = (await dkimVerify(c.raw, { resolver, curTime: c.at === null ? undefined : new Date(c.at * 1000) })) as { results: MailauthResult[] };
  return r.results.filter((x) => x.status.result !== 'none');
}

function dkimpy(cases: Case[]): Record<string, OracleSig[]> {
  const items = cases.map((c) => ({ id: c.id, raw_b64: c.raw.toString('base64'), keys: c.keys, at: c.at }));
  const res = spawnSync(PYTHON, [ORACLE], { input: JSON.stringify({ items }), maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`dkimpy oracle failed: ${res.stderr}`);
  return (JSON.parse(res.stdout) as { results: Record<string, OracleSig[]> }).results;
}

/**
 * Why trove's pass/not-pass may differ from a peer's, from trove's own findings (null = it may not).
 * Each is a deliberate choice documented in docs/CONTRACT.md or RFC 6376/8301.
 */
export function explained(ours: DkimSignatureResult, peerPass: boolean, peer: string): string | null {
  const codes = new Set(ours.evidence.map((e) => e.code));
  const pass = ours.result === 'pass';
  if (pass && !peerPass && codes.has('signature-expired')) return 'expired x=: trove keeps pass + signature-expired (a signature proves content, not delivery time); peers fail it';
  if (pass && !peerPass && codes.has('unsigned-header-added') && peer === 'dkimpy') return 'From added above the signed one: dkimpy over-signs From (Debian #644046) and fails; trove passes the signed instance and reports unsigned-header-added (the verdict is tampered)';
  if (pass && !peerPass && codes.has('weak-hash') && peer === 'mailauth') return 'rsa-sha1: mailauth returns "policy" (RFC 8301); trove reports the cryptographic pass and weak-hash evidence';
  if (!pass && peerPass && ours.error === 'key-incompatible') return 'key record t=s / h= / k= restriction: RFC 6376 3.6.1 forbids using the key; the peer ignores it';
  if (!pass && peerPass && ours.error === 'weak-key') return 'RSA key under 1024 bits: RFC 8301 says never valid; the peer accepts it';
  if (!pass && peerPass && codes.has('signature-from-future')) return 't= in the future: trove refuses, the peer does not check t=';
  if (!pass && peerPass && ours.error === 'signature-malformed') return 'malformed signature tag the peer tolerates (strict parsing, see evidence)';
  return null;
}

describe.skipIf(!vectorsPresent())('differential: trove vs mailauth vs dkimpy on mutated vectors', () => {
  it('where mailauth and dkimpy agree trove agrees; every disagreement is explained by trove\'s evidence', async () => {
    const cases: Case[] = [];
    for (const folder of folders()) {
      const keys = Object.fromEntries(loadKeys(folder));
      loadRows(folder).forEach((row, n) => {
        const raw = readMessage(folder, row.file);
        if (!/^dkim-signature:/im.test(split(raw).head)) return;
        const merged = { ...keys };
        for (const [k, v] of Object.entries(row.keys_override ?? {})) merged[k.toLowerCase()] = v;
        for (const [name, mutate] of Object.entries(MUTATIONS)) {
          const m = mutate(raw);
          if (m) cases.push({ id: `${folder}/${row.file}#${n + 1}:${name}`, raw: m, keys: merged, at: row.verify_at ?? null });
        }
      });
    }
    const py = hasDkimpy ? dkimpy(cases) : {};
    const counts = { signatures: 0, allAgree: 0, peersAgreeTroveDiffers: 0, peersDisagree: 0 };
    const reasons = new Map<string, number>();
    const unexplained: string[] = [];
    for (const c of cases) {
      const ours = verifyDkim(c.raw, { resolve: (n) => (c.keys[n] === undefined ? [] : [{ value: c.keys[n], status: 'active', source: 'archive' }]), now: c.at === null ? undefined : new Date(c.at * 1000) });
      const ma = await mailauth(c);
      const dp = py[c.id];
      ours.forEach((r, i) => {
        const m = ma.find((x, j) => j === i && (x.signingDomain ?? '').toLowerCase() === r.domain.toLowerCase());
        const d = dp?.[i];
        if (!m && !d) return;
        counts.signatures++;
        const t = r.result === 'pass';
        const mp = m ? m.status.result === 'pass' : null;
        const dpp = d ? d.result === 'pass' : null;
        const peers = [mp, dpp].filter((x): x is boolean => x !== null);
        const note = (peer: string, peerPass: boolean) => {
          if (t === peerPass) return;
          const why = explained(r, peerPass, peer);
          if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
          else unexplained.push(`${c.id} sig ${i + 1} (${r.domain}): trove ${r.result}/${r.error ?? ''} bh=${r.body_hash} hs=${r.header_signature} [${r.evidence.map((e) => e.code).join(',')}], ${peer} ${peerPass ? 'pass' : 'not pass'} (${peer === 'mailauth' ? `${m?.status.result} ${m?.status.comment ?? ''}` : `${d?.result} ${d?.reason}`})`);
        };
        if (peers.every((p) => p === t)) counts.allAgree++;
        else if (peers.length === 2 && peers[0] === peers[1]) counts.peersAgreeTroveDiffers++;
        else counts.peersDisagree++;
        if (mp !== null) note('mailauth', mp);
        if (dpp !== null) note('dkimpy', dpp);
      });
    }
    console.log(`differential: ${cases.length} mutated messages, ${JSON.stringify(counts)}${hasDkimpy ? '' : ' (dkimpy not installed: mailauth only)'}`);
    for (const [why, n] of reasons) console.log(`  ${n} × ${why}`);
    expect(counts.signatures).toBeGreaterThan(500);
    expect(unexplained).toEqual([]);
  }, 120_000);
});

/** One vector row as a differential case (first row naming the file). */
function caseFor(folder: string, file: string, mutation: keyof typeof MUTATIONS): Case {
  const row = loadRows(folder).find((r) => r.file === file)!;
  const keys: Record<string, string> = Object.fromEntries(loadKeys(folder));
  for (const [k, v] of Object.entries(row.keys_override ?? {})) keys[k.toLowerCase()] = v;
  return { id: `${folder}/${file}:${mutation}`, raw: MUTATIONS[mutation](readMessage(folder, file))!, keys, at: row.verify_at ?? null };
}

function troveOn(c: Case) {
  const results = verifyDkim(c.raw, { resolve: (n) => (c.keys[n] === undefined ? [] : [{ value: c.keys[n], status: 'active', source: 'archive' }]), now: c.at === null ? undefined : new Date(c.at * 1000) });
  return { r: results[0], verdict: dkimVerdict(results, fromDomains(c.raw)) };
}

describe.skipIf(!vectorsPresent() || !hasDkimpy)('differential: why trove is right where the others differ', () => {
  it('From added above the signed one: mailauth passes, dkimpy fails, trove passes the signature and calls the message tampered', async () => {
    const c = caseFor('generated', 'messages/a00-authentic.eml', 'from-added-above');
    const [ma] = await mailauth(c);
    const [dp] = dkimpy([c])[c.id];
    const { r, verdict } = troveOn(c);
    expect(ma.status.result).toBe('pass'); // reads as authentic, yet the reader sees the attacker's From
    expect(dp.result).toBe('fail'); // right that something is off, wrong about what: the signed content is intact
    expect(r.result).toBe('pass');
    expect(r.evidence.find((e) => e.code === 'unsigned-header-added')).toMatchObject({ severity: 'critical', data: { header: 'From' } });
    expect(verdict.verdict).toBe('tampered'); // the mail client shows the unsigned From: not what was signed
  });

  it('expired x=: both peers refuse, trove passes with signature-expired (a signature proves content, not delivery time)', async () => {
    const c = caseFor('generated', 'messages/g03-expired.eml', 'none');
    const [ma] = await mailauth(c);
    const [dp] = dkimpy([c])[c.id];
    const { r } = troveOn(c);
    expect(ma.status.result).not.toBe('pass');
    expect(dp.result).not.toBe('pass');
    expect(r.result).toBe('pass');
    expect(r.evidence.map((e) => e.code)).toContain('signature-expired');
  });

  it('key t=s with i= a subdomain of d=: both peers pass, trove refuses the key (RFC 6376 3.6.1)', async () => {
    const c = caseFor('lieser-dkim_verifier', 'messages/dkim/flags_s-auid_is_subdomain_of_sdid.eml', 'none');
    const [ma] = await mailauth(c);
    const [dp] = dkimpy([c])[c.id];
    const { r, verdict } = troveOn(c);
    expect([ma.status.result, dp.result]).toEqual(['pass', 'pass']);
    expect([r.result, r.error]).toEqual(['permerror', 'key-incompatible']);
    expect(verdict.verdict).toBe('unverifiable');
  });
});
