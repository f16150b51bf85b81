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

export interface MissingKey {
  /** `selector._domainkey.domain`. */
  name: string;
  domain: string;
  selector: string;
  /** Unique messages carrying a signature that needs this key. */
  messages: number;
  /** Of those signatures, how many are by the message's own From domain (aligned). */
  aligned: number;
}

/**
 * The key names the corpus's DKIM signatures reference that the archive lacks, from the stored
 * analysis (`dkim[].key === 'missing'`) minus the names archived since, most needed first.
 */
export function missingKeys(db: CaseDb): MissingKey[] {
  const archived = new Set(loadKeys(db).map((k) => k.name));
  const byName = new Map<string, MissingKey & { seen: Set<string> }>();
  const rows = db.db.prepare("SELECT id, analysis FROM messages WHERE analysis LIKE '%\"key\":\"missing\"%'").iterate() as Iterable<{ id: string; analysis: string }>;
  for (const row of rows) {
    let a: { dkim?: { domain?: string; selector?: string; key?: string; aligned?: boolean }[] };
    try {
      a = JSON.parse(row.analysis) as typeof a;
    } catch {
      continue;
    }
    for (const d of a.dkim ?? []) {
      if (d.key !== 'missing' || !d.domain || !d.selector) continue;
      const name = `${d.selector}._domainkey.${d.domain}`.toLowerCase();
      if (archived.has(name)) continue; // imported since the last analyze
      const m = byName.get(name) ?? { name, domain: d.domain.toLowerCase(), selector: d.selector.toLowerCase(), messages: 0, aligned: 0, seen: new Set<string>() };
      if (!m.seen.has(row.id)) {
        m.seen.add(row.id);
        m.messages++;
        if (d.aligned) m.aligned++;
      }
      byName.set(name, m);
    }
  }
  return [...byName.values()].map(({ seen: _s, ...m }) => m).sort((x, y) => y.messages - x.messages || x.name.localeCompare(y.name));
}

/**
 * Archives keys found by `trove keys fetch` (source `dns`, first_seen = last_seen = `seen`). A
 * value already archived from DNS keeps its first_seen and gets last_seen moved forward.
 */
export function recordFetchedKeys(db: CaseDb, found: readonly { name: string; value: string }[], seen: Date): { added: number; refreshed: number } {
  let added = 0;
  let refreshed = 0;
  const at = seen.toISOString();
  db.tx(() => {
    const ins = db.stmt("INSERT OR IGNORE INTO keys (name, value, status, first_seen, last_seen, source, added_at) VALUES (?,?,'active',?,?,'dns',?)");
    const upd = db.stmt("UPDATE keys SET last_seen = ? WHERE name = ? AND value = ? AND source = 'dns' AND (last_seen IS NULL OR last_seen < ?)");
    for (const f of found) {
      const n = Number(ins.run(f.name, f.value, at, at, at).changes);
      added += n;
      if (!n) refreshed += Number(upd.run(at, f.name, f.value, at).changes);
    }
  });
  return { added, refreshed };
}
