import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { decodeText } from './charset.ts';

// Golden strings encoded with iconv-lite's encoder (an independent code path from the
// decoders under test: TextDecoder for most labels).
const GOLDEN: [label: string, text: string][] = [
  ['windows-1252', 'Note de frais – 1 250 €, réglé « vite »'],
  ['iso-8859-1', 'Élysée, façade, naïve'],
  ['iso-8859-15', 'Prix : 12 € – œuvre Ÿ'.replace('–', '-')],
  ['koi8-r', 'Документы готовы, пароль отдельно'],
  ['windows-1251', 'Привет из Москвы'],
  ['shift_jis', '日本語のメールテスト'],
  ['gb2312', '中文邮件测试'],
  ['big5', '中文郵件測試'],
  ['euc-kr', '한국어 메일'],
  ['iso-8859-2', 'Zażółć gęślą jaźń'],
  ['utf-7', 'Hi Mom -☺-!'],
];

describe('decodeText', () => {
  for (const [label, text] of GOLDEN) {
    it(`decodes ${label}`, () => {
      const bytes = iconv.encode(text, label);
      const d = decodeText(bytes, label);
      expect(d.text).toBe(text);
      expect(d.known).toBe(true);
    });
  }

  it('decodes iso-2022-jp (bytes from Python\'s codec: iconv-lite cannot encode it)', () => {
    const d = decodeText(Buffer.from('1b2442467c4b5c386c2546253925481b2842', 'hex'), 'ISO-2022-JP');
    expect(d.text).toBe('日本語テスト');
  });

  it('accepts labels as mail writes them (case, quotes, ANSI_X3.4-1968, ks_c_5601-1987)', () => {
    expect(decodeText(Buffer.from('plain'), 'ANSI_X3.4-1968').text).toBe('plain');
    expect(decodeText(iconv.encode('한국어', 'cp949'), 'ks_c_5601-1987').text).toBe('한국어');
    expect(decodeText(iconv.encode('Ünïcode', 'latin1'), '"ISO-8859-1"').text).toBe('Ünïcode');
  });

  it('reads 8-bit bytes declared as us-ascii as UTF-8 when valid, else windows-1252', () => {
    expect(decodeText(Buffer.from('café', 'utf8'), 'us-ascii').text).toBe('café');
    expect(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'us-ascii').text).toBe('café');
  });

  it('falls back on an unknown label and says so', () => {
    const d = decodeText(Buffer.from('résumé', 'utf8'), 'x-no-such-charset');
    expect(d.text).toBe('résumé');
    expect(d.known).toBe(false);
    const l = decodeText(Buffer.from([0x72, 0xe9, 0x73]), 'default_charset');
    expect(l.text).toBe('rés');
  });
});
