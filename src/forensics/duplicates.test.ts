import { describe, expect, it } from 'vitest';
import { divergentDuplicates, normaliseBody } from './duplicates.ts';

const msg = (extra: string, body: string, to = 'bob@example.org') =>
  Buffer.from(`${extra}From: Alice <alice@example.com>\nTo: ${to}\nSubject: Budget\nDate: Mon, 5 Jun 2023 10:00:00 +0000\nMessage-ID: <1@example.com>\n\n${body}`);

describe('normaliseBody', () => {
  it('undoes transport changes', () => {
    expect(normaliseBody('a  \r\n>From here\r\n\r\n')).toEqual(['a', 'From here']);
    expect(normaliseBody('text\n-- \nTo unsubscribe, e-mail: x-unsubscribe@lists.example\n')).toEqual(['text']);
  });
});

describe('divergentDuplicates', () => {
  it('ignores trace headers, line endings and list footers', () => {
    const a = msg('Received: from a by b; Mon, 5 Jun 2023 10:00:01 +0000\nX-Spam: no\n', 'Pay 100.\n');
    const b = Buffer.from(msg('Return-Path: <x@y>\n', 'Pay 100.\r\n\r\n_______________\nmailing list\nhttps://lists.example/listinfo\n').toString().replace(/\n/g, '\r\n'));
    expect(divergentDuplicates('<1@example.com>', [{ id: 'a', verdict: 'unverifiable', raw: a }, { id: 'b', verdict: 'unverifiable', raw: b }]).size).toBe(0);
  });
  it('flags both copies of an altered duplicate and names the verified one as reference', () => {
    const a = msg('', 'Pay 100 to account 1.\n');
    const b = msg('', 'Pay 900 to account 7.\n');
    const f = divergentDuplicates('<1@example.com>', [{ id: 'a'.repeat(64), verdict: 'verified', raw: a }, { id: 'b'.repeat(64), verdict: 'unverifiable', raw: b }]);
    expect(f.get('a'.repeat(64))?.[0]).toMatchObject({ code: 'duplicate-divergent', severity: 'warning' });
    expect(f.get('b'.repeat(64))?.[0]).toMatchObject({ code: 'duplicate-divergent', severity: 'critical', contradicts: true });
    expect(f.get('b'.repeat(64))?.[0].detail).toMatch(/Pay 900 to account 7.*verified signature and is the reference: this copy was altered/);
  });
  it('treats a consistent recipient rewrite as information only', () => {
    const a = msg('', 'Sent to bob@example.org\n');
    const b = msg('', 'Sent to bob@redacted.invalid\n', 'bob@redacted.invalid');
    const f = divergentDuplicates('<1@example.com>', [{ id: 'a', verdict: null, raw: a }, { id: 'b', verdict: null, raw: b }]);
    expect(f.get('a')?.[0]).toMatchObject({ severity: 'info', contradicts: false });
  });
});
