/**
 * @module ingest/outlook/pst-item
 * Maps a pst-extractor PSTMessage (or an embedded message inside one) to an OutlookItem.
 * Attachment data is read here, one attachment at a time, after checking its declared size
 * against the message size limit, so a hostile size field cannot make us allocate gigabytes.
 */
import { describe } from '../../core/errors.ts';
import { charsetForCodepage } from './codepage.ts';
import { emptyItem, type OutlookAttachment, type OutlookItem, type RecipientKind } from './outlook-item.ts';
import { props, PstReadBudgetError, type PSTAttachmentT, type PSTMessageT } from './pst-internals.ts';

const PR_SENDER_SMTP_ADDRESS = 0x5d01;
const PR_SENT_REPRESENTING_SMTP_ADDRESS = 0x5d02;
const PR_INTERNET_REFERENCES = 0x1039;
const PR_INTERNET_CPID = 0x3fde;
const PR_HTML = 0x1013;
const PR_RTF_COMPRESSED = 0x1009;
const PR_ATTACHMENT_HIDDEN = 0x7ffe;
const PR_ATTACH_METHOD = 0x3705;

const ATTACH_BY_VALUE = 1;
const ATTACH_EMBEDDED = 5;
const ATTACH_OLE = 6;

function address(name: string, email: string, smtp: string): { name: string; address: string } | null {
  // Prefer the SMTP address; otherwise the stored one, which for type EX is an Exchange DN
  // (to-mime writes a DN as a name-only group rather than invent an address).
  const addr = smtp || email;
  if (name === '' && addr === '') return null;
  return { name, address: addr };
}

export interface PstItemOptions {
  /** Largest attachment (and message) we will read, limits.maxMessageBytes. */
  maxBytes: number;
  /** Embedded-message nesting left (limits.maxEmbeddedDepth at the top). */
  depthLeft: number;
}

export function pstMessageToItem(m: PSTMessageT, opts: PstItemOptions): OutlookItem {
  const item = emptyItem();
  const p = props(m);
  item.messageClass = m.messageClass;
  item.transportHeaders = m.transportMessageHeaders;
  item.subject = m.subject;
  item.from = address(m.sentRepresentingName, m.sentRepresentingEmailAddress, p.getStringItem(PR_SENT_REPRESENTING_SMTP_ADDRESS))
    ?? address(m.senderName, m.senderEmailAddress, p.getStringItem(PR_SENDER_SMTP_ADDRESS));
  const sender = address(m.senderName, m.senderEmailAddress, p.getStringItem(PR_SENDER_SMTP_ADDRESS));
  if (sender && item.from && sender.address !== item.from.address) item.sender = sender;
  for (let i = 0; i < m.numberOfRecipients; i++) {
    const r = m.getRecipient(i);
    if (!r) continue;
    const kind: RecipientKind = r.recipientType === 2 ? 'cc' : r.recipientType === 3 ? 'bcc' : 'to';
    item.recipients.push({ kind, name: r.displayName, address: r.smtpAddress || r.emailAddress });
  }
  item.displayTo = m.displayTo;
  item.displayCc = m.displayCC;
  item.displayBcc = m.displayBCC;
  item.date = m.clientSubmitTime ?? m.messageDeliveryTime;
  item.messageId = m.internetMessageId;
  item.inReplyTo = m.inReplyToId;
  item.references = p.getStringItem(PR_INTERNET_REFERENCES);
  const body = m.body;
  item.body = body === '' ? null : body;
  const htmlBytes = p.getBinaryItem(PR_HTML);
  if (htmlBytes && htmlBytes.length > 0) {
    item.html = { bytes: Buffer.from(htmlBytes), charset: charsetForCodepage(p.getIntItem(PR_INTERNET_CPID)) ?? 'windows-1252' };
  } else {
    const html = m.bodyHTML;
    if (html !== '') item.html = { text: html };
  }
  const rtf = p.getBinaryItem(PR_RTF_COMPRESSED);
  item.rtfCompressed = rtf && rtf.length > 0 ? Buffer.from(rtf) : null;
  for (let i = 0; i < m.numberOfAttachments; i++) {
    item.attachments.push(attachmentOf(m, i, opts));
  }
  return item;
}

function attachmentOf(m: PSTMessageT, index: number, opts: PstItemOptions): OutlookAttachment {
  let a: PSTAttachmentT;
  try {
    a = m.getAttachment(index);
  } catch (e) {
    return { kind: 'missing', filename: `attachment ${index + 1}`, reason: describe(e) };
  }
  const filename = a.longFilename || a.filename || a.displayName || '';
  try {
    const method = props(a).getIntItem(PR_ATTACH_METHOD);
    if (method === ATTACH_EMBEDDED) {
      if (opts.depthLeft <= 0) return { kind: 'missing', filename, reason: 'embedded message nested too deeply' };
      const inner = a.embeddedPSTMessage;
      if (!inner) return { kind: 'missing', filename, reason: 'embedded message not readable' };
      return { kind: 'item', filename, item: pstMessageToItem(inner, { ...opts, depthLeft: opts.depthLeft - 1 }) };
    }
    if (method !== ATTACH_BY_VALUE && method !== ATTACH_OLE && method !== 0) {
      return { kind: 'missing', filename, reason: `attached by reference (method ${method})${a.longPathname || a.pathname ? `: ${a.longPathname || a.pathname}` : ''}` };
    }
    const stream = a.fileInputStream;
    if (!stream) return { kind: 'missing', filename, reason: 'no attachment data' };
    const size = stream.length.toNumber();
    if (size > opts.maxBytes) return { kind: 'missing', filename, reason: `attachment of ${size} bytes exceeds the ${opts.maxBytes}-byte message limit` };
    const data = Buffer.alloc(size);
    stream.readCompletely(data);
    const hidden = props(a).getBooleanItem(PR_ATTACHMENT_HIDDEN);
    return { kind: 'file', filename, mimeType: a.mimeTag, contentId: a.contentId, inline: hidden && a.contentId !== '', data };
  } catch (e) {
    if (e instanceof PstReadBudgetError) throw e; // a looping file: fail the item, not one attachment
    return { kind: 'missing', filename, reason: describe(e) };
  }
}
