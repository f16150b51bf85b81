import { describe, expect, it } from 'vitest';
import { dateFindings, explainedStep } from './dates.ts';
import { parseReceived } from './received.ts';

const NOW = Date.parse('2024-01-01T00:00:00Z');
const t = (s: string) => Date.parse(s);
// Newest first, as in a header block.
const CHAIN = [
  'from mx.b.example (mx.b.example [192.0.2.2]) by mail.c.example with ESMTP id 2; Mon, 5 Jun 2023 10:00:30 +0000',
  'from smtp.a.example (smtp.a.example [192.0.2.1]) by mx.b.example with ESMTP id 1; Mon, 5 Jun 2023 12:00:10 +0200',
  'from laptop (unknown [10.0.0.5]) by smtp.a.example with ESMTPSA id 0; Mon, 5 Jun 2023 05:59:50 -0400',
];

describe('parseReceived', () => {
  it('returns hops oldest first with hosts and UTC times', () => {
    const hops = parseReceived(CHAIN);
    expect(hops.map((h) => [h.from, h.by])).toEqual([['laptop', 'smtp.a.example'], ['smtp.a.example', 'mx.b.example'], ['mx.b.example', 'mail.c.example']]);
    expect(hops.map((h) => h.time)).toEqual([t('2023-06-05T09:59:50Z'), t('2023-06-05T10:00:10Z'), t('2023-06-05T10:00:30Z')]);
  });
});

describe('dateFindings', () => {
  const hops = parseReceived(CHAIN);
  it('passes a consistent message', () => {
    expect(dateFindings(t('2023-06-05T09:59:00Z'), hops, NOW)).toEqual([]);
  });
  it('passes whole-hour zone mistakes and small drift', () => {
    expect(dateFindings(t('2023-06-05T10:59:00Z'), hops, NOW)).toEqual([]);
    expect(dateFindings(t('2023-06-05T10:20:00Z'), hops, NOW)).toEqual([]);
    expect(explainedStep(3 * 3_600_000 + 120_000)).toBe(true);
    expect(explainedStep(3 * 3_600_000 + 17 * 60_000)).toBe(false);
  });
  it('flags a Date moved forward by a non-zone amount', () => {
    const f = dateFindings(t('2023-06-05T15:17:00Z'), hops, NOW);
    expect(f.map((x) => x.code)).toEqual(['date-skew']);
    expect(f[0].contradicts).toBe(true);
  });
  it('flags a Date moved back beyond a queue retry window', () => {
    expect(dateFindings(t('2023-05-20T10:00:00Z'), hops, NOW).map((x) => x.code)).toEqual(['date-skew']);
  });
  it('flags impossible dates', () => {
    expect(dateFindings(t('1980-01-01T00:00:00Z'), [], NOW).map((x) => x.code)).toEqual(['date-impossible']);
    expect(dateFindings(t('2030-01-01T00:00:00Z'), [], NOW).map((x) => x.code)).toEqual(['date-impossible']);
    expect(dateFindings(t('2023-06-09T00:00:00Z'), hops, NOW).map((x) => x.code)).toEqual(['date-impossible']);
  });
  it('flags swapped Received lines (hosts link backwards)', () => {
    const swapped = parseReceived([CHAIN[0], CHAIN[2], CHAIN[1]]);
    expect(dateFindings(t('2023-06-05T09:59:00Z'), swapped, NOW).map((x) => x.code)).toEqual(['received-chain-disorder']);
  });
  it('flags a hop stamped more than a day before the previous one', () => {
    const pasted = [CHAIN[0].replace('Mon, 5 Jun 2023', 'Fri, 2 Jun 2023'), CHAIN[1], CHAIN[2]];
    expect(dateFindings(t('2023-06-05T09:59:00Z'), parseReceived(pasted), NOW).map((x) => x.code)).toEqual(['received-chain-disorder']);
  });
  it('ignores relays writing local time with a wrong zone', () => {
    const zone = [CHAIN[0].replace('10:00:30 +0000', '10:00:30 +0500'), CHAIN[1], CHAIN[2]];
    expect(dateFindings(t('2023-06-05T09:59:00Z'), parseReceived(zone), NOW)).toEqual([]);
  });
});
