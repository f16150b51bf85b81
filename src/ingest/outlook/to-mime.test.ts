/**
 * @module ingest/outlook/to-mime.test
 * The MIME builder on hand-made items: header rules (transport headers vs synthesized), encodings
 * that must round-trip through a real parser (postal-mime), body choice incl. RTF, nesting limits,
 * and determinism.
 */
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { emptyItem, isMailClass, type OutlookItem } from './outlook-item.ts';
import { toMime, type ToMimeOptions } from './to-mime.ts';

const opts: ToMimeOptions = { source: 'pst', maxEmbeddedDepth: 16, maxBytes: 1 << 20 };

function item(over: Partial<OutlookItem>): OutlookItem {
  return { ...emptyItem(), messageClass: 'IPM.Note', ...over };
}

/** postal-mime adds or drops a final '\n' of its own at the end of text bodies; compare without. */
function own(text: string | undefined): string | undefined {
  return text?.replace(/\n+$/, '');
}

/** Plain RFC 2045 quoted-printable decoding, to check our encoder byte for byte. */
function qpDecode(s: string): Buffer {
  const bytes: number[] = [];
  const t = s.replace(/=\r\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=') { bytes.push(Number.parseInt(t.slice(i + 1, i + 3), 16)); i += 2; } else bytes.push(t.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

function headOf(b: Buffer): string {
  const s = b.toString('utf8');
  return s.slice(0, s.indexOf('\r\n\r\n'));
}

/** An uncompressed ('MELA') PR_RTF_COMPRESSED value. */
function mela(rtf: string): Buffer {
  const data = Buffer.from(rtf, 'latin1');
  const h = Buffer.alloc(16);
  h.writeUInt32LE(data.length + 12, 0);
  h.writeUInt32LE(data.length, 4);
  h.writeUInt32LE(0x414c454d, 8);
  return Buffer.concat([h, data]);
}

describe('headers', () => {
  it('keeps transport header fields verbatim, drops non-fields, renames the entity fields', () => {
    const b = toMime(item({
      subject: 'ignored: the transport headers have one',
      transportHeaders: 'Microsoft Mail Internet Headers Version 2.0\r\nReceived: from a\r\n\tby b; Mon, 1 Jan 2001 00:00:00 +0000\n'
        + 'Subject: =?utf-8?B?w6k=?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed;\r\n boundary="x"\r\n'
        + 'Content-Transfer-Encoding: 7bit\r\nX-Odd: v\r\n\r\n',
      body: 'hi',
    }), opts);
    expect(headOf(b)).toBe([
      'X-Trove-Synthesized: outlook-pst',
      'X-Trove-Message-Class: IPM.Note',
      'Received: from a\r\n\tby b; Mon, 1 Jan 2001 00:00:00 +0000',
      'Subject: =?utf-8?B?w6k=?=',
      'X-Trove-Original-MIME-Version: 1.0',
      'X-Trove-Original-Content-Type: multipart/signed;\r\n boundary="x"',
      'X-Trove-Original-Content-Transfer-Encoding: 7bit',
      'X-Odd: v',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
    ].join('\r\n'));
  });

  it('adds From/Subject/Date/Message-ID from properties when the transport headers lack them', () => {
    const b = toMime(item({
      transportHeaders: 'Received: from a by b\r\nSubject: kept\r\n',
      subject: 'not used', from: { name: 'Ann', address: 'ann@example.com' },
      date: new Date(Date.UTC(2001, 1, 3, 4, 5, 6)), messageId: 'abc@example.com',
    }), opts);
    expect(headOf(b).split('\r\n').slice(2, 6)).toEqual([
      'From: Ann <ann@example.com>',
      'Date: Sat, 03 Feb 2001 04:05:06 +0000',
      'Message-ID: <abc@example.com>',
      'Received: from a by b',
    ]);
  });

  it('synthesizes encoded headers that a parser decodes back', async () => {
    const b = toMime(item({
      subject: 'Ünïcödé 件名 — a fairly long subject line so that it needs more than one encoded word to fit',
      from: { name: 'Müller, Jörg', address: 'jm@example.de' },
      recipients: [
        { kind: 'to', name: 'Plain Name', address: 'p@example.com' },
        { kind: 'to', name: '"Quoted" \\ name', address: 'q@example.com' },
        { kind: 'cc', name: '山田', address: 'y@example.jp' },
        { kind: 'bcc', name: 'Exchange User', address: '/o=Org/ou=Admin/cn=Recipients/cn=user' },
      ],
      date: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)),
      messageId: '<id@x>', inReplyTo: '<parent@x>', references: '<root@x> <parent@x>',
      body: 'body',
    }), opts);
    const e = await PostalMime.parse(b);
    expect(e.subject).toBe('Ünïcödé 件名 — a fairly long subject line so that it needs more than one encoded word to fit');
    expect(e.from).toEqual({ name: 'Müller, Jörg', address: 'jm@example.de' });
    expect(e.to).toEqual([{ name: 'Plain Name', address: 'p@example.com' }, { name: '"Quoted" \\ name', address: 'q@example.com' }]);
    expect(e.cc).toEqual([{ name: '山田', address: 'y@example.jp' }]);
    expect(e.inReplyTo).toBe('<parent@x>');
    expect(e.references).toBe('<root@x> <parent@x>');
    expect(e.date).toBe('2020-01-02T03:04:05.000Z');
    // An address that is not an address is kept as a name-only group, never invented.
    expect(headOf(b)).toContain('Bcc: Exchange User: ;');
    expect(headOf(b).split('\r\n').every((l) => l.length <= 998)).toBe(true);
  });

  it('falls back to PR_DISPLAY_TO names when there is no recipient table', () => {
    const b = toMime(item({ displayTo: 'Ann Smith; Bob', body: 'x' }), opts);
    expect(headOf(b)).toContain('To: Ann Smith: ;,\r\n Bob: ;');
  });
});

