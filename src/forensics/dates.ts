/**
 * @module forensics/dates
 * Date forensics on one message's own claims: the Date header against the Received chain
 * (`date-skew`), the chain against itself (`received-chain-disorder`) and dates that cannot
 * be (`date-impossible`).
 */
import type { Hop } from './received.ts';
import type { Finding } from './types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Tolerances, checked on the shared corpora (Enron, SpamAssassin, TREC 2007, Apache lists):
 * - AHEAD: a Date later than the first relay's stamp. Legitimate causes are a sender clock a
 *   few minutes fast and a wrong time zone or DST rule on the sender's machine, which shifts
 *   the Date by whole hours. So: up to 30 minutes always passes, and so does a shift within
 *   10 minutes of a whole number of hours up to 26 (UTC-12 to UTC+14). SpamAssassin ham has
 *   real relays stamping 15 hours off (a server writing local time with the wrong zone).
 * - BEHIND: a Date earlier than the first relay. Mail sits in outboxes of laptops that are
 *   offline, in queues of MTAs that retry for up to 5 days (RFC 5321 §4.5.4.1 suggests 4-5
 *   days before giving up), and drafts keep the Date of the first save in some clients. 7
 *   days covers a full retry window plus a weekend.
 * - DISORDER: a hop stamped earlier than the hop before it. On real mail, relay clocks drift
 *   and write wrong zones, and queues add delay: steps back of 1.3, 5.7, 8 and 15 hours
 *   occur on ordinary ham of SpamAssassin and TREC. So a step back is flagged only beyond 26
 *   hours (every zone error plus two hours), or, at any size, when the hosts show the two
 *   hops are swapped: the later hop's receiving host (`by`) is the earlier hop's sending
 *   host (`from`) while the earlier hop does not lead to the later one. That backward link
 *   does not occur in untouched chains.
 */
export const DATE_TOLERANCE = {
  /** Steps this small always pass (clock drift). */
  driftMs: 30 * 60_000,
  /** Whole-hour steps up to this pass (a wrong zone)… */
  zoneMaxMs: 26 * HOUR,
  /** …when within this of a whole hour. */
  zoneSlackMs: 10 * 60_000,
  behindMs: 7 * DAY,
  disorderMs: 26 * HOUR,
  /** Mail dates before this are a reset clock or a forgery (commercial email of the kind dumps hold starts in the 1990s). */
  earliest: Date.UTC(1990, 0, 1),
  /** A Date this far past the newest relay stamp (or the clock, without relays) is in the future. */
  futureMs: DAY,
} as const;

/** True for a step forward in time that clock drift or a zone mistake explains. */
export function explainedStep(ms: number): boolean {
  if (ms <= DATE_TOLERANCE.driftMs) return true;
  if (ms > DATE_TOLERANCE.zoneMaxMs) return false;
  const off = ms % HOUR;
  return Math.min(off, HOUR - off) <= DATE_TOLERANCE.zoneSlackMs;
}

function host(h: string | null): string | null {
  return h ? h.replace(/\.$/, '').toLowerCase() : null;
}

/** The later hop received the message from the earlier hop's sender: the two are in the wrong order. */
export function swapped(prev: Hop, cur: Hop): boolean {
  // Hops without both hosts (local submission, "by X id …") prove nothing about order.
  if (!prev.from || !prev.by || !cur.from || !cur.by) return false;
  // A host handing mail to itself (local delivery, content filters) links both ways.
  if (host(cur.by) === host(cur.from) || host(prev.by) === host(prev.from)) return false;
  const back = host(cur.by) !== null && host(cur.by) === host(prev.from);
  const forward = host(prev.by) !== null && host(prev.by) === host(cur.from);
  return back && !forward;
}

function fmt(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function span(ms: number): string {
  const h = Math.abs(ms) / HOUR;
  return h >= 48 ? `${Math.round(h / 24)} days` : `${h.toFixed(1)} hours`;
}

/**
 * @param date the Date header as ms since the epoch (null: missing or unreadable)
 * @param hops Received hops oldest first
 * @param now the clock (injected: tests and re-runs must not depend on the day they run)
 */
export function dateFindings(date: number | null, hops: readonly Hop[], now: number): Finding[] {
  const out: Finding[] = [];
  const timed = hops.filter((h): h is Hop & { time: number } => h.time !== null);
  const newest = timed.length ? Math.max(...timed.map((h) => h.time)) : null;

  if (date !== null) {
    if (date < DATE_TOLERANCE.earliest) {
      out.push({ code: 'date-impossible', severity: 'warning', contradicts: true, detail: `The Date header says ${fmt(date)}, before 1990: a computer clock that was reset, or a date typed by hand.` });
    } else if (date > (newest ?? now) + DATE_TOLERANCE.futureMs) {
      const ref = newest !== null ? `the last mail server stamped it ${fmt(newest)}` : `that is in the future (checked ${fmt(now)})`;
      out.push({ code: 'date-impossible', severity: 'warning', contradicts: true, detail: `The Date header says ${fmt(date)}, but ${ref}: the message claims to be written after it was received.` });
    }
  }

  if (date !== null && timed.length) {
    const first = timed[0];
    const d = date - first.time;
    const future = out.some((f) => f.code === 'date-impossible');
    if (d > 0 && !explainedStep(d) && !future) {
      out.push({ code: 'date-skew', severity: 'warning', contradicts: true, detail: `The Date header (${fmt(date)}) is ${span(d)} later than the first mail server's stamp (${fmt(first.time)}${first.by ? ` at ${first.by}` : ''}): the message was received before it claims to have been written.` });
    } else if (-d > DATE_TOLERANCE.behindMs) {
      out.push({ code: 'date-skew', severity: 'warning', contradicts: true, detail: `The Date header (${fmt(date)}) is ${span(d)} earlier than the first mail server's stamp (${fmt(first.time)}${first.by ? ` at ${first.by}` : ''}), longer than mail normally waits in a queue.` });
    }
  }

  for (let i = 1; i < timed.length; i++) {
    const prev = timed[i - 1];
    const cur = timed[i];
    const back = prev.time - cur.time;
    if (back > DATE_TOLERANCE.disorderMs || swapped(prev, cur)) {
      out.push({
        code: 'received-chain-disorder',
        severity: 'warning',
        contradicts: true,
        detail: `The delivery trace goes back in time: ${cur.by ?? 'a server'} stamped the message ${fmt(cur.time)}, ${span(prev.time - cur.time)} before the previous hop${prev.by ? ` (${prev.by})` : ''} handed it on at ${fmt(prev.time)}. Received lines may have been reordered or pasted from another message.`,
      });
      break;
    }
  }
  return out;
}
