/**
 * @module search/html-text
 * Visible text of an HTML body, for the index: scripts, styles and comments dropped, tags
 * turned into spaces (block tags into line breaks), character references decoded. Not a
 * renderer: only words and their order matter here. Every tag becomes a separator (unlike the
 * attachment extractor's htmlToText), so words in adjacent inline elements stay apart in the index.
 */
import { decodeHtmlEntities } from '../extract/html.ts';

const BLOCK = /^(p|div|br|tr|li|h[1-6]|table|blockquote|pre|hr|ul|ol|dl|dt|dd|section|article|header|footer|td|th)$/i;

export function htmlToText(html: string): string {
  const noHidden = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ');
  const text = noHidden.replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>|<[!?/][^>]*>/gi, (_m, tag: string | undefined) => (tag && BLOCK.test(tag) ? '\n' : ' '));
  return decodeHtmlEntities(text).replace(/[ \t\r\f\v\u00a0]+/g, ' ').replace(/ *\n[\s]*/g, '\n').trim();
}
