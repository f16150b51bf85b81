/**
 * @module forensics/received
 * Reads the trace a message collected on its way: each relay prepends one `Received:` field
 * ending in `; <date>`, so the header block lists hops newest first. We return them oldest
 * first (the order the message travelled).
 */
import { parseMailDate } from '../mime/date.ts';

export interface Hop {
  /** Position among the Received fields, 0 = the top (newest) one. */
  index: number;
  from: string | null;
  by: string | null;
  /** Milliseconds since the epoch, or null when the stamp is missing or unreadable. */
  time: number | null;
  /** The stamp as written, for details. */
  stamp: string | null;
}

/** Hops oldest first, from the `Received` values in header order (newest first). */
export function parseReceived(values: readonly string[]): Hop[] {
  const hops = values.map((v, index): Hop => {
    const semi = v.lastIndexOf(';');
    const stamp = semi >= 0 ? v.slice(semi + 1).trim() : null;
    const d = stamp ? parseMailDate(stamp) : null;
    return {
      index,
      from: /^\s*from\s+([^\s;()]+)/i.exec(v)?.[1]?.toLowerCase() ?? null,
      by: /(?:^|\s|\))by\s+([a-z0-9][^\s;()]*)/i.exec(v)?.[1]?.toLowerCase() ?? null,
      time: d ? Date.parse(d.iso) : null,
      stamp,
    };
  });
  return hops.reverse();
}
