/**
 * @module extract/rtf
 * Text of RTF documents. A single-pass tokenizer with an explicit group stack (no recursion):
 * control words are dropped except those that mean text (\par, \tab, \emdash…), `\'hh`
 * bytes are decoded in the code page of the current font (\fcharset in the font table) or
 * the document's \ansicpg, `\uN` escapes are taken with their \uc fallback skipped, and
 * destinations that hold no document text (font and colour tables, pictures, objects, field
 * instructions, `\*` extensions) are skipped. Outlook's encapsulated HTML (\fromhtml) yields
 * its text, as the HTML tags sit in `\*\htmltag` destinations. Synchronous.
 */
import iconv from 'iconv-lite';
import { LimitHit, type Sink } from './limits.ts';

const SKIP_DESTINATIONS = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'objdata', 'fldinst', 'themedata', 'colorschememapping',
  'datastore', 'latentstyles', 'listtable', 'listoverridetable', 'rsidtbl', 'generator', 'xmlnstbl', 'mmathPr', 'filetbl',
  'revtbl', 'pgdsctbl', 'listtext', 'pntext', 'pntxta', 'pntxtb', 'shppict', 'nonshppict', 'bkmkstart', 'bkmkend', 'xe', 'tc',
  'template', 'operator', 'author', 'title', 'subject', 'keywords', 'comment', 'doccomm', 'company', 'falt', 'panose',
]);

const SYMBOLS: Record<string, string> = {
  par: '\n', line: '\n', sect: '\n', page: '\n', row: '\n', cell: '\t', nestcell: '\t', tab: '\t',
  emdash: '\u2014', endash: '\u2013', emspace: '\u2003', enspace: '\u2002', qmspace: '\u2005', bullet: '\u2022',
  lquote: '\u2018', rquote: '\u2019', ldblquote: '\u201c', rdblquote: '\u201d', zwj: '\u200d', zwnj: '\u200c',
};

/** \fcharset → Windows code page. */
const CHARSET_CP: Record<number, number> = {
  128: 932, 129: 949, 130: 1361, 134: 936, 136: 950, 161: 1253, 162: 1254, 163: 1258, 177: 1255, 178: 1256, 186: 1257,
  204: 1251, 222: 874, 238: 1250, 77: 10000,
};

interface State {
  skip: boolean;
  uc: number;
  cp: number;
}

export function isRtf(b: Uint8Array): boolean {
  return b.length >= 5 && b[0] === 0x7b && b[1] === 0x5c && b[2] === 0x72 && b[3] === 0x74 && b[4] === 0x66; // "{\rtf"
}

function decodeBytes(bytes: number[], cp: number): string {
  const name = `cp${cp}`;
  const buf = Buffer.from(bytes);
  return iconv.encodingExists(name) ? iconv.decode(buf, name) : iconv.decode(buf, 'cp1252');
}

