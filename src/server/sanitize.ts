/**
 * @module server/sanitize
 * Message HTML made safe to show: an allow-list sanitiser (sanitize-html) that keeps the
 * layout of a mail and drops everything that runs or fetches. Leaked mail is hostile: one
 * remote image loaded from an investigator's browser tells the sender who reads what, so every
 * remote reference (img src, background attributes, CSS url()) is removed, counted and replaced
 * by a placeholder naming the host it would have contacted. Links become plain text followed
 * by their real target. The result is shown only inside a sandboxed iframe under a CSP that
 * forbids remote loads (src/server/security.ts): the sanitiser and the browser each stop it.
 */
import { randomBytes } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';

const MARK = 'data-trove-mark';

export interface InlineImage {
  /** Content-ID without angle brackets. */
  cid: string;
  /** A data: URL (raster images only), or null when the part cannot be shown. */
  dataUrl: string | null;
}

export interface SanitizedHtml {
  html: string;
  /** Remote images, backgrounds and CSS url() references removed. */
  remoteBlocked: number;
  /** Hosts those references named, in order of first appearance. */
  remoteHosts: string[];
  /** Links turned into text. */
  links: number;
}

/** Raster types an <img> may show; SVG is left out (it is a document that can carry script). */
export const SAFE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

const REMOTE = /^\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i;
const CSS_DANGER = /url\s*\(|expression\s*\(|@import|behavior\s*:|-moz-binding|image-set\s*\(|\\/i;

function hostOf(url: string): string {
  const m = /^\s*(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#\s'")]*)/i.exec(url);
  return (m?.[1] ?? '').replace(/^[^@]*@/, '').toLowerCase() || '?';
}

const TAGS = [
  'a', 'abbr', 'address', 'b', 'bdi', 'bdo', 'big', 'blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup',
  'dd', 'del', 'dfn', 'div', 'dl', 'dt', 'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd',
  'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody',
  'td', 'tfoot', 'th', 'thead', 'tr', 'tt', 'u', 'ul', 'wbr',
];
const LAYOUT_ATTRS = ['align', 'valign', 'width', 'height', 'border', 'cellpadding', 'cellspacing', 'bgcolor', 'color', 'face', 'size', 'colspan', 'rowspan', 'dir', 'lang', 'title', 'style'];

/**
 * Sanitises one message's HTML body. `images` resolves `cid:` references to data: URLs of the
 * message's own parts; anything else in an img src other than a data: image is dropped.
 */
export function sanitizeMessageHtml(input: string, images: InlineImage[] = []): SanitizedHtml {
  const hosts: string[] = [];
  let remoteBlocked = 0;
  let links = 0;
  const block = (url: string): string => {
    remoteBlocked++;
    const h = hostOf(url);
    if (!hosts.includes(h)) hosts.push(h);
    return h;
  };
  const cleanStyle = (style: string | undefined): string | undefined => {
    if (!style) return undefined;
    const kept: string[] = [];
    for (const decl of style.split(';')) {
      if (!decl.trim()) continue;
      if (CSS_DANGER.test(decl)) {
        const u = /url\s*\(\s*['"]?([^'")]*)/i.exec(decl);
        if (u && REMOTE.test(u[1])) block(u[1]);
        continue;
      }
      kept.push(decl.trim());
    }
    return kept.length ? kept.join('; ') : undefined;
  };
  const nonce = randomBytes(8).toString('hex');
  const byCid = new Map(images.map((i) => [i.cid.replace(/^<|>$/g, '').toLowerCase(), i.dataUrl]));

  const html = sanitizeHtml(input, {
    allowedTags: TAGS,
    allowedAttributes: { '*': LAYOUT_ATTRS, img: [...LAYOUT_ATTRS, 'src', 'alt'], span: [...LAYOUT_ATTRS, 'class', 'data-href'] },
    allowedSchemes: [],
    allowedSchemesByTag: { img: ['data'] },
    allowProtocolRelative: false,
    // style and script bodies are dropped with their tags; everything else unknown is unwrapped
    nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'xmp', 'iframe', 'object', 'embed', 'svg', 'math'],
    disallowedTagsMode: 'discard',
    transformTags: {
      '*': (tagName, attribs) => {
        const a: Record<string, string> = { ...attribs };
        // our own markers (set by the img and a transforms, which run first) may not be forged
        if (a[MARK] !== nonce) {
          delete a.class;
          delete a['data-href'];
        }
        delete a[MARK];
        if (a.background) {
          if (REMOTE.test(a.background)) block(a.background);
          delete a.background;
        }
        const s = cleanStyle(a.style);
        if (s === undefined) delete a.style;
        else a.style = s;
        return { tagName, attribs: a };
      },
      img: (_tagName, attribs): sanitizeHtml.Tag => {
        const src = attribs.src ?? '';
        const rest: Record<string, string> = {};
        for (const k of ['alt', 'width', 'height', 'title']) if (attribs[k] !== undefined) rest[k] = attribs[k];
        const st = cleanStyle(attribs.style);
        if (st) rest.style = st;
        if (REMOTE.test(src)) {
          const h = block(src);
          return { tagName: 'span', attribs: { class: 'trove-blocked', title: 'remote image blocked', [MARK]: nonce }, text: `[remote image blocked: ${h}]` };
        }
        if (/^\s*cid:/i.test(src)) {
          const url = byCid.get(decodeURIComponent(src.replace(/^\s*cid:/i, '')).toLowerCase());
          if (url) return { tagName: 'img', attribs: { ...rest, src: url } };
          return { tagName: 'span', attribs: { class: 'trove-blocked', [MARK]: nonce }, text: '[inline image not shown]' };
        }
        if (/^\s*data:image\/(?:png|jpeg|gif|webp|bmp)[;,]/i.test(src)) return { tagName: 'img', attribs: { ...rest, src } };
        return { tagName: 'span', attribs: { class: 'trove-blocked', [MARK]: nonce }, text: rest.alt ? `[image: ${rest.alt}]` : '[image not shown]' };
      },
      a: (_tagName, attribs): sanitizeHtml.Tag => {
        links++;
        const href = (attribs.href ?? '').trim();
        const target = href.slice(0, 2000);
        return { tagName: 'span', attribs: { class: 'trove-link', [MARK]: nonce, ...(target ? { 'data-href': target, title: target } : {}) } };
      },
    },
    allowedClasses: { span: ['trove-blocked', 'trove-link'] },
  });
  // a link's real target is inert data, shown after its text by the frame's style (::after)
  return { html, remoteBlocked, remoteHosts: hosts, links };
}

/** Escapes text for an HTML attribute value or element content. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The full document put in the iframe's srcdoc: sanitised body plus a readable default style. */
export function frameDocument(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><style>
body{font:15px/1.5 system-ui,sans-serif;color:#1b1f24;margin:12px;overflow-wrap:anywhere}
img{max-width:100%;height:auto}
.trove-blocked{display:inline-block;border:1px dashed #b35c00;background:#fff4e5;color:#8a4500;font:12px/1.4 system-ui,sans-serif;padding:2px 6px;border-radius:3px}
.trove-link{color:#0b57d0;text-decoration:underline dotted}
.trove-link[data-href]::after{content:" \\27E8" attr(data-href) "\\27E9";color:#5f6368;font:12px/1.4 ui-monospace,monospace;text-decoration:none;display:inline;word-break:break-all}
</style></head><body>${body}</body></html>`;
}
