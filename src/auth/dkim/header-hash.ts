/**
 * @module auth/dkim/header-hash
 * Builds the exact byte string a DKIM (or ARC-Message-Signature) header signature covers
 * (RFC 6376 §5.4.2, §3.7): the fields named in h=, each name taking the LAST unused instance of
 * that field (bottom-up, because fields are prepended in transit), a name with no instance left
 * contributing nothing (that is how "oversigning" locks a field against additions), and finally
 * the signature field itself with its b= value blanked and no final CRLF.
 */
import type { HeaderField } from './message.ts';
import { canonHeader, canonSignatureHeader, type Canon } from './canon-header.ts';
import type { Tag } from './tags.ts';

/** For each h= entry, the field it designates, or null when none is left. */
export function selectFields(fields: readonly HeaderField[], names: readonly string[], exclude: number): (HeaderField | null)[] {
  const nextAbove = new Map<string, number>(); // per name: search starts below this index
  const out: (HeaderField | null)[] = [];
  for (const n of names) {
    const lname = n.toLowerCase();
    let i = nextAbove.get(lname) ?? fields.length;
    let found: HeaderField | null = null;
    while (i > 0) {
      i--;
      // The signature being verified did not exist when it was made, so it never designates itself.
      if (fields[i].lname === lname && fields[i].index !== exclude) {
        found = fields[i];
        break;
      }
    }
    nextAbove.set(lname, found ? i : 0);
    out.push(found);
  }
  return out;
}

/** The signature field with the b= value (and the whitespace around it) removed. */
export function blankSignatureValue(field: HeaderField, bTag: Tag): string {
  const start = field.valueStart + bTag.valueStart;
  const end = field.valueStart + bTag.valueEnd;
  return field.raw.slice(0, start) + field.raw.slice(end);
}

export function headerHashInput(
  fields: readonly HeaderField[],
  sigField: HeaderField,
  bTag: Tag,
  names: readonly string[],
  canon: Canon,
): Buffer {
  const parts: string[] = [];
  for (const f of selectFields(fields, names, sigField.index)) {
    if (f) parts.push(canonHeader(f.raw, f.valueStart, canon));
  }
  parts.push(canonSignatureHeader(blankSignatureValue(sigField, bTag), sigField.valueStart, canon));
  return Buffer.from(parts.join(''), 'latin1');
}
