import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { splitHeaders } from '../mime/headers.ts';
import { compatible, fingerprintOf, mailerKey, shapeOf, type Fingerprint } from './fingerprint.ts';
import { MAILER_MIN_SAMPLES, MailerModel } from './mailer-model.ts';

const fields = (s: string) => {
  const b = Buffer.from(s.replace(/\n/g, '\r\n'));
  return splitHeaders(b, 0, b.length, DEFAULT_LIMITS, []).fields;
};

describe('shapes', () => {
  it('keeps the skeleton of real Message-IDs and boundaries and replaces the variable parts', () => {
    expect(shapeOf('21504713.1075840254387.JavaMail.evans')).toBe('{digits}.{digits}.JavaMail.{lower}');
    expect(shapeOf('----=_NextPart_000_0007_01C2A9A6.6AD1DA50')).toBe('----=_NextPart_{digits}_{digits}_{HEX8}.{HEX8}');
    expect(shapeOf('CAKx5OeQ7Zb3F+qvE2h2gXx_yU3J-mZk0aPq')).toBe('{base64}');
    expect(shapeOf('Apple-Mail-2-1045319137')).toBe('Apple-Mail-{digits}-{digits}');
    expect(shapeOf('------------010203040506070809000102')).toBe('------------{digits}');
  });
  it('accepts chance variants of random tokens, not other generators', () => {
    expect(compatible('{digits}.{digits}', '{digits}.{hex8}')).toBe(true);
    expect(compatible('{digits}.{lower}', '{digits}.{alnum}')).toBe(true);
    expect(compatible('{digits}.{alnum}', '{digits}.{digits}')).toBe(false);
    expect(compatible('{base64}', '{digits}.{digits}')).toBe(false);
  });
  it('names the mailer by family and major version', () => {
    expect(mailerKey('Microsoft Outlook IMO, Build 9.0.2416 (9.0.2911.0)')?.key).toBe('microsoft outlook imo, build/9');
    expect(mailerKey('Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.8.1.2) Gecko/20070221 Thunderbird/2.0.0.0')?.key).toBe('thunderbird/2');
    expect(mailerKey('Mutt/1.4i')?.key).toBe('mutt/1');
    expect(mailerKey('iPhone Mail (14E304)')?.key).toBe('iphone mail/14');
    expect(mailerKey('  ')).toBeNull();
  });
  it('reads the fingerprint of a header block', () => {
    const fp = fingerprintOf(fields('Received: from a by b; Mon, 1 Jan 2001 00:00:00 +0000\nFrom: "Kay" <kay@Example.COM>\nTo: x@y.org\nSubject: s\nDate: Mon, 1 Jan 2001 00:00:00 +0000\nMessage-ID: <21504713.1075840254387.JavaMail.evans@thyme>\nX-Mailer: Microsoft Outlook 16.0\nThread-Index: AdLx\nContent-Type: multipart/alternative;\n boundary="----=_NextPart_000_0007_01C2A9A6.6AD1DA50"\n\nbody'));
    expect(fp).toEqual({
      domain: 'example.com', mailer: 'microsoft outlook/16', mailerText: 'Microsoft Outlook 16.0', messageId: '<{digits}.{digits}.JavaMail.{lower}@…>', messageIdHost: 'thyme',
      boundary: '----=_NextPart_{digits}_{digits}_{HEX8}.{HEX8}', order: ['from', 'to', 'subject', 'date', 'message-id', 'x-mailer', 'thread-index', 'content-type'], msHeaders: 'thread-index',
    });
  });
});

const base: Fingerprint = { domain: 'elysee.fr', mailer: 'microsoft outlook/16', mailerText: 'Microsoft Outlook 16.0', messageId: '<{hex32}@…>', messageIdHost: 'mail.elysee.fr', boundary: null, order: ['from', 'to', 'subject', 'date', 'message-id'], msHeaders: 'thread-index' };

function model(verified: number, other: Partial<Fingerprint>[] = []): MailerModel {
  const m = new MailerModel();
  for (let i = 0; i < verified; i++) m.learn(base, 'verified');
  for (const o of other) m.learn({ ...base, ...o }, 'unverifiable');
  return m;
}

describe('mailer model', () => {
  const forged = { ...base, messageId: '<{base64}@…>' };
  it('judges only with the minimum of verified samples, then as a contradiction', () => {
    expect(model(MAILER_MIN_SAMPLES.verified - 1).judge(forged, 'unverifiable')).toBeNull();
    const f = model(MAILER_MIN_SAMPLES.verified).judge(forged, 'unverifiable');
    expect(f).toMatchObject({ code: 'mailer-fingerprint-mismatch', severity: 'warning', contradicts: true });
    expect(f?.detail).toContain('its Message-ID format is <{base64}@…>, never seen in the 20 verified messages of mail from elysee.fr written with "Microsoft Outlook 16.0", which have <{hex32}@…> (20)');
    expect(model(MAILER_MIN_SAMPLES.verified).judge(base, 'unverifiable')).toBeNull();
  });
  it('does not count the judged message among its own group', () => {
    const m = model(MAILER_MIN_SAMPLES.verified);
    m.learn(forged, 'verified');
    expect(m.judge(forged, 'verified')?.severity).toBe('warning');
  });
  it('falls back to the corpus majority with info severity, from a larger minimum', () => {
    const majority = Array.from({ length: MAILER_MIN_SAMPLES.majority }, () => ({}));
    expect(model(0, majority.slice(1)).judge({ ...forged, msHeaders: '' }, 'unverifiable')).toBeNull();
    const f = model(0, [...majority, forged]).judge(forged, 'unverifiable');
    expect(f).toMatchObject({ severity: 'info', contradicts: false });
    expect(f?.detail).toMatch(/learned from unauthenticated messages/);
  });
  it('says nothing about a group without a consistent habit', () => {
    const mixed = Array.from({ length: 30 }, (_, i) => ({ messageId: `<{shape${i % 6}}@…>`, messageIdHost: `h${i % 6}` }));
    const m = new MailerModel();
    for (const o of mixed) m.learn({ ...base, ...o }, 'verified');
    expect(m.judge(forged, 'unverifiable')).toBeNull();
  });
  it('flags header fields in an order the verified messages never use, and Outlook headers they never lack', () => {
    const m = model(MAILER_MIN_SAMPLES.verified);
    const f = m.judge({ ...base, order: ['message-id', 'date', 'from', 'to', 'subject'], msHeaders: '' }, null);
    expect(f?.detail).toMatch(/set of Outlook headers .* is none of them, never seen in the 20 verified messages/);
    expect(f?.detail).toMatch(/header fields are in the order Message-ID, Date, From, To, Subject, while .* always have Date before Message-ID \(20 of 20\), From before Message-ID \(20 of 20\), .* and 4 more pair\(s\)/);
  });
  it('learns nothing from tampered messages', () => {
    const m = model(MAILER_MIN_SAMPLES.verified - 1);
    m.learn(base, 'tampered');
    expect(m.judge(forged, 'unverifiable')).toBeNull();
  });
});
