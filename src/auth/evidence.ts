/**
 * @module auth/evidence
 * Every authentication finding trove reports, as stable codes with the sentence a journalist
 * reads. Codes never change meaning (they are searchable: `evidence:body-modified`); sentences may
 * be improved. Each builder names the signing domain, because a message often carries signatures
 * from several organisations and the reader must know whose seal is being discussed.
 *
 * Severity: `critical` = the content demonstrably differs from what was signed; `warning` = a
 * reason the signature proves nothing (or less than it seems); `info` = a note.
 */
import type { Evidence } from './types.ts';

/** The evidence codes produced by src/auth (DKIM, ARC and the verdict). */
export type AuthEvidenceCode =
  // tampering (per signature; the verdict decides whether it makes the message `tampered`)
  | 'body-modified'
  | 'header-modified'
  | 'appended-beyond-length-limit'
  | 'unsigned-header-added'
  // reasons nothing cryptographic can be said
  | 'no-signature'
  | 'not-aligned'
  | 'key-missing'
  | 'key-lookup-failed'
  | 'key-malformed'
  | 'key-revoked'
  | 'key-published'
  | 'key-not-archived'
  | 'key-fetched'
  | 'key-mismatch'
  | 'key-incompatible'
  | 'weak-key'
  | 'signature-malformed'
  | 'from-not-signed'
  | 'headers-not-covered'
  | 'partial-body-signed'
  | 'from-ambiguous'
  | 'too-many-signatures'
  // notes
  | 'signature-verified'
  | 'signature-expired'
  | 'signature-from-future'
  | 'weak-hash'
  | 'key-testing'
  | 'length-limit'
  | 'headers-not-signed'
  | 'line-endings-normalised'
  | 'modification-explained'
  | 'third-party-signature'
  // ARC
  | 'arc-pass'
  | 'arc-fail';

export function ev(code: AuthEvidenceCode, severity: Evidence['severity'], detail: string, data?: Evidence['data']): Evidence {
  return data === undefined ? { code, severity, detail } : { code, severity, detail, data };
}

/** "example.com" or "an unnamed domain" for signatures too broken to say who they claim to be. */
export function who(domain: string): string {
  return domain === '' ? 'the signer (the signature does not say which domain)' : domain;
}

/** "From, Subject and Date" — lists read as prose. */
export function prose(items: readonly string[]): string {
  if (items.length === 0) return 'no header fields';
  if (items.length === 1) return items[0];
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export const TRANSIT_CAVEAT =
  'Changes like this are sometimes made in transit (mailing lists add footers or subject tags, some servers re-encode text), so this shows the message is not exactly what was signed, not who changed it.';
