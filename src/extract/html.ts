/**
 * @module extract/html
 * Text of an HTML document for the index: script, style, head-only elements and comments
 * dropped, block elements and <br> turned into line breaks, other tags removed, character
 * references decoded (numeric ones all, named ones from the set seen in mail: HTML 4's
 * Latin-1, symbol and typographic entities). Linear regex passes, no DOM. Synchronous.
 */

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '\u00ad', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  zwnj: '\u200c', zwj: '\u200d', lrm: '\u200e', rlm: '\u200f', ndash: '\u2013', mdash: '\u2014', lsquo: '\u2018', rsquo: '\u2019',
  sbquo: '\u201a', ldquo: '\u201c', rdquo: '\u201d', bdquo: '\u201e', dagger: '\u2020', Dagger: '\u2021', bull: '\u2022',
  hellip: '\u2026', permil: '\u2030', prime: '\u2032', Prime: '\u2033', lsaquo: '\u2039', rsaquo: '\u203a', euro: '\u20ac',
  trade: '\u2122', larr: '\u2190', rarr: '\u2192', uarr: '\u2191', darr: '\u2193', harr: '\u2194', minus: '\u2212', times: '\u00d7',
  divide: '\u00f7', OElig: '\u0152', oelig: '\u0153', Scaron: '\u0160', scaron: '\u0161', Yuml: '\u0178', fnof: '\u0192', circ: '\u02c6',
  tilde: '\u02dc', le: '\u2264', ge: '\u2265', ne: '\u2260', infin: '\u221e', asymp: '\u2248', equiv: '\u2261', sum: '\u2211',
};
// Latin-1 supplement, U+00A1..U+00FF, in code point order (HTML 4).
'iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
  .split(' ')
  .forEach((name, i) => (NAMED[name] ??= String.fromCharCode(0xa1 + i)));
// Greek letters (HTML 4): Alpha..Omega, alpha..omega.
'Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho _ Sigma Tau Upsilon Phi Chi Psi Omega'
  .split(' ')
  .forEach((name, i) => {
    if (name === '_') return;
    NAMED[name] = String.fromCharCode(0x391 + i);
    NAMED[name.toLowerCase()] = String.fromCharCode(0x3b1 + i);
  });
NAMED.sigmaf = '\u03c2';

/** Windows-1252 meanings of C1 references (&#150; is an en dash in every browser). */
const C1 = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeHtmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,8}|#\d{1,9}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (cp >= 0x80 && cp <= 0x9f) return C1[cp - 0x80];
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    }
    const v = NAMED[e];
    return v === undefined ? m : v;
  });
}

const BLOCK = /<\/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|tr|table|thead|tbody|tfoot|h[1-6]|blockquote|pre|section|article|header|footer|nav|aside|address|figure|figcaption|form|fieldset|center|title)\b[^>]*>/gi;

export function htmlToText(html: string): string {
  return decodeHtmlEntities(
    html
      .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
      .replace(/<(script|style|noscript|template|svg|xml|object)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
      .replace(/<(?:td|th)\b[^>]*>/gi, '\t')
      .replace(BLOCK, '\n')
      .replace(/<[a-zA-Z!/?][^>]*>/g, '')
      .replace(/[ \f\v]*\r?\n[ \f\v]*/g, '\n')
      .replace(/[ \f\v]{2,}/g, ' '),
  )
    .replace(/\n{2,}/g, '\n')
    .trim();
}
