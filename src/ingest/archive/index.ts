/**
 * @module ingest/archive
 * Archive readers and format sniffing. Readers yield ArchiveEntry / EntryProblem items
 * (see src/ingest/types.ts); every member stream is guarded against bombs (./guard.ts).
 */
export { readZip } from './zip.ts';
export { readTar } from './tar.ts';
export { readGzip, readBzip2 } from './compressed.ts';
export { readSevenZip } from './sevenzip.ts';
export { readRar } from './rar.ts';
export { sniffArchive, type ArchiveKind } from './sniff.ts';
export { createGuardStream, ExpansionGuard, type GuardOptions } from './guard.ts';
