/**
 * Distinct sender domains (From: header) of the Enron and SpamAssassin corpora: ordinary
 * domain lists to measure the lookalike detector's false positives on.
 */
import { readdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { extracted } from '../helpers/corpora.ts';

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

const FROM = /^from:[^\n]*?@([a-z0-9.-]+\.[a-z]{2,})/im;

export function senderDomains(corpus: 'enron-maildir' | 'spamassassin'): string[] {
  const out = new Set<string>();
  const buf = Buffer.alloc(8192);
  for (const f of files(extracted(corpus))) {
    if (statSync(f).size === 0) continue;
    const fd = openSync(f, 'r');
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const m = FROM.exec(buf.subarray(0, n).toString('latin1'));
    if (m) out.add(m[1].toLowerCase().replace(/\.$/, ''));
  }
  return [...out].sort();
}
