/**
 * @module search/fts-worker
 * Worker-thread entry: builds what the full-text index owes (fts-build.ts) on a connection of
 * its own to the index file, reading the case's text from trove.db attached as `c`.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { indexDocs, pendingDocs } from './fts-build.ts';

const { caseFile, searchFile } = workerData as { caseFile: string; searchFile: string };
const conn = new DatabaseSync(searchFile, { timeout: 60_000 });
conn.exec('PRAGMA journal_mode = WAL');
conn.exec('PRAGMA synchronous = NORMAL');
conn.exec('PRAGMA cache_size = -16384');
conn.prepare('ATTACH DATABASE ? AS c').run(caseFile);
const added = indexDocs(conn, pendingDocs(conn, 'c', 'main'), 'c', 'main');
conn.close();
parentPort!.postMessage({ added });
