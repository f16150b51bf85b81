import { describe, it, expect } from 'vitest';
import { fetchKeys, type TxtLookup } from './key-fetch.ts';
import { testKey } from './testing/sign.ts';

describe('fetchKeys (injected resolver, no DNS)', () => {
  const good = testKey('rsa', 1024).txt;
  const zone: Record<string, string[][]> = {
    'a._domainkey.x.example': [[good.slice(0, 100), good.slice(100)]], // multi-string TXT is joined
    'b._domainkey.x.example': [['v=spf1 -all']], // not a DKIM record
    'weak._domainkey.x.example': [[testKey('rsa', 512).txt]],
  };
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const lookup: TxtLookup = async (name, signal) => {
    log.push(name);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (name.startsWith('slow.')) {
        await new Promise((res) => signal.addEventListener('abort', res, { once: true }));
        throw new Error('aborted');
      }
      await new Promise((res) => setTimeout(res, 5));
      if (name.startsWith('fail.')) throw Object.assign(new Error('server failure'), { code: 'ESERVFAIL' });
      const v = zone[name];
      if (!v) throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
      return v;
    } finally {
      inFlight--;
    }
  };

  it('reports found / not found / error per name, with a timeout and a concurrency limit', async () => {
    const names = ['a._domainkey.x.example', 'b._domainkey.x.example', 'c._domainkey.x.example', 'weak._domainkey.x.example', 'fail._domainkey.x.example', 'slow._domainkey.x.example', ...Array.from({ length: 10 }, (_, i) => `n${i}._domainkey.y.example`)];
    const r = await fetchKeys(names, { lookup, timeoutMs: 200, concurrency: 3 });
    expect(r.map((x) => x.name)).toEqual(names);
    expect(r[0]).toMatchObject({ outcome: 'found', records: [{ value: good, problem: null }] });
    expect(r[1].outcome).toBe('not-found');
    expect(r[2].outcome).toBe('not-found');
    expect(r[3].outcome).toBe('found');
    expect(r[3].records[0].problem).toMatch(/512 bits/);
    expect(r[4]).toMatchObject({ outcome: 'error' });
    expect(r[4].error).toMatch(/ESERVFAIL/);
    expect(r[5].outcome).toBe('error');
    expect(r[5].error).toMatch(/ETIMEOUT/);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(log).toHaveLength(names.length);
  });
});
