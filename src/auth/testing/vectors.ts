/**
 * @module auth/testing/vectors
 * Test support: reads the shared DKIM/ARC vectors in place (/work/shared/dkim-vectors, a sibling
 * of the repository, laid out the same way in CI). The vectors are never copied into the repo.
 * TROVE_DKIM_VECTORS overrides the location.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { KeyResolver, KeyRecord } from '../types.ts';

export const VECTORS_DIR = process.env.TROVE_DKIM_VECTORS ?? fileURLToPath(new URL('../../../../shared/dkim-vectors/', import.meta.url));
export const MBOX_DIR = fileURLToPath(new URL('../../../../shared/corpora/mbox/', import.meta.url));

export interface ExpectedSignature {
  d: string;
  s: string;
  expect: 'pass' | 'fail' | 'neutral' | 'permerror' | 'temperror' | 'policy';
  why?: string;
  crypto?: 'pass' | 'fail';
  aligned?: boolean;
  added_header?: string;
  unsigned_body_bytes?: number;
}

export interface ExpectedRow {
  file: string;
  signatures: ExpectedSignature[];
  arc?: 'pass' | 'fail' | 'none';
  verify_at?: number;
  label?: string;
  test?: string;
  keys_override?: Record<string, string>;
  from_domain?: string;
  observed?: { dkimpy?: string[]; opendkim?: string[]; dkimpy_arc?: string };
}

export function vectorsPresent(): boolean {
  return existsSync(join(VECTORS_DIR, 'README.md'));
}

export function folders(): string[] {
  return readdirSync(VECTORS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(VECTORS_DIR, d.name, 'expected.jsonl')))
    .map((d) => d.name)
    .sort();
}

/** keys.txt: `name value` per line, the value runs to the end of the line. */
export function loadKeys(folder: string): Map<string, string> {
  const keys = new Map<string, string>();
  const path = join(VECTORS_DIR, folder, 'keys.txt');
  if (!existsSync(path)) return keys;
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    const l = line.replace(/\r$/, '');
    if (!l.trim() || l.startsWith('#')) continue;
    const sp = l.indexOf(' ');
    keys.set(l.slice(0, sp).toLowerCase().replace(/\.$/, ''), l.slice(sp + 1));
  }
  return keys;
}

export function loadRows(folder: string): ExpectedRow[] {
  return readFileSync(join(VECTORS_DIR, folder, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ExpectedRow);
}

export function readMessage(folder: string, file: string): Buffer {
  return readFileSync(join(VECTORS_DIR, folder, file));
}

/** Resolver over keys.txt with a row's keys_override applied. */
export function resolverFor(keys: Map<string, string>, override?: Record<string, string>, extra: Partial<KeyRecord> = {}): KeyResolver {
  const k = new Map(keys);
  for (const [n, v] of Object.entries(override ?? {})) k.set(n.toLowerCase(), v);
  return (name) => {
    const v = k.get(name);
    return v === undefined ? [] : [{ value: v, status: 'active', source: 'archive', ...extra }];
  };
}

export function nowFor(row: ExpectedRow): Date | undefined {
  return row.verify_at === undefined ? undefined : new Date(row.verify_at * 1000);
}

/** Splits an mbox file into messages (From_ lines; no unescaping: DKIM needs the bytes as stored). */
export function splitMbox(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = -1;
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const end = nl === -1 ? buf.length : nl + 1;
    const isFrom = buf[pos] === 0x46 && buf.toString('latin1', pos, Math.min(pos + 5, buf.length)) === 'From ' && (pos === 0 || buf[pos - 1] === 0x0a);
    if (isFrom) {
      if (start !== -1) out.push(buf.subarray(start, pos));
      start = end; // message starts after the From_ line
    }
    pos = end;
  }
  if (start !== -1 && start < buf.length) out.push(buf.subarray(start));
  return out;
}
