/**
 * @module mime/types
 * What the MIME stage produces for one message. Plain data: it crosses worker threads.
 */

/** Something odd about the message's structure, kept as evidence (never a crash). */
export interface Anomaly {
  code: string;
  detail: string;
}

export interface Address {
  name: string;
  address: string;
}

export interface ParsedAttachment {
  /** MIME part path, e.g. "2.1". */
  part: string;
  filename: string | null;
  contentType: string;
  disposition: string | null;
  contentId: string | null;
  size: number;
  sha256: string;
}

export interface ParsedMessage {
  headers: { name: string; value: string }[];
  messageId: string | null;
  date: string | null;
  dateRaw: string | null;
  from: Address[];
  sender: Address[];
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject: string;
  inReplyTo: string[];
  references: string[];
  /** Plain text of the body parts (text/plain, decoded). */
  text: string;
  /** HTML of the body parts (text/html, decoded, not sanitised: render only through the sanitiser). */
  html: string;
  attachments: ParsedAttachment[];
  /** Charsets met in the body and headers (for search facets and forensics). */
  charsets: string[];
  anomalies: Anomaly[];
  /** Number of MIME parts. */
  parts: number;
}
