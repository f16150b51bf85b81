/**
 * The MIME stage against an independent oracle: Python's email package, over real corpora
 * with many charsets (TREC 2007 slice, SpamAssassin). Exact agreement is required except in
 * the documented cases where the two readings legitimately differ.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { parseMessage } from '../../src/mime/parse.ts';
import { extracted, REPO } from '../helpers/corpora.ts';

interface PyOut { file: string; flowed?: boolean; subject?: string | null; message_id?: string | null; text?: string | null; attachments?: string[]; error?: string }

function files(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (!n.startsWith('.') && !/README|index|cmds/.test(n)) out.push(p);
  }
  return out;
}

function python(paths: string[]): PyOut[] {
  const stdout = execFileSync('python3', [join(REPO, 'test/oracle/py-mime.py')], { input: paths.join('\n') + '\n', maxBuffer: 512 * 1024 * 1024 });
  return stdout.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as PyOut);
}

/**
 * Quoted-printable lines made only of '=' ("=====") are invalid QP. Python's binascii turns
 * each "==" into one "=" (its "broken python qp" case); trove keeps every '=' and, per RFC
 * 2045, reads the final '=' as a soft line break. Neither is the sender's intent; these
 * bodies are left out of the text comparison.
 */
function invalidQpRule(path: string): boolean {
  const raw = readFileSync(path, 'latin1');
  return /quoted-printable/i.test(raw) && /^={2,}\r?$/m.test(raw);
}

function ours(path: string) {
  let raw = readFileSync(path);
  if (raw.subarray(0, 5).toString('latin1') === 'From ') raw = raw.subarray(raw.indexOf(10) + 1);
  return parseMessage(raw, DEFAULT_LIMITS).message;
}

// Python decodes ISO-8859-1 bytes 0x80-0x9F as C1 controls; WHATWG (like every mail client)
// reads them as windows-1252 (’ “ € …). Both readings of those 32 bytes compare equal here.
const CP1252_HIGH = new TextDecoder('windows-1252').decode(Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i));
const C1 = new RegExp(`[\\u0080-\\u009f${CP1252_HIGH.replace(/[\\\]^-]/g, '\\$&')}]`, 'g');
// GB2312 0xA1A4: WHATWG's GBK table says U+00B7 (·), Python's gb2312 codec U+30FB (・).
const norm = (s: string) => s.replace(C1, '?').replace(/\u30fb/g, '\u00b7').replace(/\r\n/g, '\n').replace(/\n+$/, '');
// Python's compat32 turns raw 8-bit header bytes into '?'; trove decodes them (UTF-8, else windows-1252).
const normSubject = (s: string) => s.replace(/[^\x00-\x7f]/g, '?').replace(/\s+/g, ' ').trim();

for (const corpus of ['trec07-slice', 'spamassassin']) {
  describe(`MIME oracle: ${corpus}`, () => {
    it('agrees with Python on Message-IDs, subjects, plain bodies and attachment names', () => {
      const dir = extracted(corpus);
      const paths = files(dir);
      expect(paths.length).toBeGreaterThan(2900);
      const py = python(paths);
      const stats = { messageId: [0, 0], subject: [0, 0], text: [0, 0], attachments: [0, 0] };
      const bad: Record<string, string[]> = { messageId: [], subject: [], text: [], attachments: [] };
      for (const p of py) {
        if (p.error) continue;
        const m = ours(p.file);
        const check = (k: keyof typeof stats, a: unknown, b: unknown) => {
          stats[k][1]++;
          if (JSON.stringify(a) === JSON.stringify(b)) stats[k][0]++;
          else if (bad[k].length < 5) bad[k].push(`${p.file}: ours ${JSON.stringify(a)?.slice(0, 120)} vs python ${JSON.stringify(b)?.slice(0, 120)}`);
        };
        // Python keeps folding inside a Message-ID; trove unfolds it (RFC 5322 §2.2.3)
        const pid = p.message_id?.replace(/\r?\n(?=[ \t])/g, '');
        if (pid && /^<[^<>]*>$/.test(pid)) check('messageId', m.messageId, pid);
        // Python leaves undecodable or unknown-charset words encoded: compare only where it decoded fully
        if (typeof p.subject === 'string' && !p.subject.includes('=?')) check('subject', normSubject(m.subject), normSubject(p.subject));
        // format=flowed: trove joins flowed lines (RFC 3676), Python does not
        if (typeof p.text === 'string' && !p.flowed && m.attachments.length === 0 && !invalidQpRule(p.file)) check('text', norm(m.text), norm(p.text));
        if (p.attachments && p.attachments.length && !p.attachments.some((a) => a.includes('=?'))) check('attachments', m.attachments.map((a) => a.filename).filter(Boolean).sort(), p.attachments);
      }
      console.log(corpus, JSON.stringify(stats), JSON.stringify(bad, null, 1));
      for (const k of Object.keys(stats) as (keyof typeof stats)[]) {
        expect(stats[k][1], k).toBeGreaterThan(50);
      }
      expect(bad).toEqual({ messageId: [], subject: [], text: [], attachments: [] });
    });
  });
}
