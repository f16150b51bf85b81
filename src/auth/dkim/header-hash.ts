/**
 * @module auth/dkim/header-hash
 * Builds the exact byte string a DKIM (or ARC-Message-Signature) header signature covers
 * (RFC 6376 §5.4.2, §3.7): the fields named in h=, each name taking the LAST unused instance of
 * that field (bottom-up, because fields are prepended in transit), a name with no instance left
 * contributing nothing (that is how "oversigning" locks a field against additions), and finally
 * the signature field itself with its b= value blanked and no final CRLF.
 */
import type { DkimMessage, HeaderField } from './message.ts';
import { canonHeader, canonSignatureHeader, type Canon } from './canon-header.ts';
import type { Tag } from './tags.ts';

/**
 * For each h= entry, the field it designates, or null when none is left. Uses the per-name index
 * so the cost is linear in h=, whatever the number of header fields.
 */
export function selectFields(msg: Pick<DkimMessage, 'fields' | 'byName'>, names: readonly string[], exclude: number): (HeaderField | null)[] {
  const used = new Map<string, number>(); // per name: how many instances were taken from the bottom
  const candidates = new Map<string, number[]>();
  const out: (HeaderField | null)[] = [];
  for (const n of names) {
    const lname = n.toLowerCase();
    let positions = candidates.get(lname);
    if (!positions) {
      // The signature being verified did not exist when it was made, so it never designates itself.
      positions = (msg.byName.get(lname) ?? []).filter((i) => i !== exclude);
      candidates.set(lname, positions);
    }
    const k = used.get(lname) ?? 0;
    used.set(lname, k + 1);
    const idx = positions.length - 1 - k;
    out.push(idx >= 0 ? msg.fields[positions[idx]] : null);
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
  msg: Pick<DkimMessage, 'fields' | 'byName'>,
  sigField: HeaderField,
  bTag: Tag,
  names: readonly string[],
  canon: Canon,
): Buffer {
  const parts: string[] = [];
  for (const f of selectFields(msg, names, sigField.index)) {
    if (f) parts.push(canonHeader(f.raw, f.valueStart, canon));
  }
  parts.push(canonSignatureHeader(blankSignatureValue(sigField, bTag), sigField.valueStart, canon));
  return Buffer.from(parts.join(''), 'latin1');
}
