import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressParser } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { CORPORA, extracted } from '../../test/helpers/corpora.ts';
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { LONG_FIELD_CHARS, MAX_ADDRESS_CHARS, MAX_NAME_CHARS, addressList, simpleAddress, splitAddresses } from './address-list.ts';
import { parseMessage } from './parse.ts';
import type { Anomaly } from './types.ts';

/** The oracle: postal-mime's parser on the whole field, as trove used it before. */
function whole(v: string) {
  return addressParser(v, { flatten: true })
    .filter((a) => a.address || a.name)
    .map((a) => ({ name: a.name ?? '', address: (a.address ?? '').trim() }));
}

let fields: string[] | null = null;

/** Unfolded To, Cc, Bcc and From values of every message in the shared mbox, SpamAssassin and Enron corpora. */
function realFields(): string[] {
  if (fields) return fields;
  const files = readdirSync(join(CORPORA, 'mbox')).map((f) => join(CORPORA, 'mbox', f));
  for (const root of [extracted('spamassassin'), extracted('enron-maildir')]) {
    for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) if (e.isFile()) files.push(join(e.parentPath, e.name));
  }
  const out = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, 'latin1').replace(/\r?\n[ \t]+/g, ' ');
    for (const m of text.matchAll(/^(?:To|Cc|Bcc|From): *(.*)$/gim)) if (m[1].trim()) out.add(m[1].trim());
  }
  return (fields = [...out]);
}

const TRICKY = [
  '"Doe, John" <john.doe@example.com>',
  'jane@example.org (Jane, from accounts)',
  '"quote \\" and, comma" <q@example.net>',
  '=?utf-8?Q?Ren=C3=A9e_Dupont?= <renee@en-marche.fr>',
  '=?iso-8859-1?B?Q2Fm6Q==?= <cafe@example.fr>',
  'Team: a@example.com, "B, b" <b@example.com>;',
  'undisclosed-recipients:;',
  '<mailto:odd@example.com>',
  'bare@example.com',
  'Name Only',
  '"Semi;colon" <s@example.com>',
];

describe('address fields', () => {
  it('every address field of the mbox, SpamAssassin and Enron corpora reads the same split as whole', () => {
    // distinct fields, spam included: splitting at these boundaries never changes what the parser reads
    const all = realFields();
    expect(all.length).toBeGreaterThan(30_000);
    let split = 0;
    for (const v of all) {
      const anomalies: Anomaly[] = [];
      expect(addressList('To', [v], anomalies, 0), v).toEqual(whole(v));
      // and read as ingest reads it (simple shapes here, the rest by the parser)
      expect(addressList('To', [v], []), v).toEqual(whole(v));
      expect(anomalies).toEqual([]);
      if (splitAddresses(v).length > 1) split++;
    }
    expect(split).toBeGreaterThan(1000);
  });

  it('the simple shapes read as the parser reads them, on every address of the corpora', () => {
    let simple = 0;
    let other = 0;
    for (const v of realFields()) for (const piece of splitAddresses(v)) {
      const got = simpleAddress(piece);
      if (!got) {
        other++;
        continue;
      }
      simple++;
      expect([got], piece).toEqual(whole(piece));
    }
    for (const piece of TRICKY) if (simpleAddress(piece)) expect([simpleAddress(piece)], piece).toEqual(whole(piece));
    expect(simple).toBeGreaterThan(10_000);
    expect(other).toBeGreaterThan(1_000);
  });

  it('quotes, comments, encoded words, groups and semicolons in a long field, as the parser reads them whole', () => {
    for (let shift = 0; shift < TRICKY.length; shift++) {
      const parts = Array.from({ length: 300 }, (_, i) => TRICKY[(i + shift) % TRICKY.length]);
      const v = parts.join(', ');
      expect(v.length).toBeGreaterThan(LONG_FIELD_CHARS);
      expect(addressList('Cc', [v], [])).toEqual(whole(v));
    }
  });

  it('splits at top-level separators only', () => {
    expect(splitAddresses('"a, b" <x@y>, c@d (e, f), G: h@i, j@k; <l,m@n>')).toEqual(['"a, b" <x@y>', 'c@d (e, f)', 'h@i', 'j@k', '<l,m@n>']);
    expect(splitAddresses('"esc \\", still" <q@r> ; ,, s@t')).toEqual(['"esc \\", still" <q@r>', 's@t']);
  });

  it('an address longer than the limit keeps its <address>, cuts its name and says so', () => {
    const name = '=?utf-8?Q?Tr=C3=A9sor?= '.repeat(40_000); // ~1 MB, one token for the parser
    const anomalies: Anomaly[] = [];
    const got = addressList('To', [`ok@example.com, "${name}" <evil@onedrive-en-marche.fr>, after@example.com`], anomalies);
    expect(got[0]).toEqual({ name: '', address: 'ok@example.com' });
    expect(got[1].address).toBe('evil@onedrive-en-marche.fr');
    expect(got[1].name.startsWith('TrésorTrésor')).toBe(true);
    expect(got[1].name.length).toBe(MAX_NAME_CHARS + 1);
    expect(got[2]).toEqual({ name: '', address: 'after@example.com' });
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0].code).toBe('address-too-long');
    expect(anomalies[0].detail).toMatch(/^To: an address of [\d,]+ characters \(limit 8,192\).*<evil@onedrive-en-marche\.fr> is kept/);
    // without an address at its end, the name alone
    const bare = addressList('Cc', ['x'.repeat(MAX_ADDRESS_CHARS + 1) + ', y@example.com'], []);
    expect(bare).toEqual([{ name: `${'x'.repeat(MAX_NAME_CHARS)}…`, address: '' }, { name: '', address: 'y@example.com' }]);
  });

  it("MimeKit's stack-overflow.txt: the 135 KB To: gives its address and one anomaly", () => {
    const raw = readFileSync(join(CORPORA, 'mimekit/messages/stack-overflow.txt'));
    const { message } = parseMessage(raw, DEFAULT_LIMITS);
    expect(message.to[0]).toEqual({ name: 'test', address: 'test@test.com' });
    expect(message.anomalies.filter((a) => a.code === 'address-too-long').map((a) => a.detail)).toEqual([
      expect.stringMatching(/^To: an address of [\d,]+ characters .*it has no <address>/),
    ]);
  });
});
