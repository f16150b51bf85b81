/**
 * @module report/explain
 * The plain-language "what this proves and what it does not" of an authenticity report. Written
 * for a reader who has never heard of DKIM (an editor, a lawyer, a reader of the story), and
 * careful in both directions: a verified signature does not prove who typed the message, and an
 * unverifiable one does not make it fake.
 */
import type { AuthenticityReport, ReportSignature } from './model.ts';

type Facts = Omit<AuthenticityReport, 'proves' | 'does_not_prove' | 'reproduce'>;

const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : 'an unknown date');

function list(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? 'nothing';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The aligned signature that passes, if any (what `verified` rests on). */
function deciding(f: Facts): ReportSignature | undefined {
  return f.dkim.find((s) => s.aligned && s.result === 'pass') ?? f.dkim.find((s) => s.aligned);
}

export function explain(f: Facts): { proves: string; does_not_prove: string } {
  const s = deciding(f);
  const general = 'It does not prove that the person named in From wrote it (anyone with access to the account or to the domain\'s mail system could have sent it), when it was actually sent (the Date field is written by the sender\'s own software), that anyone received or read it, or anything about header fields the signature did not cover.';
  switch (f.verdict) {
    case 'verified': {
      const d = s?.domain ?? 'the sender\'s domain';
      const fields = s ? [...new Set(s.signed_headers.map((h) => h.toLowerCase()))].join(', ') : '';
      let proves = `The message carries a digital signature (DKIM) of ${d}, the domain of its sender, and the signature still checks out: the body and the signed header fields (${fields}) are exactly as ${d}'s mail system signed them. Changing a single character of them would break the signature.${s?.signed_at ? ` The signature states it was made on ${day(s.signed_at)}; that date comes from the signing system's own clock and is a claim, not proof of time.` : ''}`;
      if (s?.key.origin === 'dns') {
        const after = s.signed_at && s.key.first_seen && s.key.first_seen > s.signed_at ? ', after the message was signed' : '';
        proves += ` The key that checks it was fetched from DNS on ${day(s.key.first_seen)}${after}, not archived at the time: ${d} still publishes that key, so whoever signed held its private key. A key archived when the mail was sent would be stronger evidence, because a domain can change hands or reuse a key name.`;
      }
      return { proves, does_not_prove: `${general} It also does not prove that the key was never stolen.` };
    }
    case 'tampered': {
      const d = s?.domain ?? 'the sender\'s domain';
      const where = f.evidence.filter((e) => e.severity === 'critical').map((e) => e.code);
      return {
        proves: `The message carries a signature of ${d}, the domain of its sender, and the content no longer matches what ${d} signed (${list([...new Set(where)])}): this copy is not exactly the message ${d}'s mail system sent.`,
        does_not_prove: 'It does not prove who changed the message or why, nor that the change was malicious: mailing lists, forwarding and some mail servers alter messages in transit (footers, subject tags, re-encoding). The evidence above says which part changed.',
      };
    }
    case 'suspicious':
      return {
        proves: 'Nothing cryptographic could be checked for this message, and forensic findings (listed above) contradict what the message itself claims.',
        does_not_prove: 'The findings are reasons for doubt, not proof of forgery: each has innocent explanations (misconfigured clocks, unusual mail software). Equally, nothing here shows the message is genuine.',
      };
    default:
      return {
        proves: 'Nothing cryptographic can be said about this message: the reasons are listed above (no signature of the sender\'s domain, or no archived key to check it with, or a signature that cannot count as proof).',
        does_not_prove: 'Unverifiable does not mean fake: most email, especially older or internal mail, cannot be checked this way. The message must be judged on other evidence (sources, context, confirmation by the people involved).',
      };
  }
}
