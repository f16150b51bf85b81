/**
 * @module auth/verdict
 * Turns per-signature DKIM results into the message verdict of docs/CONTRACT.md ("Verdicts").
 *
 * The bias is deliberate: a wrong "verified" is the worst bug this product can have (it would
 * put a newsroom's name behind a forgery), so `verified` needs every condition at once and any
 * doubt falls to `unverifiable`. `tampered` needs a signature of the From domain that
 * demonstrably does not match the content (critical evidence from verify.ts, which only marks
 * evidence critical when the signer's key confirmed the header signature, or confirmed that the
 * signed headers hash differently). `suspicious` is not decided here (forensics does it).
 */
import type { DkimSignatureResult, Evidence } from './types.ts';
import { ev, who, prose } from './evidence.ts';
import { normaliseDomain, organisationalDomain } from './from-domain.ts';
import { MIN_RSA_BITS } from './dkim/verify.ts';

export type DkimVerdictWord = 'verified' | 'tampered' | 'unverifiable';

export interface DkimVerdict {
  verdict: DkimVerdictWord;
  evidence: Evidence[];
  /** Index (in `results`) of the signature that decided a verified/tampered verdict. */
  decided_by: number | null;
}

/** Evidence codes that show modification (critical when proven). */
export const TAMPER_CODES: ReadonlySet<string> = new Set(['body-modified', 'header-modified', 'appended-beyond-length-limit', 'unsigned-header-added']);

/** Header fields a verifying signature must cover (contract: at least From, Subject, Date). */
export const REQUIRED_SIGNED: readonly string[] = ['from', 'subject', 'date'];

/**
 * Fills `aligned` on each result (in place: the export record carries it) and decides.
 * @param fromDomain the From domain(s) of the message: every domain found in every From field
 *   (see `fromDomains`). Several different organisational domains make the sender ambiguous, and
 *   such a message can never be `verified`.
 */
export function dkimVerdict(results: DkimSignatureResult[], fromDomain: string | readonly string[] | null): DkimVerdict {
  const froms = (fromDomain === null ? [] : typeof fromDomain === 'string' ? [fromDomain] : [...fromDomain])
    .map((d) => normaliseDomain(d))
    .filter((d): d is string => d !== null);
  const fromOrgs = [...new Set(froms.map(organisationalDomain))];
  for (const r of results) {
    r.aligned = r.domain !== '' && fromOrgs.includes(organisationalDomain(r.domain));
  }

  const evidence: Evidence[] = [];
  const add = (e: Evidence) => {
    if (!evidence.some((x) => x.code === e.code && x.detail === e.detail)) evidence.push(e);
  };

  if (results.length === 0) {
    add(ev('no-signature', 'warning', 'The message carries no DKIM signature, so nothing cryptographic can be said about who sent it or whether it was changed.'));
    return { verdict: 'unverifiable', evidence, decided_by: null };
  }

  const tamperedIdx = results.findIndex((r) => r.aligned && r.evidence.some((e) => TAMPER_CODES.has(e.code) && e.severity === 'critical'));
  const verifiedIdx = fromOrgs.length === 1 ? results.findIndex((r) => r.aligned && blockers(r).length === 0) : -1;

  if (tamperedIdx !== -1) {
    results.forEach((r) => {
      for (const e of r.evidence) add(r.aligned ? e : demote(e));
    });
    if (verifiedIdx !== -1) {
      const v = results[verifiedIdx];
      add(ev('modification-explained', 'info', `Another signature of ${v.domain} does verify fully. The change may have been made by ${v.domain}'s own mail system between its two signatures; compare the signatures' times and fields before drawing conclusions.`));
    }
    thirdParty(results, add);
    return { verdict: 'tampered', evidence: ordered(evidence), decided_by: tamperedIdx };
  }

  if (verifiedIdx !== -1) {
    const v = results[verifiedIdx];
    const k = v.key_info;
    const kind = k ? (k.type === 'rsa' ? `a ${k.bits}-bit RSA` : 'an Ed25519') : 'an archived';
    const keyText = !k ? 'an archived key' : k.source === 'dns' ? `${kind} key fetched from DNS on ${(k.first_seen ?? '').slice(0, 10)} (not archived when the mail was sent: see the key-fetched finding)` : `${kind} key from the case's archive`;
    add(ev('signature-verified', 'info', `${v.domain} signed this message and the signature still verifies with ${keyText}. The body and the signed header fields (${prose(presentSigned(v))}) are exactly as ${v.domain}'s mail system sent them.`, { domain: v.domain, selector: v.selector }));
    results.forEach((r) => {
      for (const e of r.evidence) add(r.aligned ? e : demote(e));
    });
    thirdParty(results, add);
    return { verdict: 'verified', evidence: ordered(evidence), decided_by: verifiedIdx };
  }

  // unverifiable: say why, signature by signature
  const aligned = results.filter((r) => r.aligned);
  if (fromOrgs.length === 0) {
    add(ev('from-ambiguous', 'warning', 'The message has no readable From address, so no signature can be tied to its sender.'));
  } else if (fromOrgs.length > 1) {
    add(ev('from-ambiguous', 'warning', `The message names senders in several domains (${prose(froms)}), so no signature can vouch for "the" sender.`, { domains: froms }));
  }
  if (aligned.length === 0 && fromOrgs.length > 0) {
    const signers = [...new Set(results.map((r) => r.domain).filter((d) => d !== ''))];
    add(ev('not-aligned', 'warning', `The message is signed only by ${signers.length ? prose(signers) : 'an unnamed domain'}, not by the sender's domain (${prose(froms)}). That shows which system handled it, not who wrote it.`, { signers, from: froms }));
  }
  for (const r of aligned) for (const b of blockers(r)) add(b);
  results.forEach((r) => {
    for (const e of r.evidence) add(r.aligned ? e : demote(e));
  });
  if (aligned.length > 0) thirdParty(results, add);
  return { verdict: 'unverifiable', evidence: ordered(evidence), decided_by: null };
}

