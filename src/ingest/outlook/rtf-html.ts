/**
 * @module ingest/outlook/rtf-html
 * What an Outlook RTF body is ([MS-OXRTFEX]): `\fromhtml1` = an HTML body encapsulated in RTF,
 * `\fromtext` = plain text wrapped in RTF (redundant next to PR_BODY), otherwise native RTF.
 * For encapsulated HTML, `htmlFromRtf` recovers the HTML: text inside `{\*\htmltag…}` groups is
 * HTML markup and always emitted; other text is emitted unless `\htmlrtf` suppresses it (it marks
 * RTF-only rendering hints). Bytes (`\'hh`, raw 8-bit) are decoded in the `\ansicpgN` code page,
 * `\uN` adds a Unicode character and skips the `\ucN` fallback characters that follow.
 */
import { decodeCodepage } from './codepage.ts';

export type RtfKind = 'html' | 'text' | 'rtf';

export interface RtfInfo {
  kind: RtfKind;
  /** `\ansicpgN` when present. */
  ansiCodepage: number | null;
}

/** Looks at the RTF header (the first control words) only. */
export function rtfInfo(rtf: Buffer): RtfInfo {
  const head = rtf.subarray(0, 2048).toString('latin1');
  const cp = /\\ansicpg(\d+)/.exec(head);
  const ansiCodepage = cp ? Number(cp[1]) : null;
  // The \fromhtml / \fromtext word comes before the first nested group ({\fonttbl…}).
  const prologue = head.slice(0, Math.max(0, head.indexOf('{', 1)) || head.length);
  if (/\\fromhtml1?(?![a-z])/.test(prologue)) return { kind: 'html', ansiCodepage };
  if (/\\fromtext(?![a-z])/.test(prologue)) return { kind: 'text', ansiCodepage };
  return { kind: 'rtf', ansiCodepage };
}

/** Destinations whose text is never body text, with or without a leading `\*`. */
const SKIP_DESTINATIONS = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'header', 'footer', 'headerl', 'headerr',
  'footerl', 'footerr', 'listtable', 'listoverridetable', 'rsidtbl', 'generator', 'xmlnstbl', 'themedata',
  'colorschememapping', 'latentstyles', 'datastore', 'filetbl', 'revtbl', 'pgdsctbl', 'fldinst',
]);

const SYMBOLS: Record<string, string> = {
  par: '\r\n', line: '\r\n', tab: '\t', lquote: '\u2018', rquote: '\u2019', ldblquote: '\u201c',
  rdblquote: '\u201d', bullet: '\u2022', endash: '\u2013', emdash: '\u2014', emspace: '\u2003',
  enspace: '\u2002', qmspace: '\u2005',
};

interface GroupState {
  suppressed: boolean;
  htmlTag: boolean;
  skip: boolean;
  uc: number;
}

/** The HTML carried by a `\fromhtml1` RTF body. */
export function htmlFromRtf(rtf: Buffer, fallbackCodepage: number | null = null): string {
  const s = rtf.toString('latin1');
  const cp = rtfInfo(rtf).ansiCodepage ?? fallbackCodepage;
  const parts: string[] = [];
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) {
      parts.push(decodeCodepage(Uint8Array.from(bytes), cp));
      bytes = [];
    }
  };
  let state: GroupState = { suppressed: false, htmlTag: false, skip: false, uc: 1 };
  const stack: GroupState[] = [];
  let pendingSkip = 0; // fallback characters still to skip after \uN
  const emitting = () => !state.skip && (state.htmlTag || !state.suppressed);

  let i = 0;
  let groupStart = false; // the previous token was '{'
  let starSeen = false;   // '{\*' seen, waiting for the destination word
  while (i < s.length) {
    const c = s[i];
    if (c === '{') {
      stack.push(state);
      state = { ...state };
      groupStart = true;
      starSeen = false;
      i++;
      continue;
    }
    if (c === '}') {
      state = stack.pop() ?? state;
      groupStart = false;
      starSeen = false;
      pendingSkip = 0;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') { i++; continue; }
    if (c !== '\\') {
      if (pendingSkip > 0) { pendingSkip--; i++; continue; }
      if (emitting()) bytes.push(s.charCodeAt(i));
      groupStart = false;
      i++;
      continue;
    }
    // A control sequence.
    const next = s[i + 1];
    if (next === undefined) break;
    if (next === "'") {
      const hex = s.slice(i + 2, i + 4);
      i += 4;
      if (pendingSkip > 0) { pendingSkip--; continue; }
      const v = Number.parseInt(hex, 16);
      if (emitting() && !Number.isNaN(v)) bytes.push(v);
      groupStart = false;
      continue;
    }
    if (!/[a-zA-Z]/.test(next)) {
      i += 2;
      if (next === '*') { starSeen = groupStart; continue; }
      groupStart = false;
      if (pendingSkip > 0) { pendingSkip--; continue; }
      if (!emitting()) continue;
      if (next === '\\' || next === '{' || next === '}') bytes.push(next.charCodeAt(0));
      else if (next === '~') { flush(); parts.push('\u00a0'); }
      else if (next === '_') bytes.push(0x2d);
      else if (next === '\r' || next === '\n') { flush(); parts.push('\r\n'); }
      continue;
    }
    const m = /^([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(s.slice(i + 1, i + 48));
    if (!m) { i++; continue; }
    i += 1 + m[0].length;
    const word = m[1];
    const arg = m[2] === undefined ? null : Number(m[2]);
    const star = starSeen;
    const atGroupStart = groupStart;
    groupStart = false;
    starSeen = false;
    if (star) {
      // `{\*\htmltag…}` carries HTML; any other `{\*\…}` destination is ignorable by definition.
      if (word === 'htmltag') state.htmlTag = true;
      else state.skip = true;
      continue;
    }
    if (atGroupStart && SKIP_DESTINATIONS.has(word)) { state.skip = true; continue; }
    if (word === 'htmlrtf') { state.suppressed = arg !== 0; continue; }
    if (word === 'uc') { state.uc = arg ?? 1; continue; }
    if (word === 'u' && arg !== null) {
      if (emitting()) {
        flush();
        parts.push(String.fromCharCode(arg < 0 ? arg + 65536 : arg));
      }
      pendingSkip = state.uc;
      continue;
    }
    const sym = SYMBOLS[word];
    if (sym !== undefined && emitting()) { flush(); parts.push(sym); }
  }
  flush();
  return parts.join('');
}
