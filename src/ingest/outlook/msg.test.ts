/**
 * @module ingest/outlook/msg.test
 * readMsg and looksLikeMsg against the 44 msgreader test files in the shared corpora: exact
 * classification, decoded CJK/CP932 subjects, attachments (names, sizes, order), msg-in-msg and
 * attached .eml as message/rfc822, determinism, and damaged or non-Outlook compound files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import PostalMime, { type Email } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { CORPORA } from '../../../test/helpers/corpora.ts';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import type { FoundMessage, ReaderContext } from '../types.ts';
import { looksLikeMsg, readMsg } from './msg.ts';

const require = createRequire(import.meta.url);
const MsgReader = require('@kenjiuno/msgreader').default as typeof import('@kenjiuno/msgreader').default;
// msgreader's CFB writer, used to make a compound file that is not an Outlook item.
const { burn } = require('@kenjiuno/msgreader/lib/Burner.js') as typeof import('@kenjiuno/msgreader/lib/Burner.js');

const MSG_DIR = join(CORPORA, 'msg');
const ctx: ReaderContext = { limits: { ...DEFAULT_LIMITS }, tmpDir: '/tmp' };
const files = readdirSync(MSG_DIR).sort();
const load = (name: string) => readFileSync(join(MSG_DIR, name));

function message(name: string): FoundMessage {
  const [item] = readMsg(load(name), ctx);
  if (item.problem || 'nonMail' in item) throw new Error(`${name}: not a message: ${JSON.stringify(item)}`);
  return item;
}

async function parsed(name: string): Promise<Email> {
  return PostalMime.parse(message(name).bytes);
}

const sizes = (e: Email) => e.attachments.map((a) => [a.filename, a.mimeType, (a.content as ArrayBuffer).byteLength]);

/** Found by reading every file's PR_MESSAGE_CLASS (the MANIFEST's numbers were approximate). */
const NON_MAIL: Record<string, string> = {
  '7 days  everyday.msg': 'IPM.Appointment',
  'A black friday (w tz).msg': 'IPM.Appointment',
  'A black friday (wo tz).msg': 'IPM.Appointment',
  'A daily 1.msg': 'IPM.Appointment',
  'A memo.msg': 'IPM.StickyNote',
  'A monthly 1.msg': 'IPM.Appointment',
  'A schedule.msg': 'IPM.Appointment',
  'A weekly 1.msg': 'IPM.Appointment',
  'A yearly 1.msg': 'IPM.Appointment',
  'Appointment sample EST.msg': 'IPM.Appointment',
  'Friday Lunch.msg': 'IPM.Appointment',
  'Lanch time  every friday  in 2023 chgs1.msg': 'IPM.Appointment',
  'Lanch time  every friday  in 2023 chgs2.msg': 'IPM.Appointment',
  'Lanch time  every friday  in 2023 org.msg': 'IPM.Appointment',
  'contactAnsi.msg': 'IPM.Contact',
  'contactUnicode.msg': 'IPM.Contact',
};

describe('classification of the 44 corpus files', () => {
  it('28 IPM.Note messages, 13 appointments, 2 contacts, 1 sticky note; no problems', () => {
    expect(files).toHaveLength(44);
    const seen: Record<string, string> = {};
    let notes = 0;
    for (const f of files) {
      const items = readMsg(load(f), ctx);
      expect(items).toHaveLength(1);
      const [item] = items;
      if (item.problem) throw new Error(`${f}: ${item.reason}`);
      if ('nonMail' in item) {
        seen[f] = item.what;
        expect(item.name).toBe('');
      } else {
        notes++;
        expect(item).toMatchObject({ name: '', origin: 'synthesized', meta: { messageClass: 'IPM.Note' } });
        expect(item.bytes.subarray(0, 34).toString()).toBe('X-Trove-Synthesized: outlook-msg\r\n');
      }
    }
    expect(seen).toEqual(NON_MAIL);
    expect(notes).toBe(28);
    const counts: Record<string, number> = {};
    for (const w of Object.values(seen)) counts[w] = (counts[w] ?? 0) + 1;
    expect(counts).toEqual({ 'IPM.Appointment': 13, 'IPM.Contact': 2, 'IPM.StickyNote': 1 });
  });

  it('looksLikeMsg accepts every corpus file and rejects other compound files', () => {
    for (const f of files) expect(looksLikeMsg(load(f))).toBe(true);
    // A Word-like compound file: a WordDocument stream, no Outlook property streams.
    const doc = Buffer.from(burn([
      { name: 'Root Entry', type: 5, length: 0, children: [1, 2] },
      { name: 'WordDocument', type: 2, length: 5000, binaryProvider: () => new Uint8Array(5000).fill(7) },
      { name: '\u0001CompObj', type: 2, length: 100, binaryProvider: () => new Uint8Array(100) },
    ]));
    expect(looksLikeMsg(doc)).toBe(false);
    expect(readMsg(doc, ctx)).toEqual([{ problem: true, name: '', kind: 'error', code: 'msg-corrupt', reason: expect.stringMatching(/no Outlook item/) }]);
    expect(looksLikeMsg(Buffer.from('not a compound file at all'))).toBe(false);
  });
});

