/**
 * @module forensics/types
 * What a forensic check returns: a finding (stable code, severity, a sentence for a journalist)
 * and whether it contradicts the message's own claims, which alone may turn an unverifiable
 * message `suspicious` (CONTRACT.md, Verdicts).
 */

export type ForensicCode =
  | 'duplicate-divergent'
  | 'date-skew'
  | 'received-chain-disorder'
  | 'date-impossible'
  | 'attachment-metadata-anomaly'
  | 'mailer-fingerprint-mismatch';

export type Severity = 'info' | 'warning' | 'critical';

export interface Finding {
  code: ForensicCode;
  severity: Severity;
  detail: string;
  /**
   * True when the finding says the message disagrees with itself or with the corpus (a
   * moved Date, a rewritten duplicate). Informational findings (a PDF edit history) are false.
   */
  contradicts: boolean;
}

/** Evidence stage written by the forensic pass (deleted and rewritten on every run). */
export const STAGE = 'forensics';
