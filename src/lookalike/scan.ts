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
 *
 * An organisation often owns domains built like lookalikes of its main one (enrononline.com,
 * enron.net, enron.co.uk beside enron.com): the case itself shows it, by how the domain is
 * used. A lookalike's registered domain is called *probably the organisation's own*, and its
 * evidence written at `info` (it names the domain, and does not make a message suspicious),
 * when either
 *  - it is used widely: in at least 10 messages, spread over at least 90 days, sent by at
 *    least 5 distinct From addresses of which at least 2 are at the case's own domains; or
 *  - it relays the organisation's own mail: a Received host in at least 5 messages From the
 *    case's own domains, over at least 30 days, from at least 3 distinct senders.
 * A phishing operation is a burst: a few messages over days or weeks, from the lookalike
 * itself or from a handful of spoofed senders (the 2017 Macron campaign: a few mails From
 * onedrive-en-marche.fr to staff over some days). Each threshold alone could be reached by a
 * long campaign, all of them together much less easily; and the detail sentence still names
 * the domain and the numbers, so a reader can judge.
 */
import { parseHost } from './domain.ts';
import { detect, makeTarget, DEFAULT_MIN_SCORE, type Match, type Target } from './detect.ts';
import { decodeDomains, domainsOf, type Place } from './extract.ts';
import { reparse } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { relieveHeap } from '../core/memory.ts';

export const STAGE = 'lookalike';
export const CODE = 'lookalike-domain';

/** Providers whose users are not one organisation: never guessed as the case's own domain. */
const WEBMAIL = new Set(['gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.fr', 'hotmail.com', 'hotmail.fr', 'outlook.com', 'live.com', 'aol.com', 'icloud.com', 'me.com', 'orange.fr', 'free.fr', 'wanadoo.fr', 'laposte.net', 'sfr.fr', 'gmx.com', 'gmx.de', 'mail.ru', 'yandex.ru', 'protonmail.com', 'proton.me']);

export interface Hit extends Match {
  /** Message ids (sha256) using the domain. */
  seen_in: string[];
  /** Where in those messages it appears. */
  where: Place[];
  /** Set when the case shows the domain used by the organisation itself: why (a sentence). */
  owned?: string;
}

/** How a lookalike's registered domain is used over the case (see the module comment). */
export interface Usage {
  messages: number;
  /** Days between the first and the last dated message using it. */
  days: number;
  /** Distinct From addresses of those messages, and of them those at the case's own domains. */
  senders: number;
  ownSenders: number;
  /** Messages From the case's own domains with it as a Received host, their span and senders. */
  relayed: number;
  relayedDays: number;
  relayedSenders: number;
}

/** Thresholds of "probably the organisation's own domain" (module comment). */
export const OWNED = { messages: 10, days: 90, senders: 5, ownSenders: 2, relayed: 5, relayedDays: 30, relayedSenders: 3 } as const;

const DAY = 86_400_000;

/** The sentence for a domain the case shows in use by the organisation, or null. */
export function ownedBecause(registered: string, target: string, u: Usage): string | null {
  const months = (d: number): string => { const m = Math.round(d / 30.4); return m === 1 ? '1 month' : `${m} months`; };
  let why: string | null = null;
  if (u.messages >= OWNED.messages && u.days >= OWNED.days && u.senders >= OWNED.senders && u.ownSenders >= OWNED.ownSenders) {
    why = `${registered} is used in ${u.messages} messages over ${months(u.days)} by ${u.senders} senders (${u.ownSenders} at the case's own domains)`;
  } else if (u.relayed >= OWNED.relayed && u.relayedDays >= OWNED.relayedDays && u.relayedSenders >= OWNED.relayedSenders) {
    why = `${registered} relays ${u.relayed} messages from the case's own domains over ${months(u.relayedDays)} (${u.relayedSenders} senders)`;
  }
  return why && `${why}: probably the organisation's own domain — name it with the case's own domains (trove lookalikes ${target} ${registered}) to leave it out, or investigate`;
}

