/**
 * @module ingest/outlook/msg
 * Reads one Outlook .msg file (a CFB container of MAPI properties) with @kenjiuno/msgreader.
 *
 * - Mail classes (see isMailClass: IPM.Note*, REPORT.*, IPM.Schedule.Meeting.*, IPM.Post*) →
 *   one FoundMessage, `origin: 'synthesized'`, `name: ''`, bytes from to-mime.ts.
 * - Appointments, contacts, sticky notes, tasks… → NonMailItem with `what` = the message class.
 * - A file that is not a valid compound file, or not an Outlook item, or that msgreader cannot
 *   parse → EntryProblem 'msg-corrupt' with the reason.
 *
 * The buffer is validated by cfb.ts before msgreader sees it (msgreader loops forever on cyclic
 * sector chains). ANSI (PT_STRING8) properties are decoded in the item's code page: the
 * PR_MESSAGE_CODEPAGE property, else the ANSI code page implied by PR_INTERNET_CPID (a CP932
 * Outlook sending ISO-2022-JP), else `\ansicpgN` of the RTF body, else windows-1252.
 */
import { createRequire } from 'node:module';
import type { FieldsData } from '@kenjiuno/msgreader';
import { describe } from '../../core/errors.ts';
import type { MailboxItem, ReaderContext } from '../types.ts';
import { hasCfbSignature, inspectCfb, listingLooksLikeMsg, type CfbListing } from './cfb.ts';
import { ansiCodepageFor, charsetForCodepage, iconvNameForCodepage } from './codepage.ts';
import { emptyItem, isMailClass, type OutlookAttachment, type OutlookItem, type RecipientKind } from './outlook-item.ts';
import { decompressRtf } from './rtf-decompress.ts';
import { rtfInfo } from './rtf-html.ts';
import { toMime } from './to-mime.ts';

// msgreader is CommonJS with `exports.default`. A default import means `module.exports` under Node's
// ESM loader but the class under vitest's interop, so take it through require, the same everywhere.
const MsgReader = createRequire(import.meta.url)('@kenjiuno/msgreader').default as typeof import('@kenjiuno/msgreader').default;
type MsgReader = InstanceType<typeof MsgReader>;

/**
 * True when the buffer is a compound file holding an Outlook item (`__properties_version1.0` and
 * `__substg1.0_*` streams at the top), so a .doc/.xls/.ppt (also CFB) is not taken for mail.
 * A container too damaged to list is not claimed either (the caller may still try readMsg on a
 * `.msg`-named file to get the corruption reported).
 */
export function looksLikeMsg(buf: Buffer): boolean {
  if (!hasCfbSignature(buf)) return false;
  try {
    return listingLooksLikeMsg(inspectCfb(buf));
  } catch {
    return false;
  }
}

/** Fixed-size values of the top-level `__properties_version1.0` stream (32-byte header, 16-byte entries). */
function topLevelFixedProps(listing: CfbListing): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  const stream = listing.read('__properties_version1.0');
  if (!stream) return out;
  for (let off = 32; off + 16 <= stream.length; off += 16) {
    out.set(stream.readUInt32LE(off), stream.subarray(off + 8, off + 16));
  }
  return out;
}

/** The ANSI code page for PT_STRING8 properties, or null when the item has none (all Unicode). */
function ansiCodepage(listing: CfbListing): number | null {
  const hasAnsi = listing.entries.some((e) => e.type === 'stream' && /__substg1\.0_[0-9A-F]{4}001E$/i.test(e.path));
  if (!hasAnsi) return null;
  const fixed = topLevelFixedProps(listing);
  const messageCp = fixed.get(0x3ffd0003)?.readUInt32LE(0);
  if (messageCp !== undefined && iconvNameForCodepage(messageCp)) return messageCp;
  const internetCp = fixed.get(0x3fde0003)?.readUInt32LE(0);
  const implied = internetCp === undefined ? null : ansiCodepageFor(internetCp);
  if (implied !== null) return implied;
  const rtf = listing.read('__substg1.0_10090102');
  if (rtf) {
    try {
      const cp = rtfInfo(decompressRtf(rtf, 64 * 1024)).ansiCodepage;
      if (cp !== null && iconvNameForCodepage(cp)) return cp;
    } catch {
      // no usable RTF: fall through
    }
  }
  return 1252;
}