describe('headers and CJK / ANSI code pages', () => {
  it('decodes a CP932 (non-Unicode) subject and body through the ANSI code page', async () => {
    const e = await parsed('nonUnicodeCP932.msg');
    expect(e.subject).toBe('日本語 Non Unicode タイトル');
    expect(e.text?.trimEnd()).toBe('日本語 Non Unicode 本文');
    expect(e.to).toEqual([{ address: 'xmailuser2@xmailserver.test', name: '' }]);
    expect(e.date).toBe('2021-11-05T10:25:17.000Z');
  });

  it('decodes Unicode and ISO-2022-JP subjects', async () => {
    expect((await parsed('newOutlook Microsoft Outlook test.msg')).subject).toBe('Microsoft Outlook テスト メッセージ');
    const yes = await parsed('voteYes.msg');
    expect(yes.subject).toBe('はい: 3 vote items: はい;いいえ;たぶん');
    expect(yes.messageId).toBe('<!&!AAAAAAAAAAAYAAAAAAAAAMhvd5eG4u1FrRI13ZUKpD3CgAAAEAAAACfDkx1LwvlJrcgpqnDqBPIBAAAAAA==@xmailserver.test>');
    // The TNEF message's own Content-Disposition must not turn the rebuilt message into an attachment.
    expect(yes.attachments).toEqual([]);
    expect(message('voteYes.msg').bytes.toString()).toContain('X-Trove-Original-Content-Type: application/ms-tnef;');
  });

  it('uses transport headers verbatim, minus the regenerated MIME fields', () => {
    const s = message('test.msg').bytes.toString('utf8');
    const head = s.slice(0, s.indexOf('\r\n\r\n'));
    expect(head).toContain('\r\nMessage-ID: <000001d3c2c0$e7ca4aa0$b75edfe0$@freiraum.xyz>\r\n');
    expect(head).toContain('\r\nX-Mailer: Microsoft Outlook 16.0\r\n');
    expect(head.match(/^Content-Type:/gim)).toHaveLength(1);
    expect(head.match(/^MIME-Version:/gim)).toHaveLength(1);
    expect(head).toContain('X-Trove-Original-Content-Type: multipart/mixed;');
  });

  it('synthesizes headers from properties when there are no transport headers', () => {
    const s = message('sent2.msg').bytes.toString('utf8');
    expect(s.slice(0, s.indexOf('\r\n\r\n'))).toBe([
      'X-Trove-Synthesized: outlook-msg',
      'X-Trove-Message-Class: IPM.Note',
      // The sender has only an Exchange DN, no SMTP address: written as a name-only group.
      'From: UnoKenji: ;',
      'To: <ku@digitaldolphins.jp>',
      'Subject: Sending test',
      'Date: Tue, 31 Aug 2021 01:56:16 +0000',
      'Message-ID: <OS3P286MB0565639EF64566509A9EE31281CC9@OS3P286MB0565.JPNP286.PROD.OUTLOOK.COM>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
    ].join('\r\n'));
  });
});

