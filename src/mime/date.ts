/**
 * @module mime/date
 * RFC 5322 dates including the obsolete forms real dumps carry (two-digit years, named
 * zones, missing seconds, comments). The raw header is always kept by the caller: a date we
 * cannot read is evidence too, and never silently becomes "now".
 */

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/** RFC 5322 §4.3 obsolete zones, in minutes east of UTC. Military letters are "-0000" (unknown). */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  edt: -240, est: -300, cdt: -300, cst: -360, mdt: -360, mst: -420, pdt: -420, pst: -480,
  // common non-standard ones seen in mail
  cet: 60, cest: 120, met: 60, mest: 120, bst: 60, eet: 120, eest: 180, jst: 540, ist: 330, hkt: 480, aest: 600, wet: 0, west: 60,
};

const RE = /(\d{1,2})\s*[- ]\s*([a-z]{3})[a-z]{0,12}\.?\s*[- ]\s*(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}(?:\.\d+)?))?\s*(?:([+-])\s*(\d{2}):?(\d{2})|([a-z]{1,5})\b)?/i;
// asctime-like: "Mon May 14 16:39:00 2001" (mbox envelopes, some broken mailers)
const RE_ASCTIME = /([a-z]{3})[a-z]{0,12}\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([a-z]{1,5}|[+-]\d{4})\s+)?(\d{4})/i;

export interface ParsedDate {
  /** ISO 8601 UTC. */
  iso: string;
  /** Offset the sender claimed, minutes east of UTC, or null if none/unknown. */
  offsetMinutes: number | null;
}

export function parseMailDate(raw: string | null | undefined): ParsedDate | null {
  if (!raw) return null;
  // Whitespace runs collapsed and name tails bounded ([a-z]{0,12}, "September" needs 6): with
  // "\s*[- ]\s*" or an unbounded [a-z]* the regexes backtrack quadratically on a long run of
  // blanks or letters (a 40 KB Date header took 0.6 s, 1 MB would take minutes; found by test/fuzz).
  const s = raw.replace(/\([^()]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  let m = RE.exec(s);
  if (m) {
    const day = Number(m[1]);
    const mon = MONTHS[m[2].toLowerCase()];
    let year = Number(m[3]);
    if (mon === undefined) return fallback(s);
    if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
    else if (m[3].length === 3) year += 1900; // obsolete 3-digit years (RFC 5322 §4.3)
    const hh = Number(m[4]);
    const mm = Number(m[5]);
    const ss = m[6] ? Math.floor(Number(m[6])) : 0;
    let offset: number | null = 0;
    if (m[7]) offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
    else if (m[10]) offset = ZONES[m[10].toLowerCase()] ?? null;
    return build(year, mon, day, hh, mm, ss, offset);
  }
  m = RE_ASCTIME.exec(s);
  if (m) {
    const mon = MONTHS[m[1].toLowerCase()];
    if (mon === undefined) return fallback(s);
    let offset: number | null = 0;
    if (m[6]) offset = /^[+-]/.test(m[6]) ? (m[6][0] === '-' ? -1 : 1) * (Number(m[6].slice(1, 3)) * 60 + Number(m[6].slice(3, 5))) : ZONES[m[6].toLowerCase()] ?? null;
    return build(Number(m[7]), mon, Number(m[2]), Number(m[3]), Number(m[4]), m[5] ? Number(m[5]) : 0, offset);
  }
  return fallback(s);
}

function build(year: number, mon: number, day: number, hh: number, mm: number, ss: number, offset: number | null): ParsedDate | null {
  if (day < 1 || day > 31 || hh > 24 || mm > 59 || ss > 60 || year < 1000 || year > 9999) return null;
  const t = Date.UTC(year, mon, day, hh, mm, ss) - (offset ?? 0) * 60_000;
  const d = new Date(t);
  // Reject impossible days (Feb 30) instead of letting Date roll them over.
  if (new Date(Date.UTC(year, mon, day)).getUTCDate() !== day) return null;
  if (Number.isNaN(d.getTime())) return null;
  return { iso: d.toISOString(), offsetMinutes: offset };
}

function fallback(s: string): ParsedDate | null {
  // ISO 8601 and the like only; Date.parse accepts too much otherwise.
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return null;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return null;
  return { iso: new Date(t).toISOString(), offsetMinutes: null };
}
