/**
 * @module pipeline/authenticate-message
 * The authentication stage for one stored message: DKIM and ARC on the raw bytes, with two
 * pipeline-level rules the verifier cannot know about:
 * - bytes rebuilt from an Outlook store are not what was signed: nothing cryptographic can be
 *   said, and a "failed" signature there must never read as tampering;
 * - an mbox writer may have quoted body lines as `>From `: when the signature fails on the bytes
 *   as found, the unquoted form is tried, and a pass is reported with that fact as evidence.
 */
import { authenticate } from '../auth/authenticate.ts';
import type { DkimSignatureResult, Evidence, KeyResolver } from '../auth/types.ts';
import type { ArcResult } from '../auth/arc/verify.ts';

export type Verdict = 'verified' | 'tampered' | 'unverifiable' | 'suspicious';

export interface MessageAuth {
  dkim: DkimSignatureResult[];
  arc: { result: ArcResult['result']; instances: number };
  verdict: Verdict;
  evidence: Evidence[];
}

const QUOTED_FROM = /(^|\n)>(>*From )/g;

export function authenticateMessage(raw: Uint8Array, origin: 'as-found' | 'synthesized', resolve: KeyResolver, now?: Date): MessageAuth {
  if (origin === 'synthesized') {
    return {
      dkim: [],
      arc: { result: 'none', instances: 0 },
      verdict: 'unverifiable',
      evidence: [{ code: 'synthesized', severity: 'warning', detail: 'This message was rebuilt from an Outlook file (.msg/.pst), not found as it was sent, so its signatures cannot be checked.' }],
    };
  }
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let a = authenticate(buf, { resolve, now });
  if (a.verdict !== 'verified' && a.dkim.some((d) => d.body_hash === 'mismatch') && buf.includes('\n>From ')) {
    const unquoted = Buffer.from(buf.toString('latin1').replace(QUOTED_FROM, '$1$2'), 'latin1');
    const b = authenticate(unquoted, { resolve, now });
    if (b.dkim.some((d) => d.body_hash === 'match')) {
      a = b;
      a.evidence.push({ code: 'mbox-unquoted', severity: 'info', detail: 'The mailbox file had quoted body lines starting with "From " as ">From "; the signature was checked on the unquoted text, as it was sent.' });
    }
  }
  return { dkim: a.dkim, arc: { result: a.arc.result, instances: a.arc.instances }, verdict: a.verdict, evidence: a.evidence };
}
