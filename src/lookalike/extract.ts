/**
 * @module lookalike/extract
 * Every domain a message uses, with where: From, Sender, Reply-To, Return-Path, Received
 * hosts, Message-ID, and links (URLs, mailto:, bare www. names) in its text and HTML bodies.
 */
import type { Address, ParsedMessage } from '../mime/types.ts';

export type Place = 'from' | 'sender' | 'reply-to' | 'return-path' | 'received' | 'message-id' | 'link';

/** Bytes of each body scanned for links: a limit against a huge body of URLs. */
const BODY_SCAN_CHARS = 2 * 1024 * 1024;

const URL_HOST = /\b(?:https?|ftp):\/\/([^\s/?#"'<>\\]+)/giu;
const MAILTO = /\bmailto:([^\s?"'<>]+)/giu;
const WWW = /(?:^|[\s"'(<>])(www\.[\p{L}\p{N}.-]+\.[\p{L}]{2,})/giu;
const RECEIVED_HOST = /\b(?:from|by)\s+([\p{L}\p{N}.-]+\.[\p{L}]{2,})|\(([\p{L}\p{N}.-]+\.[\p{L}]{2,})\s*\[/giu;

function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  const d = at >= 0 ? address.slice(at + 1) : '';
  return d.replace(/[>\]\s.]+$/, '').toLowerCase() || null;
}

function hostOfAuthority(authority: string): string {
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.replace(/:\d*$/, '').replace(/[.,;)]+$/, '').toLowerCase();
}

/** domain → the places it appears in the message. */
export function domainsOf(m: ParsedMessage): Map<string, Set<Place>> {
  const out = new Map<string, Set<Place>>();
  const add = (d: string | null, p: Place): void => {
    if (!d || !d.includes('.')) return;
    const s = out.get(d) ?? new Set<Place>();
    s.add(p);
    out.set(d, s);
  };
  const addrs = (list: Address[], p: Place): void => { for (const a of list) add(domainOf(a.address), p); };
  addrs(m.from, 'from');
  addrs(m.sender, 'sender');
  addrs(m.replyTo, 'reply-to');
  if (m.messageId) add(domainOf(m.messageId.replace(/^<|>$/g, '')), 'message-id');
  for (const h of m.headers) {
    const name = h.name.toLowerCase();
    if (name === 'return-path') add(domainOf(h.value.replace(/[<>\s]/g, '')), 'return-path');
    else if (name === 'received') for (const r of h.value.matchAll(RECEIVED_HOST)) add((r[1] ?? r[2]).toLowerCase(), 'received');
  }
  for (const body of [m.text, m.html]) {
    if (!body) continue;
    const s = body.length > BODY_SCAN_CHARS ? body.slice(0, BODY_SCAN_CHARS) : body;
    for (const r of s.matchAll(URL_HOST)) add(hostOfAuthority(r[1]), 'link');
    for (const r of s.matchAll(MAILTO)) add(domainOf(r[1]), 'link');
    for (const r of s.matchAll(WWW)) add(r[1].toLowerCase(), 'link');
  }
  return out;
}
