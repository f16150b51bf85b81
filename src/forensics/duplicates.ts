/**
 * @module forensics/duplicates
 * `duplicate-divergent`: copies that share a Message-ID but say different things.
 *
 * Transport legitimately changes a message on its way, so copies are compared on what the
 * author wrote, after normalising:
 * - trace and transport headers are ignored: only the claims are compared (From, To, Cc,
 *   Subject, Date as an instant, In-Reply-To, References, the top media type). Received,
 *   Return-Path, Delivered-To, X-*, List-*, Status, Content-Length, ARC/DKIM headers and the
 *   like are never compared, nor Reply-To (mailing lists add or rewrite it, and a message
 *   cross-posted to two lists arrives with two different ones);
 * - header values are decoded (RFC 2047) and compared as addresses (lower-cased) or text with
 *   whitespace collapsed; a mailing-list tag `[list]` at the start of the Subject is dropped;
 * - bodies are compared decoded (so a relay re-encoding 8bit as quoted-printable or a new MIME
 *   boundary does not count), with line endings as LF, trailing spaces on lines removed,
 *   mbox `>From ` quoting undone (any depth: mboxo and mboxrd archives disagree), trailing blank lines dropped, and a mailing-list footer
 *   (a last block after a `--`/`___`/`---` line that mentions unsubscribing or the list) cut,
 *   and the body report lines old SpamAssassin filters inserted (`SPAM: …`) dropped;
 * - attachments are compared by SHA-256 of their decoded bytes.
 *
 * Copies that differ only by a consistent rewrite of the recipient's address (every
 * occurrence of one address, local part or domain replaced by another, in headers and body
 * alike) are what address-rewriting gateways and anonymised corpora produce (SpamAssassin's
 * corpus rewrote recipients to two different placeholder domains): that is reported as
 * `info` and contradicts nothing.
 */
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { parseMessage } from '../mime/parse.ts';
import type { ParsedMessage } from '../mime/types.ts';
import type { Finding } from './types.ts';

export interface Copy {
  id: string;
  verdict: string | null;
  raw: Uint8Array;
}

interface Normal {
  fields: Map<string, string>;
  text: string[];
  html: string;
  attachments: string[];
}

const FOOTER_SEP = /^(-- ?|-{3,}|_{3,}|={3,})$/;
const FOOTER_WORDS = /unsubscribe|mailing list|list-help|list info|listinfo|mailman/i;

function addrs(a: ParsedMessage['from']): string {
  return a.map((x) => x.address.toLowerCase()).sort().join(', ');
}

function ws(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Body text normalised for comparison (see the module comment). */
export function normaliseBody(s: string): string[] {
  let lines = s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/[ \t]+$/, '').replace(/^>+(From )/, '$1')).filter((l) => !l.startsWith('SPAM: '));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 15; i--) {
    if (FOOTER_SEP.test(lines[i]) && FOOTER_WORDS.test(lines.slice(i).join('\n'))) {
      lines = lines.slice(0, i);
      while (lines.length && lines[lines.length - 1] === '') lines.pop();
      break;
    }
  }
  return lines;
}

export function normalise(m: ParsedMessage): Normal {
  const header = (k: string) => m.headers.find((h) => h.name.toLowerCase() === k)?.value ?? '';
  const fields = new Map<string, string>([
    ['From', addrs(m.from)],
    ['To', addrs(m.to)],
    ['Cc', addrs(m.cc)],
    ['Subject', ws(m.subject.replace(/^\s*(\[[^\]]{1,40}\]\s*)+/, ''))],
    ['Date', m.date ?? ws(m.dateRaw ?? '')],
    ['In-Reply-To', m.inReplyTo.join(' ')],
    ['References', m.references.join(' ')],
    ['Content-Type', (header('content-type').split(';')[0] || 'text/plain').trim().toLowerCase()],
  ]);
  return { fields, text: normaliseBody(m.text), html: m.text.trim() ? '' : ws(m.html), attachments: m.attachments.map((a) => a.sha256).sort() };
}

