/**
 * @module extract/xml
 * A flat, non-recursive XML tag scanner for text extraction. It builds no tree and keeps no
 * stack, so deeply nested or huge documents cost linear time and constant memory (a DOM or
 * fast-xml-parser's object tree would hold the whole document, and recursion over a
 * 100,000-deep nesting overflows the stack). Namespace prefixes are dropped: callers match
 * local names, as OOXML producers do not all use the same prefixes.
 */

export interface XmlHandler {
  /** A start tag (`selfClosing` for `<x/>`); `attrs` is the raw attribute text. Return false to stop. */
  open(name: string, attrs: string, selfClosing: boolean): boolean | void;
  close(name: string): boolean | void;
  /** Character data, entity-decoded (CDATA included). Return false to stop. */
  text(s: string): boolean | void;
}

function local(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    }
    return XML_ENTITIES[e] ?? m;
  });
}

/** Calls `h` for every tag and text run of `xml`, in order, until it returns false. */
export function scanXml(xml: string, h: XmlHandler, tick?: () => void): void {
  let i = 0;
  let n = 0;
  const len = xml.length;
  while (i < len) {
    const lt = xml.indexOf('<', i);
    const end = lt < 0 ? len : lt;
    if (end > i && h.text(decodeXmlEntities(xml.slice(i, end))) === false) return;
    if (lt < 0) return;
    if (tick && (++n & 4095) === 0) tick();
    if (xml.startsWith('<!--', lt)) {
      const c = xml.indexOf('-->', lt + 4);
      i = c < 0 ? len : c + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const c = xml.indexOf(']]>', lt + 9);
      const stop = c < 0 ? len : c;
      if (h.text(xml.slice(lt + 9, stop)) === false) return;
      i = c < 0 ? len : c + 3;
      continue;
    }
    if (xml[lt + 1] === '?' || xml[lt + 1] === '!') {
      const c = xml.indexOf('>', lt + 2);
      i = c < 0 ? len : c + 1;
      continue;
    }
    const gt = xml.indexOf('>', lt + 1);
    if (gt < 0) return;
    i = gt + 1;
    if (xml[lt + 1] === '/') {
      if (h.close(local(xml.slice(lt + 2, gt).trim())) === false) return;
      continue;
    }
    const self = xml[gt - 1] === '/';
    const inner = xml.slice(lt + 1, self ? gt - 1 : gt);
    const sp = inner.search(/[\s]/);
    const name = local(sp < 0 ? inner : inner.slice(0, sp));
    const attrs = sp < 0 ? '' : inner.slice(sp);
    if (h.open(name, attrs, self) === false) return;
    if (self && h.close(name) === false) return;
  }
}

/**
 * The value of attribute `name` in raw attribute text. A plain name matches that local name
 * with any prefix or none; `:id` matches `id` with some prefix only (`r:id`, not `id`).
 */
export function attr(attrs: string, name: string): string | undefined {
  const prefix = name.startsWith(':') ? '[\\w.-]+:' : '(?:[\\w.-]+:)?';
  const m = new RegExp(`(?:^|\\s)${prefix}${name.replace(/^:/, '')}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? decodeXmlEntities(m[2] ?? m[3] ?? '') : undefined;
}
