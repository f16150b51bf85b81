/**
 * @module search
 * Full-text and field search over a case: the query language (parse), its SQLite compiler,
 * the incremental indexer, threads, and result functions (search, facets, timeline,
 * correspondents) the CLI and the future API call.
 */
export * from './ast.ts';
export { parseQuery, QueryError, FIELDS } from './parse.ts';
export { compileSqlite, type CompiledQuery } from './compile-sqlite.ts';
export { indexPending, clearIndex, MAX_INDEXED_BODY_CHARS, type IndexResult } from './indexer.ts';
export { rebuildThreads, threadMessages, normalizeSubject } from './threads.ts';
export { normalizeText } from './normalize.ts';
export * from './search.ts';
