/**
 * The case-level lookalike scan as it was before its memory was bounded (every id loaded at
 * once, seen_in grown as an array, every message's date and sender cached for the usage
 * figures): the oracle the paged scan in src/lookalike/scan.ts must match exactly.
 */
import { detect, makeTarget, DEFAULT_MIN_SCORE, parseHost, guessTargets, ownedBecause, type Hit, type Match, type Target, type Usage } from '../../src/lookalike/index.ts';
import { domainsOf, type Place } from '../../src/lookalike/extract.ts';
import { CODE, STAGE, evidenceDetail, severityOf } from '../../src/lookalike/scan.ts';
import { reparse } from '../../src/store/queries.ts';
import type { CaseDb } from '../../src/store/sqlite.ts';

const DAY = 86_400_000;

interface OracleResult {
  targets: string[];
  messages: number;
  hits: Hit[];
}

/** Usage of each registered domain among `hits` (messages' dates and From addresses from the index). */
function usageOf(db: CaseDb, hits: readonly Hit[], received: ReadonlyMap<string, Set<string>>, own: ReadonlySet<string>): Map<string, Usage> {
  const row = db.db.prepare('SELECT date, from_address FROM messages WHERE id = ?');
  const info = new Map<string, { t: number | null; from: string; own: boolean }>();
  const of = (id: string): { t: number | null; from: string; own: boolean } => {
    let x = info.get(id);
    if (!x) {
      const r = row.get(id) as { date: string | null; from_address: string | null } | undefined;
      const from = (r?.from_address ?? '').toLowerCase();
      const t = r?.date ? Date.parse(r.date) : NaN;
      const reg = from.includes('@') ? parseHost(from.slice(from.lastIndexOf('@') + 1))?.registered : null;
      info.set(id, (x = { t: Number.isFinite(t) ? t : null, from, own: !!reg && own.has(reg) }));
    }
    return x;
  };
  const span = (ts: (number | null)[]): number => {
    const v = ts.filter((t): t is number => t !== null);
    return v.length ? (Math.max(...v) - Math.min(...v)) / DAY : 0;
  };
  const groups = new Map<string, Set<string>>();
  for (const h of hits) {
    const reg = parseHost(h.domain)?.registered ?? h.domain;
    const g = groups.get(reg) ?? new Set<string>();
    for (const id of h.seen_in) g.add(id);
    groups.set(reg, g);
  }
  const out = new Map<string, Usage>();
  for (const [reg, ids] of groups) {
    const ms = [...ids].map(of);
    const senders = new Set(ms.map((m) => m.from).filter(Boolean));
    const ownSenders = new Set(ms.filter((m) => m.own).map((m) => m.from));
    const rel = [...(received.get(reg) ?? [])].map(of).filter((m) => m.own);
    out.set(reg, {
      messages: ids.size, days: span(ms.map((m) => m.t)), senders: senders.size, ownSenders: ownSenders.size,
      relayed: rel.length, relayedDays: span(rel.map((m) => m.t)), relayedSenders: new Set(rel.map((m) => m.from)).size,
    });
  }
  return out;
}

/** Scans every message of the case for lookalikes of `targets` (guessed when empty). */
export function oracleScanCase(db: CaseDb, targets: readonly string[] = [], minScore = DEFAULT_MIN_SCORE): OracleResult {
  const names = targets.length ? [...targets] : guessTargets(db);
  const ts = names.map(makeTarget).filter((t): t is Target => t !== null);
  const verdicts = new Map<string, Match | null>();
  const hits = new Map<string, Hit>();
  /** registered domain of a lookalike → messages with it as a Received host */
  const received = new Map<string, Set<string>>();
  let messages = 0;
  if (ts.length) {
    for (const { id } of db.db.prepare('SELECT id FROM messages ORDER BY id').all() as { id: string }[]) {
      const m = reparse(db, id);
      messages++;
      if (!m) continue;
      for (const [d, places] of domainsOf(m)) {
        let v = verdicts.get(d);
        if (v === undefined) verdicts.set(d, (v = detect(d, ts, minScore)));
        if (!v) continue;
        const h = hits.get(v.domain) ?? { ...v, seen_in: [], where: [] };
        if (!h.seen_in.includes(id)) h.seen_in.push(id);
        for (const p of places) if (!h.where.includes(p)) h.where.push(p);
        hits.set(v.domain, h);
        if (places.has('received')) {
          const reg = parseHost(v.domain)?.registered ?? v.domain;
          received.set(reg, (received.get(reg) ?? new Set()).add(id));
        }
      }
    }
  }
  const list = [...hits.values()];
  const usage = usageOf(db, list, received, new Set(ts.map((t) => t.domain)));
  for (const h of list) {
    const reg = parseHost(h.domain)?.registered ?? h.domain;
    const why = ownedBecause(reg, h.target, usage.get(reg)!);
    if (why) h.owned = why;
  }
  return { targets: ts.map((t) => t.domain), messages, hits: list.sort((a, b) => b.score - a.score || a.domain.localeCompare(b.domain)) };
}

/** The original runLookalikes (evidence rows, in the same order). */
export function oracleRunLookalikes(db: CaseDb, targets: readonly string[] = [], minScore = DEFAULT_MIN_SCORE): OracleResult {
  const res = oracleScanCase(db, targets, minScore);
  const perMessage = new Map<string, { hit: Hit; places: Set<Place> }[]>();
  // places are per domain over the case; re-derive them per message for an exact sentence
  for (const h of res.hits) for (const id of h.seen_in) perMessage.set(id, [...(perMessage.get(id) ?? []), { hit: h, places: new Set() }]);
  for (const [id, list] of perMessage) {
    const m = reparse(db, id);
    if (!m) continue;
    const ds = domainsOf(m);
    for (const e of list) for (const [d, ps] of ds) if (parseHost(d)?.ascii === e.hit.domain) for (const p of ps) e.places.add(p);
  }
  const ins = db.stmt('INSERT INTO evidence (message, stage, code, severity, detail) VALUES (?,?,?,?,?)');
  db.tx(() => {
    db.stmt('DELETE FROM evidence WHERE stage = ?').run(STAGE);
    for (const [id, list] of perMessage) for (const e of list) ins.run(id, STAGE, CODE, severityOf(e.places, !!e.hit.owned), evidenceDetail(e.hit, [...e.places]));
  });
  return res;
}
