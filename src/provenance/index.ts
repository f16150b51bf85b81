/**
 * @module provenance
 * Provenance of circulating quotes and documents (issue 9): public entry.
 */
export { MATCH_THRESHOLD, provenanceOfFile, provenanceOfText, type ProvenanceMatch, type ProvenanceResult } from './provenance.ts';
export { fileText } from './file-text.ts';
export { align, diff, passage, type DiffOp } from './align.ts';
export { tokenize, wordSimilarity } from './tokens.ts';
