/**
 * @module auth/authenticate
 * One call for the ingest pipeline: DKIM results, the DKIM verdict, ARC, and the evidence list,
 * shaped like the export record's `dkim`, `arc`, `verdict` (before forensics may turn
 * `unverifiable` into `suspicious`) and `evidence` fields.
 */
import type { DkimSignatureResult, Evidence, VerifyOptions } from './types.ts';
import { verifyDkim } from './dkim/verify.ts';
import { verifyArc, type ArcResult } from './arc/verify.ts';
import { dkimVerdict, type DkimVerdictWord } from './verdict.ts';
import { fromDomains } from './from-domain.ts';
import { parseDkimMessage } from './dkim/message.ts';

export interface Authentication {
  dkim: DkimSignatureResult[];
  arc: ArcResult;
  verdict: DkimVerdictWord;
  evidence: Evidence[];
  /** Every From domain found (more than one organisation = ambiguous sender, never verified). */
  from_domains: string[];
}

export function authenticate(raw: Buffer, opts: VerifyOptions): Authentication {
  // split once: DKIM, the From domains and ARC read the same fields
  const msg = parseDkimMessage(raw);
  const dkim = verifyDkim(msg, opts);
  const from = fromDomains(msg);
  const v = dkimVerdict(dkim, from);
  const arc = verifyArc(msg, opts);
  return { dkim, arc, verdict: v.verdict, evidence: [...v.evidence, ...arc.evidence], from_domains: from };
}
