/**
 * Seed corpus for the fuzz properties: a handful of small real messages and mailboxes from
 * ../shared/corpora (read in place, never copied), plus inline fallbacks so the properties still
 * run when the corpora are absent. Chosen for structure: multipart, digest, embedded message,
 * delivery reports, broken boundaries, charsets, mboxes with and without blank separators.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CORPORA = fileURLToPath(new URL('../../../shared/corpora/', import.meta.url));

const MESSAGE_FILES = [
  'mimekit/messages/simple-multipart.eml',
  'mimekit/messages/simple-embedded-message.eml',
  'mimekit/messages/multipart-digest.txt',
  'mimekit/messages/empty-multipart.txt',
  'mimekit/messages/missing-subtype.txt',
  'mimekit/messages/japanese.txt',
  'mimekit/messages/epilogue.txt',
  'mimekit/messages/delivery-status.txt',
  'mimekit/messages/multipart-related-mhtml.txt',
  'mimekit/messages/body.5.txt',
];

const MBOX_FILES = [
  'mimekit/mbox/simple.mbox.txt',
  'mimekit/mbox/unmunged.mbox.txt',
  'mbox/empty_attachment.mbox',
  'mbox/httpd-dev-28428.mbox',
  'mbox/tomcat-ancient-boundary.mbox',
];

const FALLBACK_MESSAGE = Buffer.from(
  'From: "A" <a@example.org>\r\nTo: b@example.org\r\nSubject: =?utf-8?B?w6lsw6lnYW50?= test\r\n' +
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\npreamble\r\n--XX\r\n' +
    'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n--XX\r\n' +
    'Content-Type: application/octet-stream; name="a.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n--XX\r\n' +
    'Content-Type: message/rfc822\r\n\r\nFrom: c@example.org\r\nSubject: inner\r\n\r\ninner body\r\n--XX--\r\nepilogue\r\n',
  'latin1',
);

const FALLBACK_MBOX = Buffer.from(
  'From a@example.org Mon Jan  2 10:00:00 2006\nFrom: a@example.org\nSubject: one\n\nhello\n>From here\n\n' +
    'From b@example.org Mon Jan  2 10:00:01 2006\nFrom: b@example.org\nContent-Length: 4\n\nbye\n\n',
  'latin1',
);

function load(files: string[], fallback: Buffer): Buffer[] {
  const out = files.map((f) => CORPORA + f).filter((p) => existsSync(p)).map((p) => readFileSync(p));
  return [fallback, ...out];
}

export const corporaPresent = existsSync(CORPORA);
export const messageSeeds: readonly Buffer[] = load(MESSAGE_FILES, FALLBACK_MESSAGE);
export const mboxSeeds: readonly Buffer[] = load(MBOX_FILES, FALLBACK_MBOX);
