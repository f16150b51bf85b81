/**
 * @module provenance/compare
 * What differs between a file that circulates and what the case holds:
 * - a document against the nearest attachment: its metadata (author, last modified by,
 *   created/modified dates, producing software, revision, PDF incremental updates…) field by
 *   field, read with the forensics readers (src/forensics/metadata);
 * - a message claimed to be from the dump against the stored one: header fields added,
 *   removed or changed, a word diff of the whole body, and attachments added or removed.
 */
import type { DocMetadata } from '../forensics/metadata/index.ts';
import type { ParsedMessage } from '../mime/types.ts';
import { bodyText } from '../search/indexer.ts';
import { diff, globalAlign, type DiffOp } from './align.ts';
import { tokenize } from './tokens.ts';

/** Metadata fields compared, in the order shown; the keys are those of the export record's `attachments[].metadata`. */
export const METADATA_FIELDS = [
  'author', 'lastModifiedBy', 'created', 'modified', 'software', 'creatorTool', 'revision', 'incrementalUpdates',
  'totalEditMinutes', 'title', 'company', 'manager', 'template', 'lastPrinted', 'pdfVersion', 'linearized',
  'make', 'model', 'taken', 'format',
] as const satisfies readonly (keyof DocMetadata)[];

export type MetadataValue = string | number | boolean | null;

export interface MetadataFieldDiff {
  field: (typeof METADATA_FIELDS)[number];
  input: MetadataValue;
  source: MetadataValue;
  same: boolean;
}

export interface MetadataComparison {
  /** Every field present on either side, in METADATA_FIELDS order. */
  fields: MetadataFieldDiff[];
  /** Names of the fields that differ (a field present on one side only differs). */
  differs: string[];
  /** Why a side has no metadata (unreadable, a format without a reader), when it has none. */
  notes: string[];
}

type MetaRead = DocMetadata | { error: string } | null;

function value(m: DocMetadata | null, f: (typeof METADATA_FIELDS)[number]): MetadataValue {
  const v = m?.[f];
  return v === undefined ? null : (v as MetadataValue);
}

/** Dates with a zone compare as instants (2001-04-20T17:49:00Z = 2001-04-20T10:49:00-07:00); the rest as written. */
function sameValue(a: MetadataValue, b: MetadataValue): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') {
    const zoned = /T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;
    if (zoned.test(a) && zoned.test(b)) return Date.parse(a) === Date.parse(b) && !Number.isNaN(Date.parse(a));
    return a.trim() === b.trim();
  }
  return false;
}

function noteOf(side: string, m: MetaRead): string | null {
  if (m === null) return `${side}: no document metadata (not a PDF, Office or image file, or a format trove does not read metadata from)`;
  if ('error' in m) return `${side}: ${m.error}`;
  return null;
}

export function compareMetadata(input: MetaRead, source: MetaRead): MetadataComparison {
  const a = input && !('error' in input) ? input : null;
  const b = source && !('error' in source) ? source : null;
  const fields: MetadataFieldDiff[] = [];
  for (const f of METADATA_FIELDS) {
    const x = value(a, f), y = value(b, f);
    if (x === null && y === null) continue;
    fields.push({ field: f, input: x, source: y, same: sameValue(x, y) });
  }
  const notes = [noteOf('input', input), noteOf('source', source)].filter((n): n is string => n !== null);
  return { fields, differs: fields.filter((f) => !f.same).map((f) => f.field), notes };
}

export interface HeaderChange {
  /** Field name as written (the input's when both have it). */
  name: string;
  op: 'added' | 'removed' | 'changed';
  /** The value in the claimed message (added, changed). */
  input?: string;
  /** The value in the stored message (removed, changed). */
  source?: string;
  /** Changed only in folding or spacing: the same value to a reader and to DKIM's relaxed canonicalisation. */
  whitespace_only?: boolean;
}

export interface MessageComparison {
  /** Header fields added, removed or changed (the n-th field of a name paired with the n-th). */
  headers: HeaderChange[];
  /** The same fields, in another order. */
  headers_reordered: boolean;
  body_identical: boolean;
  body_similarity: number;
  /**
   * Word diff of the whole body text: claimed words against stored ones; long equal runs
   * elided. Empty when the bodies are identical, and for a match found by text, whose `diff`
   * already is the claimed text against this body.
   */
  body_diff: DiffOp[];
  /** Attachments (by SHA-256) in one message and not the other. */
  attachments: { added: AttachmentRef[]; removed: AttachmentRef[] };
}

export interface AttachmentRef { sha256: string; filename: string | null }

/** Long runs of equal words keep their first and last EDGE words around "…". */
const EDGE = 12;

function elide(ops: DiffOp[]): DiffOp[] {
  return ops.map((o) => {
    if (o.op !== 'equal' || !o.quote) return o;
    const w = o.quote.split(' ');
    if (w.length <= EDGE * 2 + 5) return o;
    return { op: 'equal', quote: `${w.slice(0, EDGE).join(' ')} … [${w.length - 2 * EDGE} words] … ${w.slice(-EDGE).join(' ')}` };
  });
}

function byName(m: ParsedMessage): Map<string, { name: string; value: string }[]> {
  const out = new Map<string, { name: string; value: string }[]>();
  for (const h of m.headers) {
    const k = h.name.toLowerCase();
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(h);
  }
  return out;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** `known`: the body similarity already measured by the caller (a text match): the body is not aligned again. */
export function compareMessages(input: ParsedMessage, source: ParsedMessage, known?: { similarity: number }): MessageComparison {
  const a = byName(input), b = byName(source);
  const headers: HeaderChange[] = [];
  const names = [...new Set([...b.keys(), ...a.keys()])];
  for (const k of names) {
    const xs = a.get(k) ?? [], ys = b.get(k) ?? [];
    for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
      const x = xs[i], y = ys[i];
      if (x && y) {
        if (x.value === y.value) continue;
        headers.push({ name: x.name, op: 'changed', input: x.value, source: y.value, ...(squash(x.value) === squash(y.value) ? { whitespace_only: true } : {}) });
      } else if (x) headers.push({ name: x.name, op: 'added', input: x.value });
      else headers.push({ name: y!.name, op: 'removed', source: y!.value });
    }
  }
  const order = (m: ParsedMessage): string => m.headers.map((h) => h.name.toLowerCase()).join('\n');
  const sorted = (m: ParsedMessage): string => m.headers.map((h) => h.name.toLowerCase()).sort().join('\n');
  const headers_reordered = sorted(input) === sorted(source) && order(input) !== order(source);
  const ta = bodyText(input), tb = bodyText(source);
  const identical = ta === tb;
  let similarity = 1;
  let bodyDiff: DiffOp[] = [];
  if (!identical && known) similarity = known.similarity;
  else if (!identical) {
    const q = tokenize(ta), d = tokenize(tb);
    const al = globalAlign(q, d);
    similarity = Math.round(al.similarity * 1000) / 1000;
    bodyDiff = elide(diff(q, d, al));
  }
  const refs = (m: ParsedMessage): Map<string, AttachmentRef> => new Map(m.attachments.map((x) => [x.sha256, { sha256: x.sha256, filename: x.filename }]));
  const ha = refs(input), hb = refs(source);
  return {
    headers,
    headers_reordered,
    body_identical: identical,
    body_similarity: similarity,
    body_diff: bodyDiff,
    attachments: { added: [...ha.values()].filter((x) => !hb.has(x.sha256)), removed: [...hb.values()].filter((x) => !ha.has(x.sha256)) },
  };
}