function parseDate(s: string | undefined): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Charset of PR_HTML bytes: the internet code page, else a <meta> charset, else windows-1252. */
function htmlCharset(bytes: Uint8Array, internetCp: number | undefined): string {
  const fromCp = internetCp === undefined ? null : charsetForCodepage(internetCp);
  if (fromCp) return fromCp;
  const meta = /charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})/i.exec(Buffer.from(bytes.subarray(0, 2048)).toString('latin1'));
  return meta ? meta[1].toLowerCase() : 'windows-1252';
}

function fieldsToItem(reader: MsgReader, d: FieldsData): OutlookItem {
  const item = emptyItem();
  item.messageClass = d.messageClass ?? '';
  item.transportHeaders = d.headers ?? '';
  item.subject = d.subject ?? '';
  const senderAddr = d.senderSmtpAddress || d.sentRepresentingSmtpAddress || d.senderEmail || '';
  if ((d.senderName ?? '') !== '' || senderAddr !== '') item.from = { name: d.senderName ?? '', address: senderAddr };
  for (const r of d.recipients ?? []) {
    const kind: RecipientKind = r.recipType === 'cc' || r.recipType === 'bcc' ? r.recipType : 'to';
    item.recipients.push({ kind, name: r.name ?? '', address: r.smtpAddress || r.email || '' });
  }
  item.date = parseDate(d.clientSubmitTime) ?? parseDate(d.messageDeliveryTime);
  item.messageId = d.messageId ?? '';
  item.body = d.body ?? null;
  if (d.html && d.html.length > 0) {
    item.html = { bytes: Buffer.from(d.html), charset: htmlCharset(d.html, d.internetCodepage) };
  } else if (d.bodyHtml) {
    item.html = { text: d.bodyHtml };
  }
  item.rtfCompressed = d.compressedRtf && d.compressedRtf.length > 0 ? Buffer.from(d.compressedRtf) : null;
  item.attachments = (d.attachments ?? []).map((a) => attachmentOf(reader, a));
  return item;
}

function attachmentOf(reader: MsgReader, a: FieldsData): OutlookAttachment {
  const filename = a.fileName || a.fileNameShort || a.name || '';
  if (a.innerMsgContent && a.innerMsgContentFields) {
    return { kind: 'item', filename, item: fieldsToItem(reader, a.innerMsgContentFields) };
  }
  try {
    const data = reader.getAttachment(a);
    return {
      kind: 'file',
      filename,
      mimeType: a.attachMimeTag ?? '',
      contentId: a.pidContentId ?? '',
      inline: a.attachmentHidden === true && (a.pidContentId ?? '') !== '',
      data: Buffer.from(data.content),
    };
  } catch (e) {
    return { kind: 'missing', filename, reason: `attachment data not readable: ${describe(e)}` };
  }
}

/** Reads one .msg file. Returns exactly one item: a message, a non-mail item or a problem. */
export function readMsg(buf: Buffer, ctx: ReaderContext): MailboxItem[] {
  const corrupt = (reason: string): MailboxItem[] => [{ problem: true, name: '', kind: 'error', code: 'msg-corrupt', reason }];
  let listing: CfbListing;
  try {
    listing = inspectCfb(buf);
  } catch (e) {
    return corrupt(describe(e));
  }
  if (!listingLooksLikeMsg(listing)) return corrupt('compound file holds no Outlook item (no __substg1.0_ property streams)');

  let d: FieldsData;
  let reader: MsgReader;
  try {
    const cp = ansiCodepage(listing);
    reader = new MsgReader(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
    const enc = cp === null ? null : iconvNameForCodepage(cp);
    if (enc) reader.parserConfig = { ansiEncoding: enc };
    d = reader.getFileData();
  } catch (e) {
    return corrupt(`msgreader: ${describe(e)}`);
  }
  if (d.error) return corrupt(`msgreader: ${d.error}`);

  const messageClass = d.messageClass ?? '';
  if (!isMailClass(messageClass)) return [{ nonMail: true, name: '', what: messageClass }];

  let bytes: Buffer;
  try {
    const item = fieldsToItem(reader, d);
    bytes = toMime(item, { source: 'msg', maxEmbeddedDepth: ctx.limits.maxEmbeddedDepth, maxBytes: ctx.limits.maxMessageBytes });
  } catch (e) {
    return corrupt(`cannot rebuild message: ${describe(e)}`);
  }
  if (bytes.length > ctx.limits.maxMessageBytes) {
    return [{ problem: true, name: '', kind: 'skip', code: 'message-too-large', reason: `rebuilt message is ${bytes.length} bytes, limit ${ctx.limits.maxMessageBytes}` }];
  }
  return [{ name: '', bytes, origin: 'synthesized', meta: { messageClass } }];
}