describe('bodies', () => {
  it('quoted-printable round-trips awkward text exactly, with lines of at most 76', () => {
    for (const text of [
      `${'x'.repeat(200)}\r\nFrom the start\r\n.dot\r\ntrailing space \r\ntab\t\r\n= sign 件名\r\n`,
      'no final newline, trailing space ',
      'bare\nLF and bare\rCR',
      '',
    ]) {
      const b = toMime(item({ body: text }), opts).toString('latin1');
      const qp = b.slice(b.indexOf('\r\n\r\n') + 4);
      expect(qp.split('\r\n').every((l) => l.length <= 76)).toBe(true);
      expect(qp).not.toMatch(/^(From |\.)/m);
      expect(qpDecode(qp).toString('utf8')).toBe(text.replace(/\r\n|\r|\n/g, '\r\n'));
    }
  });

  it('text + html become multipart/alternative; html bytes keep their charset', async () => {
    const html = Buffer.from([0x3c, 0x70, 0x3e, 0xe9, 0x3c, 0x2f, 0x70, 0x3e]); // <p>é</p> in latin-1
    const e = await PostalMime.parse(toMime(item({ body: 'é', html: { bytes: html, charset: 'windows-1252' } }), opts));
    expect(own(e.text)).toBe('é');
    expect(own(e.html)).toBe('<p>é</p>');
  });

  it('RTF: \\fromhtml gives the HTML, \\fromtext gives the text, native RTF-only becomes body.rtf', async () => {
    const fromHtml = '{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 {\\fonttbl{\\f0 Arial;}}{\\*\\htmltag64 <p>}\\htmlrtf {\\b\\htmlrtf0 caf\\\'e9 \\u8364?{\\*\\htmltag72 </p>}\\htmlrtf\\par}\\htmlrtf0}';
    const h = await PostalMime.parse(toMime(item({ rtfCompressed: mela(fromHtml) }), opts));
    expect(own(h.html)).toBe('<p>café €</p>');
    expect(h.text).toBeUndefined();

    const fromText = '{\\rtf1\\ansi\\fromtext {\\fonttbl{\\f0 Arial;}}line one\\par line two}';
    const t = await PostalMime.parse(toMime(item({ rtfCompressed: mela(fromText) }), opts));
    expect(own(t.text)).toBe('line one\r\nline two'.replace(/\r\n/g, '\n'));

    const native = '{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\b bold\\b0 text}';
    const n = await PostalMime.parse(toMime(item({ rtfCompressed: mela(native) }), opts));
    expect(n.attachments.map((a) => [a.filename, a.mimeType, Buffer.from(a.content as ArrayBuffer).toString('latin1')])).toEqual([['body.rtf', 'text/rtf', native]]);

    // With a PR_BODY present, native RTF is not duplicated.
    const both = await PostalMime.parse(toMime(item({ body: 'bold text', rtfCompressed: mela(native) }), opts));
    expect(both.attachments).toEqual([]);
  });

  it('an RTF that cannot be decompressed is kept raw with a note', () => {
    const bad = Buffer.alloc(20, 1);
    const b = toMime(item({ rtfCompressed: bad }), opts);
    expect(headOf(b)).toContain('X-Trove-Note: RTF body not decompressed: unknown compressed RTF type 0x1010101');
    expect(b.toString()).toContain('filename="body-compressed-rtf.bin"');
  });
});