function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** A short, human-readable account of what differs between two normalised copies ('' if nothing). */
export function diffSummary(a: Normal, b: Normal): string {
  const parts: string[] = [];
  for (const [k, v] of a.fields) {
    const w = b.fields.get(k) ?? '';
    if (v !== w) parts.push(`${k} "${clip(v)}" vs "${clip(w)}"`);
  }
  const ta = a.text.join('\n');
  const tb = b.text.join('\n');
  if (ta !== tb) {
    const sa = new Set(a.text);
    const sb = new Set(b.text);
    const onlyA = a.text.filter((l) => !sb.has(l));
    const onlyB = b.text.filter((l) => !sa.has(l));
    const fa = onlyA.find((l) => l.trim());
    const fb = onlyB.find((l) => l.trim());
    const eg = [fa ? `this copy: "${clip(fa.trim())}"` : '', fb ? `the other: "${clip(fb.trim())}"` : ''].filter(Boolean).join(', ');
    parts.push(`body text: ${onlyA.length} line(s) only in this copy, ${onlyB.length} only in the other${eg ? ` (e.g. ${eg})` : ''}`);
  }
  if (a.html !== b.html) parts.push('HTML body differs');
  if (a.attachments.join() !== b.attachments.join()) parts.push(`attachments differ (${a.attachments.length} vs ${b.attachments.length})`);
  return parts.join('; ');
}

/** Address rewrites (whole address, local part, domain) that would turn a's recipients into b's. */
function rewrites(a: Normal, b: Normal): [string, string][] {
  const out = new Map<string, string>();
  for (const k of ['To', 'Cc']) {
    const x = (a.fields.get(k) ?? '').split(', ');
    const y = (b.fields.get(k) ?? '').split(', ');
    if (x.length !== y.length) continue;
    x.forEach((u, i) => {
      const v = y[i];
      if (u === v || !u.includes('@') || !v.includes('@')) return;
      out.set(u, v);
      const [lu, du] = u.split('@');
      const [lv, dv] = v.split('@');
      if (lu !== lv && lu.length >= 3) out.set(lu, lv);
      if (du !== dv) out.set(du, dv);
    });
  }
  return [...out].sort((p, q) => q[0].length - p[0].length);
}

function applyRewrites(n: Normal, map: [string, string][]): Normal {
  const r = (s: string) => map.reduce((acc, [from, to]) => acc.split(from).join(to).replace(new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), to), s);
  return { fields: new Map([...n.fields].map(([k, v]) => [k, r(v)])), text: n.text.map(r), html: r(n.html), attachments: n.attachments };
}

/** True when a and b differ only by a consistent rewrite of recipient addresses. */
export function rewriteOnly(a: Normal, b: Normal): string | null {
  const map = rewrites(a, b);
  if (!map.length) return null;
  return diffSummary(applyRewrites(a, map), b) === '' ? map.map(([f, t]) => `${f} → ${t}`).slice(0, 3).join(', ') : null;
}

/** Findings for every copy of one Message-ID that differs from another copy. */
export function divergentDuplicates(messageId: string, copies: readonly Copy[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const norm = copies.map((c) => ({ c, n: normalise(parseMessage(c.raw, DEFAULT_LIMITS).message) }));
  const classes: (typeof norm)[] = [];
  for (const x of norm) {
    const cls = classes.find((k) => diffSummary(k[0].n, x.n) === '');
    if (cls) cls.push(x);
    else classes.push([x]);
  }
  if (classes.length < 2) return out;
  const refClass = classes.find((k) => k.some((x) => x.c.verdict === 'verified')) ?? null;
  const ref = refClass?.find((x) => x.c.verdict === 'verified') ?? null;
  for (const cls of classes) {
    const other = cls === refClass || !ref ? (classes.find((k) => k !== cls) as typeof norm)[0] : ref;
    for (const x of cls) {
      const diff = diffSummary(x.n, other.n);
      const rewrite = rewriteOnly(x.n, other.n);
      if (rewrite) {
        out.set(x.c.id, [{
          code: 'duplicate-divergent',
          severity: 'info',
          contradicts: false,
          detail: `Another copy with the same Message-ID ${clip(messageId, 80)} (${other.c.id.slice(0, 12)}) differs only by a consistent rewrite of the recipient's address (${rewrite}), as mail gateways and anonymised archives do; the content is otherwise the same.`,
        }]);
        continue;
      }
      const refNote = ref
        ? cls === refClass
          ? ' This copy carries a verified signature and is the reference.'
          : ` The copy ${ref.c.id.slice(0, 12)} carries a verified signature and is the reference: this copy was altered.`
        : ' No copy carries a verified signature, so which one is original cannot be told from signatures.';
      const copiesNote = `${copies.length} copies in ${classes.length} different versions`;
      out.set(x.c.id, [{
        code: 'duplicate-divergent',
        severity: ref && cls !== refClass ? 'critical' : 'warning',
        contradicts: true,
        detail: `Another copy with the same Message-ID ${clip(messageId, 80)} says something different (${copiesNote}); compared with ${other.c.id.slice(0, 12)}, after ignoring what mail servers legitimately change: ${diff}.${refNote}`,
      }]);
    }
  }
  return out;
}
