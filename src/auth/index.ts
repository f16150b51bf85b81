/**
 * @module auth
 * Offline message authentication for trove: DKIM and ARC verification written for forensics,
 * the key archive, and the DKIM verdict. See dkim/verify.ts for why we verify ourselves.
 */
export type { DkimSignatureResult, Evidence, KeyInfo, KeyRecord, KeyResolver, Severity, VerifyOptions } from './types.ts';
export { authenticate, type Authentication } from './authenticate.ts';
export { verifyDkim } from './dkim/verify.ts';
export { verifyArc, type ArcResult, type ArcSetResult } from './arc/verify.ts';
export { dkimVerdict, type DkimVerdict, type DkimVerdictWord } from './verdict.ts';
export { fromDomains, organisationalDomain } from './from-domain.ts';
export { parseKeyArchive, resolverFromRecords, describeKeyRecord, type ArchivedKey, type KeyArchiveParse } from './keys.ts';
export { parseKeyRecord } from './dkim/key.ts';
export type { AuthEvidenceCode } from './evidence.ts';
export { fetchKeys, dnsTxtLookup, type TxtLookup, type FetchedName, type FetchOptions } from './key-fetch.ts';
