/**
 * @module ingest/outlook/outlook-item
 * The neutral shape of one Outlook item, filled from either a .msg (msgreader) or a PST/OST
 * (pst-extractor), and turned into RFC 5322 bytes by to-mime.ts. Keeping the two libraries
 * behind this shape means the MIME rules (headers, bodies, attachments) exist once.
 */

/** One address as Outlook stores it: a display name and an address of some type. */
export interface OutlookAddress {
  name: string;
  /** SMTP address when known; otherwise whatever the item holds (an Exchange DN, ''). */
  address: string;
}

export type RecipientKind = 'to' | 'cc' | 'bcc';

export interface OutlookRecipient extends OutlookAddress {
  kind: RecipientKind;
}

/** A body in its stored form: decoded text, or bytes with the charset they are in. */
export type StoredBody = { text: string } | { bytes: Buffer; charset: string };

export interface FileAttachment {
  kind: 'file';
  /** Best file name the item has (long name, then short name, then display name); may be ''. */
  filename: string;
  /** PR_ATTACH_MIME_TAG when set. */
  mimeType: string;
  /** PR_ATTACH_CONTENT_ID, without angle brackets, when set. */
  contentId: string;
  /** True when the attachment is rendered in the body (hidden in the attachment well). */
  inline: boolean;
  data: Buffer;
}

/** A message attached as an Outlook object (msg-in-msg, or an .eml Outlook converted on attach). */
export interface EmbeddedItemAttachment {
  kind: 'item';
  filename: string;
  item: OutlookItem;
}

/** An attachment Outlook could not give us (by reference, OLE, unreadable); kept as a note. */
export interface MissingAttachment {
  kind: 'missing';
  filename: string;
  reason: string;
}

export type OutlookAttachment = FileAttachment | EmbeddedItemAttachment | MissingAttachment;

export interface OutlookItem {
  /** PR_MESSAGE_CLASS, e.g. `IPM.Note`; '' when absent. */
  messageClass: string;
  /** PR_TRANSPORT_MESSAGE_HEADERS: the header block as received, when the item went through SMTP. */
  transportHeaders: string;
  subject: string;
  /** The author (PR_SENT_REPRESENTING_*), falling back to the sender (PR_SENDER_*). */
  from: OutlookAddress | null;
  /** The sender when it differs from `from` (sent on behalf of). */
  sender: OutlookAddress | null;
  recipients: OutlookRecipient[];
  /** PR_DISPLAY_TO / CC / BCC: names only, used when the recipient table is empty. */
  displayTo: string;
  displayCc: string;
  displayBcc: string;
  /** PR_CLIENT_SUBMIT_TIME, else PR_MESSAGE_DELIVERY_TIME. */
  date: Date | null;
  /** PR_INTERNET_MESSAGE_ID. */
  messageId: string;
  inReplyTo: string;
  references: string;
  /** PR_BODY. */
  body: string | null;
  /** PR_HTML (bytes in the item's internet code page) or PR_BODY_HTML (text). */
  html: StoredBody | null;
  /** PR_RTF_COMPRESSED, still compressed. */
  rtfCompressed: Buffer | null;
  attachments: OutlookAttachment[];
}

export function emptyItem(): OutlookItem {
  return {
    messageClass: '', transportHeaders: '', subject: '', from: null, sender: null, recipients: [],
    displayTo: '', displayCc: '', displayBcc: '', date: null, messageId: '', inReplyTo: '', references: '',
    body: null, html: null, rtfCompressed: null, attachments: [],
  };
}

/**
 * Whether an item of this message class is an email. Notes (IPM.Note and its subclasses: S/MIME,
 * receipts, voting), reports (REPORT.* non-delivery and read receipts), posts and meeting messages
 * (IPM.Schedule.Meeting.* — invitations and responses travel as mail with transport headers, and
 * readpst exports them as mail) are mail. Appointments, contacts, tasks, sticky notes, journal
 * entries, distribution lists and everything else are not.
 * An empty class is taken as mail: Outlook treats a missing class as IPM.Note, and losing a
 * message is worse than ingesting an odd one.
 */
export function isMailClass(messageClass: string): boolean {
  const c = messageClass.trim().toUpperCase();
  if (c === '' || c === 'IPM') return true;
  return c === 'IPM.NOTE' || c.startsWith('IPM.NOTE.')
    || c.startsWith('REPORT.')
    || c === 'IPM.POST' || c.startsWith('IPM.POST.')
    || c.startsWith('IPM.SCHEDULE.MEETING');
}
