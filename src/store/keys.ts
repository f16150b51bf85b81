/**
 * @module store/keys
 * The case's DKIM key archive: import, list, and load for the verifier.
 */
import type { KeyRecord } from '../auth/types.ts';
import type { CaseDb } from './sqlite.ts';

export type NamedKey = KeyRecord & { name: string };

export function importKeys(db: CaseDb, records: readonly NamedKey[]): { added: number; known: number } {
  let added = 0;
  db.tx(() => {
    const ins = db.stmt('INSERT OR IGNORE INTO keys (name, value, status, first_seen, last_seen, source, added_at) VALUES (?,?,?,?,?,?,?)');
    const now = new Date().toISOString();
    for (const r of records) {
      added += Number(ins.run(r.name, r.value, r.status, r.first_seen ?? null, r.last_seen ?? null, r.source, now).changes);
    }
  });
  return { added, known: records.length - added };
}

export function loadKeys(db: CaseDb): NamedKey[] {
  return (db.stmt('SELECT name, value, status, first_seen, last_seen, source FROM keys ORDER BY id').all() as Record<string, string | null>[]).map((r) => ({
    name: String(r.name),
    value: String(r.value),
    status: r.status as KeyRecord['status'],
    first_seen: r.first_seen ?? undefined,
    last_seen: r.last_seen ?? undefined,
    source: r.source as KeyRecord['source'],
  }));
}
