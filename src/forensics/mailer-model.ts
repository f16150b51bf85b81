/**
 * @module forensics/mailer-model
 * `mailer-fingerprint-mismatch`: learns, per group of messages, the shapes their mailer
 * leaves (fingerprint.ts), then flags a message that claims the group's domain or mailer but
 * does not have its shape, with the expected and the found shape in the sentence.
 *
 * Groups, most specific first: From domain + mailer, mailer alone (X-Mailer/User-Agent
 * family and major version), From domain alone. For each feature the first group with
 * enough samples judges; a more specific group that accepts the shape wins over a broader
 * one that would not (an Exchange server that rewrites Outlook's Message-ID is learned in
 * its domain + mailer group and is not flagged by the Outlook-wide habit).
 *
 * Where the habits are learned from, and what a mismatch weighs:
 * - From messages whose verdict is `verified` (their headers are covered by a signature of
 *   the From domain, so they are what that domain's mail really looks like). A mismatch is a
 *   `warning` that contradicts the message's claims: an unverifiable message becomes
 *   `suspicious`.
 * - When a group has too few verified messages, from all its messages (the corpus majority,
 *   `tampered` ones left out). A mismatch is then only `info`: the majority of a dump is not
 *   authenticated (a dump may be planted wholesale, and mailing lists and gateways rewrite
 *   Message-IDs and reorder fields), so it is listed for the analyst but never alone makes a
 *   message suspicious.
 *
 * Minimum sample sizes (per group and feature, the judged message itself not counted): a
 * shape never seen in n samples may still occur with a frequency up to 3/n (the "rule of
 * three", 95% upper bound). 20 verified samples bound an unseen legitimate shape at 15%,
 * enough for a warning only because the group must also be consistent (below); 50 majority
 * samples bound it at 6%. A group is consistent when its three most common shapes cover
 * 95% of its samples; a mailer (or domain) with many shapes says nothing about a new one,
 * so it is not judged. For the header order, a pair of fields is judged only when it
 * co-occurred at least the same minimum of times, always in one order.
 */
import { compatible, type Fingerprint } from './fingerprint.ts';
import type { Finding, Severity } from './types.ts';

export const MAILER_MIN_SAMPLES = { verified: 20, majority: 50 } as const;
/** Share of a group's samples its three most common shapes must cover for it to be judged. */
export const MAILER_CONSISTENCY = 0.95;

type Feature = 'messageId' | 'messageIdHost' | 'boundary' | 'msHeaders';
const FEATURES: readonly Feature[] = ['messageId', 'messageIdHost', 'boundary', 'msHeaders'];
const LABEL: Record<Feature, string> = {
  messageId: 'Message-ID format',
  messageIdHost: 'Message-ID host',
  boundary: 'MIME boundary format',
  msHeaders: 'set of Outlook headers (Thread-Index, X-MS-*, X-MimeOLE)',
};

interface Stats {
  shapes: Record<Feature, Map<string, number>>;
  /** Messages counted in each of `shapes`. */
  totals: Record<Feature, number>;
  /** pairKey(a, b) → messages with field a before field b. */
  pairs: Map<number, number>;
  ordered: number;
}

type Source = 'verified' | 'majority';

function newStats(): Stats {
  return { shapes: { messageId: new Map(), messageIdHost: new Map(), boundary: new Map(), msHeaders: new Map() }, totals: { messageId: 0, messageIdHost: 0, boundary: 0, msHeaders: 0 }, pairs: new Map(), ordered: 0 };
}

function value(fp: Fingerprint, f: Feature): string | null {
  return f === 'boundary' ? fp.boundary : fp[f];
}

function groupKeys(fp: Fingerprint): string[] {
  const keys: string[] = [];
  if (fp.domain && fp.mailer) keys.push(`d:${fp.domain}\tm:${fp.mailer}`);
  if (fp.mailer) keys.push(`m:${fp.mailer}`);
  if (fp.domain) keys.push(`d:${fp.domain}`);
  return keys;
}

function describe(key: string, fp: Fingerprint): string {
  const mailer = `"${fp.mailerText ?? ''}"`;
  if (key.startsWith('d:') && key.includes('\tm:')) return `mail from ${fp.domain} written with ${mailer}`;
  if (key.startsWith('m:')) return `mail written with ${mailer}`;
  return `mail from ${fp.domain}`;
}

/**
 * Field names numbered in the order first met, so a pair of fields is a number, not a string.
 * Past this many distinct names (a hostile case), further names are not numbered and their
 * pairs are neither learned nor judged.
 */
const MAX_FIELDS = 1 << 16;

/** Habits of every group in a case, learned in one pass over the messages. */
export class MailerModel {
  private readonly groups: Record<Source, Map<string, Stats>> = { verified: new Map(), majority: new Map() };
  private readonly fieldNo = new Map<string, number>();

  /**
   * The fields of `order` as numbers. A message's O(fields²) pairs were strings ("a\tb") made
   * for every pair, in learning and in judging: a third of the forensic pass on Enron.
   */
  private numbers(order: readonly string[]): number[] {
    return order.map((f) => {
      let n = this.fieldNo.get(f);
      if (n === undefined && this.fieldNo.size < MAX_FIELDS) this.fieldNo.set(f, (n = this.fieldNo.size));
      return n ?? MAX_FIELDS;
    });
  }