/** Non-aligned signatures cannot make a message tampered; keep their findings, but not as critical. */
function demote(e: Evidence): Evidence {
  return e.severity === 'critical' ? { ...e, severity: 'warning' } : e;
}

const DISPLAY: ReadonlyMap<string, string> = new Map([['message-id', 'Message-ID'], ['mime-version', 'MIME-Version'], ['dkim-signature', 'DKIM-Signature'], ['cc', 'Cc']]);

/** The signed field names, once each, spelled as mail programs show them ("Message-ID", "Reply-To"). */
function presentSigned(r: DkimSignatureResult): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const h of r.signed_headers) {
    const l = h.toLowerCase();
    if (seen.has(l)) continue;
    seen.add(l);
    out.push(DISPLAY.get(l) ?? l.replace(/(^|-)([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase()));
  }
  return out;
}

const SEVERITY_ORDER: Readonly<Record<Evidence['severity'], number>> = { critical: 0, warning: 1, info: 2 };

/** Most serious first (stable within a severity), so a reader sees what matters at the top. */
function ordered(evidence: Evidence[]): Evidence[] {
  return evidence.map((e, i) => [e, i] as const).sort((a, b) => SEVERITY_ORDER[a[0].severity] - SEVERITY_ORDER[b[0].severity] || a[1] - b[1]).map(([e]) => e);
}

/** Signatures of other domains that verify: they show how the message was relayed, not who wrote it. */
function thirdParty(results: DkimSignatureResult[], add: (e: Evidence) => void) {
  for (const r of results) {
    if (r.aligned || r.result !== 'pass') continue;
    add(ev('third-party-signature', 'info', `The message also carries a valid signature of ${r.domain}, which is not the sender's domain: what it signed is exactly as ${r.domain}'s system (for example a mailing list or an email service) relayed it, which says nothing about who wrote it.`, { domain: r.domain }));
  }
}

/**
 * Why this (aligned) signature cannot make the message verified; empty = it can. Every reason
 * is an evidence item (reusing the signature's own finding when it has one).
 */
export function blockers(r: DkimSignatureResult): Evidence[] {
  const out: Evidence[] = [];
  const d = who(r.domain);
  const has = (code: string) => r.evidence.find((e) => e.code === code);
  const reuse = (code: string, fallback: () => Evidence) => out.push(has(code) ?? fallback());

  if (r.result !== 'pass' || r.body_hash !== 'match' || r.header_signature !== 'valid') {
    switch (r.error) {
      case 'key-missing':
        reuse('key-missing', () => ev('key-missing', 'warning', `No archived key for ${d}, so its signature cannot be checked.`));
        break;
      case 'weak-key':
        reuse('weak-key', () => ev('weak-key', 'warning', `${d} signed with an RSA key under ${MIN_RSA_BITS} bits, which can be forged.`));
        break;
      case 'signature-malformed':
      case 'too-many-signatures':
        reuse('signature-malformed', () => ev('signature-malformed', 'warning', `${d}'s signature is malformed and proves nothing.`));
        break;
      case 'from-not-signed':
        reuse('from-not-signed', () => ev('from-not-signed', 'warning', `${d}'s signature does not cover From.`));
        break;
      case undefined: {
        // fail: either tampering (handled by the caller as critical evidence) or the key did not match
        const why = has('key-mismatch') ?? r.evidence.find((e) => TAMPER_CODES.has(e.code));
        out.push(why ?? ev('signature-malformed', 'warning', `${d}'s signature does not verify.`));
        break;
      }
      default:
        reuse(r.error, () => ev('key-malformed', 'warning', `${d}'s key cannot be used (${r.error}).`));
    }
    return out;
  }
  const k = r.key_info;
  // Keys from the case's archive verify; so do keys `trove keys fetch` archived with the date seen
  // (source dns + first_seen; their `key-fetched` evidence stays with the verdict). A key looked
  // up live and never archived (dns, no date) does not.
  const archived = k !== null && r.key === k.source && (k.source === 'archive' || (k.source === 'dns' && k.first_seen !== null));
  if (!k || !archived) {
    reuse('key-not-archived', () => ev('key-not-archived', 'warning', `${d}'s key does not come from the case's archive.`));
  }
  if (k && k.status === 'published') reuse('key-published', () => ev('key-published', 'warning', `${d}'s private key is public: the signature proves nothing.`));
  if (k && k.status === 'revoked') reuse('key-revoked', () => ev('key-revoked', 'warning', `${d}'s key is revoked.`));
  if (!k || (k.type === 'rsa' && k.bits < MIN_RSA_BITS)) reuse('weak-key', () => ev('weak-key', 'warning', `${d}'s key is too small to be trusted.`));
  const signed = new Set(r.signed_headers.map((h) => h.toLowerCase()));
  const missing = REQUIRED_SIGNED.filter((h) => !signed.has(h));
  if (missing.length) {
    const names = missing.map((m) => m[0].toUpperCase() + m.slice(1));
    reuse(missing.includes('from') ? 'from-not-signed' : 'headers-not-covered', () => ev('headers-not-covered', 'warning', `${d}'s signature does not cover ${prose(names)}.`, { headers: names }));
  }
  if (r.unsigned_body_bytes > 0) reuse('appended-beyond-length-limit', () => ev('partial-body-signed', 'warning', `${d} signed only part of the body.`));
  for (const e of r.evidence) if (TAMPER_CODES.has(e.code)) out.push(e);
  return [...new Set(out)];
}