/** Usage of each registered domain among `hits` (messages' dates and From addresses from the index). */
function usageOf(db: CaseDb, hits: readonly Hit[], received: ReadonlyMap<string, Set<string>>, own: ReadonlySet<string>): Map<string, Usage> {
  const row = db.db.prepare('SELECT date, from_address FROM messages WHERE id = ?');
  // read per use rather than cached for every message: an owned domain can be in a large share of the case
  const of = (id: string): { t: number | null; from: string; own: boolean } => {
    const r = row.get(id) as { date: string | null; from_address: string | null } | undefined;
    const from = (r?.from_address ?? '').toLowerCase();
    const t = r?.date ? Date.parse(r.date) : NaN;
    const reg = from.includes('@') ? parseHost(from.slice(from.lastIndexOf('@') + 1))?.registered : null;
    return { t: Number.isFinite(t) ? t : null, from, own: !!reg && own.has(reg) };
  };
  /** Days between the first and the last dated message. */
  class Span {
    min = Infinity;
    max = -Infinity;
    add(t: number | null): void {
      if (t === null) return;
      if (t < this.min) this.min = t;
      if (t > this.max) this.max = t;
    }
    get days(): number {
      return this.min === Infinity ? 0 : (this.max - this.min) / DAY;
    }
  }
  const groups = new Map<string, Set<string>>();
  for (const h of hits) {
    const reg = parseHost(h.domain)?.registered ?? h.domain;
    const g = groups.get(reg) ?? new Set<string>();
    for (const id of h.seen_in) g.add(id);
    groups.set(reg, g);
  }
  const out = new Map<string, Usage>();
  for (const [reg, ids] of groups) {
    const span = new Span();
    const senders = new Set<string>();
    const ownSenders = new Set<string>();
    for (const id of ids) {
      const m = of(id);
      span.add(m.t);
      if (m.from) senders.add(m.from);
      if (m.own) ownSenders.add(m.from);
    }
    const relSpan = new Span();
    const relSenders = new Set<string>();
    let relayed = 0;
    for (const id of received.get(reg) ?? []) {
      const m = of(id);
      if (!m.own) continue;
      relayed++;
      relSpan.add(m.t);
      relSenders.add(m.from);
    }
    out.set(reg, {
      messages: ids.size, days: span.days, senders: senders.size, ownSenders: ownSenders.size,
      relayed, relayedDays: relSpan.days, relayedSenders: relSenders.size,
    });
  }
  return out;
}

export interface ScanResult {
  targets: string[];
  messages: number;
  hits: Hit[];
}

/** The case's own domains, guessed from the most common recipient domains. */
export function guessTargets(db: CaseDb): string[] {
  const counts = new Map<string, number>();
  // a case names few distinct hosts, each many times: the public-suffix lookup once per host
  const registered = new Map<string, string | null>();
  const registeredOf = (host: string): string | null => {
    let r = registered.get(host);
    if (r === undefined) registered.set(host, (r = parseHost(host)?.registered ?? null));
    return r;
  };
  // only the recipient lists leave SQLite: parsing each message's whole MIME record was most of this
  for (const r of db.db.prepare("SELECT json_extract(parsed, '$.to') AS t, json_extract(parsed, '$.cc') AS c FROM messages").iterate() as Iterable<{ t: string | null; c: string | null }>) {
    let to: { address: string }[];
    let cc: { address: string }[];
    try { to = r.t ? JSON.parse(r.t) : []; cc = r.c ? JSON.parse(r.c) : []; } catch { continue; }
    const seen = new Set<string>();
    for (const a of [...to, ...cc]) {
      const reg = registeredOf(a.address.slice(a.address.lastIndexOf('@') + 1));
      if (reg && !WEBMAIL.has(reg)) seen.add(reg);
    }
    for (const d of seen) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const ranked = [...counts].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!ranked.length) return [];
  return ranked.filter(([, n]) => n >= ranked[0][1] / 2).slice(0, 3).map(([d]) => d);
}

/**
 * The domains a message names and where: as the parse workers stored them at ingest
 * (messages.domains), or, for a message ingested before they did, from parsing it again.
 */
function domainsOfMessage(db: CaseDb, id: string, stored: string | null): Map<string, Set<Place>> | null {
  if (stored !== null) return decodeDomains(stored);
  const m = reparse(db, id);
  return m ? domainsOf(m) : null;
}

/** Messages read per page of the scan (a keyset over ids: the id list is never held whole). */
const PAGE = 2000;
/** Distinct domains whose verdict is remembered; past it the cache starts over (verdicts are pure). */
const VERDICT_CACHE = 50_000;