describe('bodies and attachments', () => {
  it('keeps attachment names, types, sizes and order', async () => {
    expect(sizes(await parsed('attachmentsOrder.msg'))).toEqual([
      ['A.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 11627],
      ['B.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 11631],
      ['C.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 11753],
      ['D.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 11762],
    ]);
    expect(sizes(await parsed('test.msg'))).toEqual([['5AAoPFgV-nJ965R7o-98C38840-4454-4750-9AEF-F53DB3E37548.jpg', 'image/jpeg', 122784]]);
    expect(sizes(await parsed('attachmentFiles.msg'))).toEqual([['jpg.jpg', 'image/jpeg', 726], ['png.png', 'image/png', 134], ['tif.tif', 'image/tiff', 664]]);
  });

  it('marks inline images inline with their Content-ID', async () => {
    const e = await parsed('attachAndInline.msg');
    expect(e.attachments.map((a) => [a.filename, a.disposition, a.contentId ?? null])).toEqual([
      ['attach.png', 'attachment', null],
      ['image001.png', 'inline', '<image001.png@01D78380.EF6DC500>'],
    ]);
    expect(e.html).toContain('cid:image001.png@01D78380.EF6DC500');
  });

  it('recovers the HTML body encapsulated in RTF (\\fromhtml1) next to the plain text', async () => {
    const e = await parsed('Simple.msg');
    expect(e.text?.trimEnd()).toBe('Simple');
    expect(e.html).toMatch(/^<html xmlns:v="urn:schemas-microsoft-com:vml"/);
    expect(e.html).toContain('>Simple<o:p></o:p></span></p></div></body></html>');
    expect(e.html).not.toMatch(/\\htmlrtf|\\par|\{\\\*/);
  });

  it('turns msg-in-msg into nested message/rfc822 parts, three levels deep', async () => {
    const outer = await parsed('msgInMsgInMsg.msg');
    expect(outer.subject).toBe('I have sub attachments!');
    expect(sizes(outer).map((s) => s.slice(0, 2))).toEqual([['I have attachments!', 'message/rfc822'], ['blue.png', 'image/png']]);
    const middle = await PostalMime.parse(outer.attachments[0].content as ArrayBuffer);
    expect(middle.subject).toBe('I have attachments!');
    expect(sizes(middle).map((s) => s.slice(0, 2))).toEqual([['Microsoft Outlook テスト メッセージ', 'message/rfc822'], ['green.png', 'image/png']]);
    const inner = await PostalMime.parse(middle.attachments[0].content as ArrayBuffer);
    expect(inner.subject).toBe('Microsoft Outlook テスト メッセージ');
    expect(inner.from).toEqual({ address: 'xmailuser@xmailserver.test', name: 'Microsoft Outlook' });

    const outerMail = await parsed('Outer mail.msg');
    expect(sizes(outerMail).map((s) => s.slice(0, 2))).toEqual([['OUTER 1.pdf', 'application/pdf'], ['OUTER 2.pdf', 'application/pdf'], ['Inner mail', 'message/rfc822']]);
    expect(sizes(outerMail).slice(0, 2).map((s) => s[2])).toEqual([15832, 16042]);
    const innerMail = await PostalMime.parse(outerMail.attachments[2].content as ArrayBuffer);
    expect(sizes(innerMail)).toEqual([['INNER 1.pdf', 'application/pdf', 15541], ['INNER 2.pdf', 'application/pdf', 15598]]);
    // The inner message is marked synthesized too.
    expect(Buffer.from(outerMail.attachments[2].content as ArrayBuffer).toString()).toMatch(/^X-Trove-Synthesized: outlook-msg\r?\n/);
  });

  it('keeps an attached .eml file byte for byte as a message/rfc822 part', () => {
    const buf = load('Attach sample eml sent.msg');
    const reader = new MsgReader(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
    const att = reader.getAttachment(reader.getFileData().attachments![0]);
    expect(att.fileName).toBe('sample.eml');
    expect(att.content.length).toBe(741);
    const bytes = message('Attach sample eml sent.msg').bytes;
    const s = bytes.toString('latin1');
    const at = s.indexOf('Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\nContent-Disposition: attachment;\r\n filename="sample.eml"\r\n\r\n');
    expect(at).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from(att.content))).toBe(true);
  });

  it('an .eml that Outlook converted on attach (embedded item) becomes message/rfc822 too', async () => {
    const e = await parsed('Attach sample eml received.msg');
    expect(sizes(e).map((s) => s.slice(0, 2))).toEqual([['sample.eml (555 バイト)', 'message/rfc822']]);
    const inner = await PostalMime.parse(e.attachments[0].content as ArrayBuffer);
    expect(inner.subject).toBe('sample');
    expect(inner.messageId).toBe('<4b8ce858-d06e-487e-a062-b8d7efb4d9d9@hmailserver.test>');
  });

  it('is deterministic: two reads give identical bytes for every file', () => {
    for (const f of files) {
      const a = readMsg(load(f), ctx)[0];
      const b = readMsg(load(f), ctx)[0];
      expect(a).toEqual(b);
    }
  });
});

describe('damaged files', () => {
  it('a truncated .msg is an error problem, not a crash', () => {
    const full = load('test.msg');
    for (const len of [100, 511, 4096, Math.floor(full.length / 2), full.length - 512]) {
      const [item] = readMsg(full.subarray(0, len), ctx);
      expect(item).toMatchObject({ problem: true, name: '', kind: 'error', code: 'msg-corrupt' });
    }
    const [half] = readMsg(full.subarray(0, Math.floor(full.length / 2)), ctx);
    expect((half as { reason: string }).reason).toMatch(/truncated/);
  });

  it('a cyclic sector chain is reported instead of looping forever in msgreader', () => {
    const b = Buffer.from(load('Simple.msg'));
    // Make the directory's first sector point to itself in the FAT.
    const dirStart = b.readUInt32LE(0x30);
    const fatSector = b.readUInt32LE(0x4c);
    b.writeUInt32LE(dirStart, 512 * (fatSector + 1) + 4 * dirStart);
    const [item] = readMsg(b, ctx);
    expect(item).toMatchObject({ problem: true, code: 'msg-corrupt' });
    expect((item as { reason: string }).reason).toMatch(/cyclic sector chain/);
  });

  it('a cyclic directory tree is reported too', () => {
    const b = Buffer.from(load('Simple.msg'));
    const dir = 512 * (b.readUInt32LE(0x30) + 1);
    b.writeUInt32LE(1, dir + 128 + 0x44); // entry 1 (in the first directory sector) is its own left sibling
    const [item] = readMsg(b, ctx);
    expect(item).toMatchObject({ problem: true, code: 'msg-corrupt' });
    expect((item as { reason: string }).reason).toMatch(/reached twice \(cyclic tree\)/);
    expect(looksLikeMsg(b)).toBe(false);
  });
});