export function rtfText(b: Uint8Array, out: Sink): void {
  const s = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  const len = s.length;
  let ansiCp = 1252;
  const fontCp = new Map<number, number>();
  let st: State = { skip: false, uc: 1, cp: 1252 };
  const stack: State[] = [];
  let pending: number[] = [];
  let pendingCp = 1252;
  let skipChars = 0; // \uc fallback characters still to drop
  let inFontTable = 0; // stack depth at which the font table opened (0: not in it)
  let curFont = -1;
  let n = 0;
  // "Destination just opened": a group whose first token is \* or a known destination word is skipped.
  let groupStart = false;

  const flush = () => {
    if (pending.length) {
      const t = decodeBytes(pending, pendingCp);
      pending = [];
      if (!out.push(t)) throw new LimitHit('output full');
    }
  };
  const emit = (t: string) => {
    if (st.skip) return;
    flush();
    if (!out.push(t)) throw new LimitHit('output full');
  };
  const byte = (v: number) => {
    if (st.skip) return;
    if (skipChars > 0) {
      skipChars--;
      return;
    }
    if (pending.length && pendingCp !== st.cp) flush();
    pendingCp = st.cp;
    pending.push(v);
  };

  try {
    let i = 0;
    while (i < len) {
      if ((++n & 8191) === 0) out.check();
      const c = s.charCodeAt(i);
      if (c === 0x7b) {
        // {
        flush();
        if (stack.length >= out.limits.maxNesting) throw new LimitHit(`RTF nesting deeper than ${out.limits.maxNesting}`, true);
        stack.push(st);
        st = { ...st };
        groupStart = true;
        skipChars = 0;
        i++;
        continue;
      }
      if (c === 0x7d) {
        // }
        flush();
        if (inFontTable && stack.length === inFontTable) inFontTable = 0;
        st = stack.pop() ?? st;
        groupStart = false;
        skipChars = 0;
        i++;
        continue;
      }
      if (c === 0x5c) {
        // backslash
        const next = s[i + 1];
        if (next === undefined) break;
        if (next === "'") {
          const v = parseInt(s.slice(i + 2, i + 4), 16);
          if (!Number.isNaN(v)) byte(v);
          i += 4;
          groupStart = false;
          continue;
        }
        if (next === '*') {
          if (groupStart) st.skip = true;
          i += 2;
          continue;
        }
        if (!/[a-zA-Z]/.test(next)) {
          // control symbol
          i += 2;
          groupStart = false;
          if (skipChars > 0 && !st.skip) {
            skipChars--;
            continue;
          }
          if (next === '\\' || next === '{' || next === '}') emit(next);
          else if (next === '~') emit('\u00a0');
          else if (next === '_') emit('\u2011');
          else if (next === '\n' || next === '\r') emit('\n');
          continue;
        }
        const m = /^([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(s.slice(i + 1, i + 48));
        if (!m) {
          i++;
          continue;
        }
        i += 1 + m[0].length;
        const word = m[1];
        const param = m[2] === undefined ? null : Number(m[2]);
        const wasStart = groupStart;
        groupStart = false;
        if (wasStart && SKIP_DESTINATIONS.has(word)) {
          if (word === 'fonttbl') inFontTable = stack.length;
          else st.skip = true;
          if (word !== 'fonttbl') continue;
        }
        if (inFontTable) {
          // Inside the font table: learn \fN → \fcharsetM; nothing is text.
          if (word === 'f' && param !== null) curFont = param;
          else if (word === 'fcharset' && param !== null && curFont >= 0 && CHARSET_CP[param]) fontCp.set(curFont, CHARSET_CP[param]);
          st.skip = true;
          continue;
        }
        switch (word) {
          case 'ansicpg':
            if (param && param > 0) ansiCp = st.cp = param;
            break;
          case 'mac':
            ansiCp = st.cp = 10000;
            break;
          case 'pc':
            ansiCp = st.cp = 437;
            break;
          case 'pca':
            ansiCp = st.cp = 850;
            break;
          case 'f':
            if (param !== null) st.cp = fontCp.get(param) ?? ansiCp;
            break;
          case 'uc':
            if (param !== null && param >= 0) st.uc = param;
            break;
          case 'u':
            if (param !== null) {
              const cp = param < 0 ? param + 65536 : param;
              if (!st.skip) {
                flush();
                if (!out.push(String.fromCharCode(cp))) throw new LimitHit('output full');
              }
              skipChars = st.uc;
            }
            break;
          case 'bin':
            flush();
            i += Math.max(0, param ?? 0);
            break;
          default: {
            const sym = SYMBOLS[word];
            if (sym !== undefined) {
              skipChars = 0;
              emit(sym);
            }
          }
        }
        continue;
      }
      groupStart = false;
      if (c === 0x0d || c === 0x0a) {
        i++;
        continue;
      }
      // A plain character: 7-bit text or a raw 8-bit byte in the current code page.
      if (st.skip) {
        i++;
        continue;
      }
      if (c < 0x80 && skipChars === 0) {
        let j = i;
        while (j < len) {
          const d = s.charCodeAt(j);
          if (d === 0x7b || d === 0x7d || d === 0x5c || d === 0x0d || d === 0x0a || d >= 0x80) break;
          j++;
        }
        emit(s.slice(i, j));
        i = j;
        continue;
      }
      byte(c);
      i++;
    }
    flush();
  } catch (e) {
    if (!(e instanceof LimitHit)) throw e;
    if (e.fatal) throw e;
    if (!out.full) out.stop(e.message);
  }
}
