/**
 * @module lookalike/scan
 * The case-level scan: which messages use a lookalike of the case's own domains, and where.
 * `runLookalikes` writes the findings as `lookalike-domain` evidence (stage 'lookalike',
 * severity warning, or info when the domain is only named in the body text); it deletes its
 * own rows first, so it can run any number of times.
 *
 * The case's own domains, when not given, are guessed from recipients: the registered domain
 * most often found in To/Cc, plus any other reaching half its count (at most three), leaving
 * out webmail providers. A dump is one organisation's mailboxes, so its own domain receives
 * most of the mail.
 */
import { parseHost } from './domain.ts';
import { detect, makeTarget, DEFAULT_MIN_SCORE, type Match, type Target } from './detect.ts';
import { domainsOf, type Place } from './extract.ts';
import { reparse } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';

export const STAGE = 'lookalike';
export const CODE = 'lookalike-domain';

/** Providers whose users are not one organisation: never guessed as the case's own domain. */
const WEBMAIL = new Set(['gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.fr', 'hotmail.com', 'hotmail.fr', 'outlook.com', 'live.com', 'aol.com', 'icloud.com', 'me.com', 'orange.fr', 'free.fr', 'wanadoo.fr', 'laposte.net', 'sfr.fr', 'gmx.com', 'gmx.de', 'mail.ru', 'yandex.ru', 'protonmail.com', 'proton.me']);

export interface Hit extends Match {
  /** Message ids (sha256) using the domain. */
  seen_in: string[];
  /** Where in those messages it appears. */
  where: Place[];
}

export interface ScanResult {
  targets: string[];
  messages: number;
  hits: Hit[];
}

/** The case's own domains, guessed from the most common recipient domains. */
export function guessTargets(db: CaseDb): string[] {
  const counts = new Map<string, number>();
  for (const r of db.db.prepare('SELECT parsed FROM messages').iterate() as Iterable<{ parsed: string }>) {
    let p: { to?: { address: string }[]; cc?: { address: string }[] };
    try { p = JSON.parse(r.parsed); } catch { continue; }
    const seen = new Set<string>();
    for (const a of [...(p.to ?? []), ...(p.cc ?? [])]) {
      const reg = parseHost(a.address.slice(a.address.lastIndexOf('@') + 1))?.registered;
      if (reg && !WEBMAIL.has(reg)) seen.add(reg);
    }
    for (const d of seen) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const ranked = [...counts].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!ranked.length) return [];
  return ranked.filter(([, n]) => n >= ranked[0][1] / 2).slice(0, 3).map(([d]) => d);
}

/** Scans every message of the case for lookalikes of `targets` (guessed when empty). */
export function scanCase(db: CaseDb, targets: readonly string[] = [], minScore = DEFAULT_MIN_SCORE): ScanResult {
  const names = targets.length ? [...targets] : guessTargets(db);
  const ts = names.map(makeTarget).filter((t): t is Target => t !== null);
  const verdicts = new Map<string, Match | null>();
  const hits = new Map<string, Hit>();
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
      }
    }
  }
  return { targets: ts.map((t) => t.domain), messages, hits: [...hits.values()].sort((a, b) => b.score - a.score || a.domain.localeCompare(b.domain)) };
}

/** The evidence sentence for one message using one lookalike. */
export function evidenceDetail(h: Match, places: readonly Place[]): string {
  const shown = h.unicode ? `${h.unicode} (${h.domain})` : h.domain;
  const named = places.map((p) => (p === 'text' ? 'the body text' : p));
  const verb = places.length === 1 && places[0] === 'text' ? 'names' : places.length === 1 ? 'uses' : 'use';
  return `${named.join(', ')} ${verb} ${shown}, a lookalike of ${h.target} (${h.kind}, score ${h.score}: ${h.parts[0].reason})`;
}

/**
 * A lookalike only named in the body text ("beware of mail-en-marche.fr") connects the message
 * to the domain but claims nothing about the message itself: info, which leaves the verdict
 * alone; in a header or a link it is a warning (and the case pass calls the message suspicious).
 */
export function severityOf(places: ReadonlySet<Place>): 'info' | 'warning' {
  return [...places].every((p) => p === 'text') ? 'info' : 'warning';
}

/**
 * The scan, written as `lookalike-domain` evidence: one row per message and lookalike domain.
 * Idempotent (deletes stage 'lookalike' rows first). Does not change verdicts.
 */
export function runLookalikes(db: CaseDb, targets: readonly string[] = [], minScore = DEFAULT_MIN_SCORE): ScanResult {
  const res = scanCase(db, targets, minScore);
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
    for (const [id, list] of perMessage) for (const e of list) ins.run(id, STAGE, CODE, severityOf(e.places), evidenceDetail(e.hit, [...e.places]));
  });
  return res;
}
