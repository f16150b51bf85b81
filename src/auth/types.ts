/**
 * @module auth/types
 * Shapes shared by the DKIM verifier, the ARC verifier and the verdict step. The field names of
 * {@link DkimSignatureResult} that also appear in the export record (`dkim[]` in
 * docs/CONTRACT.md) keep the contract's spelling (snake_case); everything else is an extra.
 */

/** One archived or fetched DNS TXT record for `<selector>._domainkey.<domain>`. */
export interface KeyRecord {
  /** The TXT value exactly as published (multi-string records already joined). */
  value: string;
  /**
   * `active`: an ordinary published key. `revoked`: the owner withdrew it (signatures made with it
   * are not accepted). `published`: its PRIVATE key is public, so anyone could have signed with it.
   */
  status: 'active' | 'revoked' | 'published';
  first_seen?: string;
  last_seen?: string;
  /**
   * `archive`: imported into the case's key archive (`trove keys import`). `dns`: found in DNS;
   * with `first_seen` it was archived by `trove keys fetch` on that date (may verify, with
   * `key-fetched` evidence giving the date), without it a live lookup never archived (never verifies).
   */
  source: 'archive' | 'dns';
}

/**
 * Returns every known record for a DNS name (`sel._domainkey.domain`, lower case, no trailing dot).
 * Several records mean key rotation. An empty array means "no such name" (NXDOMAIN). Never
 * touches the network: trove injects the case's key archive here.
 */
export type KeyResolver = (name: string) => readonly KeyRecord[];

export type Severity = 'info' | 'warning' | 'critical';

/** One finding with a stable code and a sentence a journalist can quote. */
export interface Evidence {
  code: string;
  severity: Severity;
  detail: string;
  /** Machine-readable particulars (header name, byte counts, tag…), for UIs and tests. */
  data?: Record<string, string | number | boolean | string[] | null>;
}

export type DkimResultWord = 'pass' | 'fail' | 'neutral' | 'temperror' | 'permerror' | 'none';

/** The outcome for one DKIM-Signature header field. */
export interface DkimSignatureResult {
  // --- contract fields (export record `dkim[]`) ---
  domain: string;
  selector: string;
  algorithm: string;
  /** RFC 8601 word. `pass` means cryptographically intact (an expired x= still passes, see evidence). */
  result: DkimResultWord;
  body_hash: 'match' | 'mismatch' | 'unknown';
  header_signature: 'valid' | 'invalid' | 'unknown';
  /** Organisational-domain alignment with the From domain; filled in by `dkimVerdict`. */
  aligned: boolean;
  key: 'archive' | 'dns' | 'missing';
  length_limit: number | null;
  signed_headers: string[];
  // --- extras ---
  evidence: Evidence[];
  /** Why the result is permerror/temperror (stable code, e.g. `key-missing`, `signature-malformed`). */
  error?: string;
  /** Position of this DKIM-Signature among the message's header fields (0 = first line). */
  header_index: number;
  canonicalization: string | null;
  /** i= (the agent or user identifier), as written. */
  identity: string | null;
  /** t= and x= as Unix seconds. */
  timestamp: number | null;
  expiration: number | null;
  /** Facts about the key record that decided the result, when there was one. */
  key_info: KeyInfo | null;
  /** Canonicalised body octets after l= (content nobody signed). */
  unsigned_body_bytes: number;
}

export interface KeyInfo {
  type: 'rsa' | 'ed25519';
  /** RSA modulus bits, or 256 for Ed25519. */
  bits: number;
  status: KeyRecord['status'];
  source: KeyRecord['source'];
  first_seen: string | null;
  last_seen: string | null;
  /** Index of the record among those the resolver returned for this name. */
  record_index: number;
  /** t=y: the domain said it was only testing DKIM. */
  testing: boolean;
}

export interface VerifyOptions {
  resolve: KeyResolver;
  /** The moment to judge t= and x= against (default: now). */
  now?: Date;
}
