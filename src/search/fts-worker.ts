/**
 * @module search/fts-worker
 * Worker-thread entry: builds what the full-text index owes (fts-build.ts) on a connection of
 * its own to the index file, reading the case's text from trove.db attached as `c`.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { indexOwedDocs } from './fts-build.ts';

const { caseFile, searchFile, unsynced } = workerData as { caseFile: string; searchFile: string; unsynced: boolean };
const conn = new DatabaseSync(searchFile, { timeout: 60_000 });
conn.exec('PRAGMA journal_mode = WAL');
// a first load's index is written without fsync too; the load flushes it at its end (store/unsynced.ts)
conn.exec(`PRAGMA synchronous = ${unsynced ? 'OFF' : 'NORMAL'}`);
// a small cache: it appends in document order, and it runs beside the case passes (memory)
conn.exec('PRAGMA cache_size = -4096');
conn.prepare('ATTACH DATABASE ? AS c').run(caseFile);
const added = indexOwedDocs(conn, 'c', 'main');
conn.close();
parentPort!.postMessage({ added });
