/**
 * @module auth/testing/expect
 * How an `expected.jsonl` verdict word maps onto a trove DKIM result. The vectors speak RFC 8601
 * (what a mail filter writes in Authentication-Results); trove keeps the cryptographic outcome and
 * the trust decision apart, so some words map onto "crypto result + evidence":
 *
 *   pass      -> result pass, body match, header valid, no policy finding (added header, l= append)
 *   fail      -> result fail; or, when the row says crypto=pass, the signature expired: trove keeps
 *                result pass (a signature proves content, not delivery time; CONTRACT.md) and
 *                reports `signature-expired`
 *   permerror -> result permerror (when crypto=pass, e.g. a weak key: body match + header valid too)
 *   policy    -> result pass (crypto intact) + `unsigned-header-added` (naming the header) or
 *                `appended-beyond-length-limit` (with the unsigned byte count), and never `verified`
 */
import type { DkimSignatureResult } from '../types.ts';
import type { ExpectedSignature } from './vectors.ts';
import type { DkimVerdictWord } from '../verdict.ts';

const POLICY = new Set(['unsigned-header-added', 'appended-beyond-length-limit']);

/** null when the result matches the expectation, else why not. */
export function mismatch(exp: ExpectedSignature, got: DkimSignatureResult | undefined, verdict: DkimVerdictWord): string | null {
  if (!got) return 'no result for this signature';
  if (exp.d.toLowerCase() !== got.domain || exp.s.toLowerCase() !== got.selector) return `signature order: expected ${exp.d}/${exp.s}, got ${got.domain}/${got.selector}`;
  const codes = got.evidence.map((e) => e.code);
  const crypto = got.body_hash === 'match' && got.header_signature === 'valid';
  const desc = `${got.result}${got.error ? `(${got.error})` : ''} bh=${got.body_hash} sig=${got.header_signature} [${codes.join(' ')}]`;
  if (exp.aligned !== undefined && got.aligned !== exp.aligned) return `aligned=${got.aligned}, expected ${exp.aligned}`;
  switch (exp.expect) {
    case 'pass':
      return got.result === 'pass' && crypto && !codes.some((c) => POLICY.has(c)) ? null : `expected pass, got ${desc}`;
    case 'fail':
      if (exp.crypto === 'pass') {
        return got.result === 'pass' && crypto && codes.includes('signature-expired') ? null : `expected expired (crypto pass + signature-expired), got ${desc}`;
      }
      return got.result === 'fail' ? null : `expected fail, got ${desc}`;
    case 'permerror':
      if (got.result !== 'permerror') return `expected permerror, got ${desc}`;
      if (exp.crypto === 'pass' && !crypto) return `expected permerror with intact crypto, got ${desc}`;
      return null;
    case 'policy': {
      if (got.result !== 'pass' || !crypto) return `expected policy (crypto pass), got ${desc}`;
      const finding = got.evidence.find((e) => POLICY.has(e.code) && e.severity === 'critical');
      if (!finding) return `expected a critical policy finding, got ${desc}`;
      if (exp.added_header && !(finding.code === 'unsigned-header-added' && finding.data?.header === exp.added_header)) return `expected unsigned-header-added ${exp.added_header}, got ${desc}`;
      if (exp.unsigned_body_bytes !== undefined && got.unsigned_body_bytes !== exp.unsigned_body_bytes) return `expected ${exp.unsigned_body_bytes} unsigned bytes, got ${got.unsigned_body_bytes}`;
      if (verdict === 'verified') return 'policy row must never be verified';
      return null;
    }
    default:
      return got.result === exp.expect ? null : `expected ${exp.expect}, got ${desc}`;
  }
}

/** The message verdict each generated/ label must produce (keys archived, active). */
export const LABEL_VERDICT: Readonly<Record<string, DkimVerdictWord>> = {
  authentic: 'verified',
  'body-modified': 'tampered',
  'header-modified': 'tampered',
  'length-limit-appended': 'tampered',
  'unsigned-header-added': 'tampered',
  expired: 'verified',
  'key-missing': 'unverifiable',
  'not-aligned': 'unverifiable',
  'whitespace-relaxed-pass': 'verified',
  'whitespace-simple-fail': 'tampered',
  'lf-normalised-pass': 'verified',
  'weak-key': 'unverifiable',
};