/** Scans every message of the case for lookalikes of `targets` (guessed when empty). */
export function scanCase(db: CaseDb, targets: readonly string[] = [], minScore = DEFAULT_MIN_SCORE): ScanResult {
  const names = targets.length ? [...targets] : guessTargets(db);
  const ts = names.map(makeTarget).filter((t): t is Target => t !== null);
  const verdicts = new Map<string, Match | null>();
  /** lookalike → its match, the messages using it (a set: the scan visits each once; listed in id order) and where */
  const hits = new Map<string, { match: Match; seen: Set<string>; where: Place[] }>();
  /** registered domain of a lookalike → messages with it as a Received host */
  const received = new Map<string, Set<string>>();
  let messages = 0;
  if (ts.length) {
    // in the table's order (SQLite's rowid), not by the ids, which are hashes: read in id order,
    // the rows took a page read each
    const key = db.dialect === 'sqlite' ? 'rowid' : 'id';
    const page = db.db.prepare(`SELECT ${key} AS k, id, domains FROM messages WHERE ${key} > ? ORDER BY ${key} LIMIT ${PAGE}`);
    for (let after: unknown = db.dialect === 'sqlite' ? -1 : ''; ;) {
      const rows = page.all(after) as { k: unknown; id: string; domains: string | null }[];
      if (!rows.length) break;
      after = rows[rows.length - 1].k;
      for (const { id, domains } of rows) {
        relieveHeap();
        const ds = domainsOfMessage(db, id, domains);
        messages++;
        if (!ds) continue;
        for (const [d, places] of ds) {
          let v = verdicts.get(d);
          if (v === undefined) {
            if (verdicts.size >= VERDICT_CACHE) verdicts.clear();
            verdicts.set(d, (v = detect(d, ts, minScore)));
          }
          if (!v) continue;
          let h = hits.get(v.domain);
          if (!h) hits.set(v.domain, (h = { match: v, seen: new Set(), where: [] }));
          h.seen.add(id);
          for (const p of places) if (!h.where.includes(p)) h.where.push(p);
          if (places.has('received')) {
            const reg = parseHost(v.domain)?.registered ?? v.domain;
            received.set(reg, (received.get(reg) ?? new Set()).add(id));
          }
        }
      }
    }
  }
  const list: Hit[] = [...hits.values()].map((h) => ({ ...h.match, seen_in: [...h.seen].sort(), where: h.where }));
  hits.clear();
  const usage = usageOf(db, list, received, new Set(ts.map((t) => t.domain)));
  for (const h of list) {
    const reg = parseHost(h.domain)?.registered ?? h.domain;
    const why = ownedBecause(reg, h.target, usage.get(reg)!);
    if (why) h.owned = why;
  }
  return { targets: ts.map((t) => t.domain), messages, hits: list.sort((a, b) => b.score - a.score || a.domain.localeCompare(b.domain)) };
}

/** The evidence sentence for one message using one lookalike. */
export function evidenceDetail(h: Match & { owned?: string }, places: readonly Place[]): string {
  const shown = h.unicode ? `${h.unicode} (${h.domain})` : h.domain;
  const named = places.map((p) => (p === 'text' ? 'the body text' : p));
  const verb = places.length === 1 && places[0] === 'text' ? 'names' : places.length === 1 ? 'uses' : 'use';
  const s = `${named.join(', ')} ${verb} ${shown}, a lookalike of ${h.target} (${h.kind}, score ${h.score}: ${h.parts[0].reason})`;
  return h.owned ? `${s}; ${h.owned}` : s;
}

/**
 * A lookalike only named in the body text ("beware of mail-en-marche.fr") connects the message
 * to the domain but claims nothing about the message itself: info, which leaves the verdict
 * alone; so is one the case shows to be the organisation's own (`owned`). In a header or a
 * link it is a warning (and the case pass calls the message suspicious).
 */
export function severityOf(places: ReadonlySet<Place>, owned = false): 'info' | 'warning' {
  return owned || [...places].every((p) => p === 'text') ? 'info' : 'warning';
}

/**
 * The scan, written as `lookalike-domain` evidence: one row per message and lookalike domain.
 * Idempotent (deletes stage 'lookalike' rows first). Does not change verdicts.
 */
export function runLookalikes(db: CaseDb, targets: readonly string[] = [], minScore = DEFAULT_MIN_SCORE): ScanResult {
  const res = scanCase(db, targets, minScore);
  const perMessage = new Map<string, { hit: Hit; places: Set<Place> }[]>();
  // places are per domain over the case; re-derive them per message for an exact sentence
  for (const h of res.hits) {
    for (const id of h.seen_in) {
      const list = perMessage.get(id);
      if (list) list.push({ hit: h, places: new Set() });
      else perMessage.set(id, [{ hit: h, places: new Set() }]);
    }
  }
  const stored = db.stmt('SELECT domains FROM messages WHERE id = ?');
  for (const [id, list] of perMessage) {
    relieveHeap();
    const ds = domainsOfMessage(db, id, (stored.get(id) as { domains: string | null } | undefined)?.domains ?? null);
    if (!ds) continue;
    for (const e of list) for (const [d, ps] of ds) if (parseHost(d)?.ascii === e.hit.domain) for (const p of ps) e.places.add(p);
  }
  const ins = db.stmt('INSERT INTO evidence (message, stage, code, severity, detail) VALUES (?,?,?,?,?)');
  db.tx(() => {
    db.stmt('DELETE FROM evidence WHERE stage = ?').run(STAGE);
    for (const [id, list] of perMessage) for (const e of list) ins.run(id, STAGE, CODE, severityOf(e.places, !!e.hit.owned), evidenceDetail(e.hit, [...e.places]));
  });
  return res;
}