describe('attachments and nesting', () => {
  it('encodes long non-ASCII file names in both RFC 2047 and RFC 2231 forms', async () => {
    const name = `報告書 ${'長い名前'.repeat(20)} (final).pdf`;
    const b = toMime(item({ body: 'x', attachments: [{ kind: 'file', filename: name, mimeType: '', contentId: '', inline: false, data: Buffer.from('%PDF-1.4') }] }), opts);
    expect(b.toString().split('\r\n').every((l) => l.length <= 998)).toBe(true);
    const e = await PostalMime.parse(b);
    expect(e.attachments.map((a) => [a.filename, a.mimeType, (a.content as ArrayBuffer).byteLength])).toEqual([[name, 'application/pdf', 8]]);
  });

  it('nests embedded items as message/rfc822 and stops at maxEmbeddedDepth with a note', async () => {
    let inner: OutlookItem = item({ subject: 'level 3', body: 'deepest' });
    for (const level of [2, 1, 0]) {
      inner = item({ subject: `level ${level}`, body: 'b', attachments: [{ kind: 'item', filename: `child of ${level}`, item: inner }] });
    }
    const all = await PostalMime.parse(toMime(inner, opts));
    expect(all.attachments.map((a) => a.mimeType)).toEqual(['message/rfc822']);
    const limited = toMime(inner, { ...opts, maxEmbeddedDepth: 2 });
    const s = limited.toString();
    expect(s.match(/Content-Type: message\/rfc822/g)).toHaveLength(2);
    expect(s).toContain('X-Trove-Missing-Attachment: child of 2: embedded message nested deeper than 2');
  });

  it('an .eml that does not look like a message stays an opaque file', async () => {
    const e = await PostalMime.parse(toMime(item({ body: 'x', attachments: [{ kind: 'file', filename: 'x.eml', mimeType: '', contentId: '', inline: false, data: Buffer.from([0, 1, 2, 3]) }] }), opts));
    expect(e.attachments.map((a) => [a.filename, a.mimeType, (a.content as ArrayBuffer).byteLength])).toEqual([['x.eml', 'application/octet-stream', 4]]);
  });

  it('is deterministic, and boundaries follow the content', () => {
    const mk = (data: string) => item({ subject: 's', body: 'b', attachments: [{ kind: 'file', filename: 'a.bin', mimeType: '', contentId: '', inline: false, data: Buffer.from(data) }] });
    const a1 = toMime(mk('one'), opts);
    expect(toMime(mk('one'), opts).equals(a1)).toBe(true);
    const boundary = (b: Buffer) => /boundary="([^"]+)"/.exec(b.toString())?.[1];
    expect(boundary(toMime(mk('two'), opts))).not.toBe(boundary(a1));
    expect(boundary(a1)).toMatch(/^=_trove_[0-9a-f]{40}$/);
  });
});

describe('isMailClass', () => {
  it('takes notes, reports, posts and meeting messages as mail; calendar and the rest not', () => {
    for (const c of ['IPM.Note', 'ipm.note.smime.multipartsigned', 'REPORT.IPM.Note.NDR', 'IPM.Schedule.Meeting.Request', 'IPM.Post', '']) {
      expect(isMailClass(c)).toBe(true);
    }
    for (const c of ['IPM.Appointment', 'IPM.Contact', 'IPM.StickyNote', 'IPM.Task', 'IPM.Activity', 'IPM.DistList', 'IPM.Notes']) {
      expect(isMailClass(c)).toBe(false);
    }
  });
});
