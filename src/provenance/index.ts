/**
 * @module provenance
 * Provenance of circulating quotes and documents (issue 9): public entry. The CLI and the
 * API call `provenanceQuery(db, { text } | { file: { name, bytes } }, { limit })`.
 */
export {
  MATCH_THRESHOLD, provenanceOfFile, provenanceOfText, provenanceQuery,
  type ProvenanceInput, type ProvenanceMatch, type ProvenanceOptions, type ProvenanceResult,
} from './provenance.ts';
export { fileText, readInput, type InputFile } from './file-text.ts';
export { compareMessages, compareMetadata, type HeaderChange, type MessageComparison, type MetadataComparison } from './compare.ts';
export { align, diff, globalAlign, passage, type DiffOp } from './align.ts';
export { tokenize, wordSimilarity } from './tokens.ts';
