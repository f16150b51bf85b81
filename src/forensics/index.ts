/**
 * @module forensics
 * What signatures cannot settle: divergent duplicates, date forensics, mailer fingerprints,
 * attachment and photo metadata. Public entry of the folder.
 */
export { runForensics, type ForensicsOptions, type ForensicsSummary } from './case-pass.ts';
export { forensicsSummary, type MetadataSummary } from './summary.ts';
export { extractMetadata, type DocMetadata } from './metadata/index.ts';
export { dateFindings, DATE_TOLERANCE } from './dates.ts';
export { parseReceived } from './received.ts';
export { divergentDuplicates, normaliseBody } from './duplicates.ts';
export { attachmentFindings, METADATA_TOLERANCE } from './attachments.ts';
export { scriptOf, majorityScript } from './script.ts';
export { fingerprintOf, shapeOf, mailerKey, type Fingerprint } from './fingerprint.ts';
export { MailerModel, MAILER_MIN_SAMPLES, MAILER_CONSISTENCY } from './mailer-model.ts';
export { SenderProfiles, SENDER_MIN_FILES, softwareFamily } from './sender-profile.ts';
export type { Finding, ForensicCode, Severity } from './types.ts';