  /** Adds one message; `verdict` is the authentication verdict. */
  learn(fp: Fingerprint, verdict: string | null): void {
    if (verdict === 'tampered') return;
    const sources: Source[] = verdict === 'verified' ? ['verified', 'majority'] : ['majority'];
    // the message's ordered field pairs, made once for every group it is learned in
    const pairs: number[] = [];
    const no = fp.order.length > 1 ? this.numbers(fp.order) : [];
    for (let i = 0; i < no.length; i++) for (let j = i + 1; j < no.length; j++) {
      if (no[i] !== MAX_FIELDS && no[j] !== MAX_FIELDS) pairs.push(pairKey(no[i], no[j]));
    }
    for (const s of sources) for (const k of groupKeys(fp)) {
      let g = this.groups[s].get(k);
      if (!g) this.groups[s].set(k, (g = newStats()));
      for (const f of FEATURES) {
        const v = value(fp, f);
        if (v !== null) {
          g.shapes[f].set(v, (g.shapes[f].get(v) ?? 0) + 1);
          g.totals[f]++;
        }
      }
      if (fp.order.length > 1) {
        g.ordered++;
        for (const p of pairs) g.pairs.set(p, (g.pairs.get(p) ?? 0) + 1);
      }
    }
  }

  /** Candidate judges in order: verified groups (specific first), then majority groups. */
  private judges(fp: Fingerprint, verdict: string | null): { g: Stats; key: string; source: Source; self: number }[] {
    const out: { g: Stats; key: string; source: Source; self: number }[] = [];
    for (const source of ['verified', 'majority'] as const) {
      const self = verdict === 'tampered' ? 0 : source === 'majority' || verdict === 'verified' ? 1 : 0;
      for (const key of groupKeys(fp)) {
        const g = this.groups[source].get(key);
        if (g) out.push({ g, key, source, self });
      }
    }
    return out;
  }

  /** The message's mismatches against the habits of the groups it claims, as one finding. */
  judge(fp: Fingerprint, verdict: string | null): Finding | null {
    const parts: { source: Source; text: string }[] = [];
    const judges = this.judges(fp, verdict);
    for (const f of FEATURES) {
      const found = value(fp, f);
      if (found === null) continue;
      for (const j of judges) {
        const min = MAILER_MIN_SAMPLES[j.source];
        // Counts without the judged message itself (it was learned like any other).
        const seen = j.g.shapes[f].get(found) ?? 0;
        const others = seen - j.self;
        const n = j.g.totals[f] - seen + Math.max(others, 0);
        if (n < min) continue;
        // The common case, decided without copying the group's shapes: other messages of the
        // group have the found shape itself
        if (others > 0) break;
        const counts = [...j.g.shapes[f]].map(([s, c]) => [s, s === found ? c - j.self : c] as const).filter(([, c]) => c > 0);
        const eq = f === 'messageId' || f === 'boundary' ? compatible : (a: string, b: string) => a === b;
        if (counts.some(([s]) => eq(found, s))) break;
        counts.sort((a, b) => b[1] - a[1]);
        const top = counts.slice(0, 3);
        if (top.reduce((a, [, c]) => a + c, 0) < MAILER_CONSISTENCY * n) break;
        const expected = top.map(([s, c]) => `${show(s)} (${c})`).join(' or ');
        parts.push({ source: j.source, text: `its ${LABEL[f]} is ${show(found)}, never seen in the ${n} ${j.source === 'verified' ? 'verified messages' : 'messages in the case'} of ${describe(j.key, fp)}, which have ${expected}` });
        break;
      }
    }
    const order = this.orderMismatch(fp, verdict);
    if (order) parts.push(order);
    if (!parts.length) return null;
    const severity: Severity = parts.some((p) => p.source === 'verified') ? 'warning' : 'info';
    const claim = [fp.domain ? `to come from ${fp.domain}` : null, fp.mailerText ? `to be written with "${fp.mailerText}"` : null].filter(Boolean).join(' and ');
    const used = severity === 'warning' ? parts.filter((p) => p.source === 'verified') : parts;
    const tail = severity === 'warning' ? '' : ' (learned from unauthenticated messages: a hint, not proof)';
    return {
      code: 'mailer-fingerprint-mismatch',
      severity,
      contradicts: severity === 'warning',
      detail: `This message claims ${claim || 'its sender'}, but ${used.map((p) => p.text).join('; ')}${tail}.`,
    };
  }

  private orderMismatch(fp: Fingerprint, verdict: string | null): { source: Source; text: string } | null {
    if (fp.order.length < 2) return null;
    const no = this.numbers(fp.order);
    for (const j of this.judges(fp, verdict)) {
      const min = MAILER_MIN_SAMPLES[j.source];
      if (j.g.ordered - j.self < min) continue;
      const bad: string[] = [];
      for (let i = 0; i < fp.order.length; i++) for (let k = i + 1; k < fp.order.length; k++) {
        if (no[i] === MAX_FIELDS || no[k] === MAX_FIELDS) continue;
        const here = (j.g.pairs.get(pairKey(no[i], no[k])) ?? 0) - j.self;
        const usual = j.g.pairs.get(pairKey(no[k], no[i])) ?? 0;
        if (here === 0 && usual >= min) bad.push(`${title(fp.order[k])} before ${title(fp.order[i])} (${usual} of ${usual})`);
      }
      if (!bad.length) return null;
      const found = fp.order.map(title).join(', ');
      return { source: j.source, text: `its header fields are in the order ${found}, while the ${j.source === 'verified' ? 'verified messages' : 'messages in the case'} of ${describe(j.key, fp)} always have ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ` and ${bad.length - 3} more pair(s)` : ''}` };
    }
    return null;
  }
}

/** One number for an ordered pair of field numbers (both below MAX_FIELDS). */
function pairKey(a: number, b: number): number {
  return a * (MAX_FIELDS + 1) + b;
}

function show(s: string): string {
  return s === '' ? 'none of them' : s === 'none' ? '(missing)' : s;
}

function title(k: string): string {
  return k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase()).replace(/^Message-Id$/, 'Message-ID').replace(/^Mime-/, 'MIME-');
}
