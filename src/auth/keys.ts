/**
 * @module auth/keys
 * The key archive: what `trove keys import FILE` reads (docs/CONTRACT.md), and the offline
 * resolver the verifier gets. DKIM keys are evidence in their own right: a key archived when the
 * mail was sent is what lets a newsroom verify a leak years later, after the domain has rotated
 * its keys. So the import keeps every value it is given (several per name = rotation), keeps the
 * dates and status, and reports every line it cannot use with its line number instead of
 * silently skipping it.
 *
 * Formats, one record per line (blank lines and `#` comments allowed):
 *   `<selector>._domainkey.<domain> <TXT value>`            (zone-file "quoted" "strings" are joined)
 *   `{"name": …, "value": …, "first_seen": …, "last_seen": …, "status": "active|revoked|published"}`
 */
import type { KeyRecord, KeyResolver } from './types.ts';
import { parseKeyRecord, importKey } from './dkim/key.ts';

export interface ArchivedKey extends KeyRecord {
  /** `selector._domainkey.domain`, lower case, no trailing dot. */
  name: string;
  /** 1-based line in the imported file. */
  line: number;
}

export interface LineProblem {
  line: number;
  message: string;
}

export interface KeyArchiveParse {
  records: ArchivedKey[];
  /** Lines that were not imported. */
  errors: LineProblem[];
  /** Lines imported as given whose DKIM record is unusable (revoked, malformed): verification will say so. */
  warnings: LineProblem[];
}

const MAX_LINE = 64 * 1024;
const STATUSES: ReadonlySet<string> = new Set(['active', 'revoked', 'published']);
// ASCII only: IDN domains appear here in their xn-- form, as in DNS.
const NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\._domainkey\.[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;

export function parseKeyArchive(text: string): KeyArchiveParse {
  const out: KeyArchiveParse = { records: [], errors: [], warnings: [] };
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((rawLine, i) => {
    const line = i + 1;
    const l = rawLine.replace(/\r$/, '');
    const t = l.trim();
    if (t === '' || t.startsWith('#')) return;
    if (l.length > MAX_LINE) {
      out.errors.push({ line, message: `line is longer than ${MAX_LINE} characters` });
      return;
    }
    const rec = t.startsWith('{') ? parseJsonLine(t, line, out.errors) : parseTextLine(t, line, out.errors);
    if (!rec) return;
    const problem = describeKeyRecord(rec.value);
    if (problem) out.warnings.push({ line, message: `${rec.name}: ${problem}` });
    out.records.push(rec);
  });
  return out;
}

function checkName(raw: string, line: number, errors: LineProblem[]): string | null {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!NAME.test(name)) {
    errors.push({ line, message: `"${raw.slice(0, 80)}" is not a DKIM key name (<selector>._domainkey.<domain>)` });
    return null;
  }
  return name;
}

function parseTextLine(t: string, line: number, errors: LineProblem[]): ArchivedKey | null {
  const m = /^(\S+)\s+(.*)$/.exec(t);
  if (!m) {
    errors.push({ line, message: 'expected "<selector>._domainkey.<domain> <TXT value>" but there is no value' });
    return null;
  }
  const name = checkName(m[1], line, errors);
  if (!name) return null;
  return { name, value: joinTxtStrings(m[2]), status: 'active', source: 'archive', line };
}

/** `"v=DKIM1; p=abc" "def"` (zone-file syntax) -> `v=DKIM1; p=abcdef`; anything else unchanged. */
export function joinTxtStrings(value: string): string {
  const v = value.trim();
  if (!/^("(?:[^"\\]|\\.)*"\s*)+$/.test(v)) return v;
  return [...v.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1')).join('');
}

function parseJsonLine(t: string, line: number, errors: LineProblem[]): ArchivedKey | null {
  let obj: unknown;
  try {
    obj = JSON.parse(t);
  } catch (e) {
    errors.push({ line, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` });
    return null;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    errors.push({ line, message: 'a JSON line must be an object {"name","value",…}' });
    return null;
  }
  const o = obj as Record<string, unknown>;
  const field = (k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
  const name = field('name');
  const value = field('value');
  if (typeof name !== 'string' || typeof value !== 'string') {
    errors.push({ line, message: '"name" and "value" are required strings' });
    return null;
  }
  const n = checkName(name, line, errors);
  if (!n) return null;
  const status = field('status') ?? 'active';
  if (typeof status !== 'string' || !STATUSES.has(status)) {
    errors.push({ line, message: `"status" must be "active", "revoked" or "published" (got ${JSON.stringify(status)?.slice(0, 40)})` });
    return null;
  }
  const rec: ArchivedKey = { name: n, value: joinTxtStrings(value), status: status as KeyRecord['status'], source: 'archive', line };
  for (const k of ['first_seen', 'last_seen'] as const) {
    const v = field(k);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) {
      errors.push({ line, message: `"${k}" must be a date (ISO 8601), got ${JSON.stringify(v)?.slice(0, 40)}` });
      return null;
    }
    rec[k] = new Date(Date.parse(v)).toISOString();
  }
  if (rec.first_seen && rec.last_seen && rec.first_seen > rec.last_seen) {
    errors.push({ line, message: '"first_seen" is after "last_seen"' });
    return null;
  }
  return rec;
}

/**
 * Checks a DKIM key record (v=, k=, p=, h=, s=, t=) and says in words what is wrong with it, or
 * null when it is a usable key.
 */
export function describeKeyRecord(value: string): string | null {
  const parsed = parseKeyRecord(value);
  if (!parsed.ok) return parsed.problem.reason;
  const imported = importKey(parsed.record);
  if (!imported.ok) return imported.problem.reason;
  if (imported.key.type === 'rsa' && imported.key.bits < 1024) return `RSA key of only ${imported.key.bits} bits (under 1024: signatures made with it prove nothing)`;
  return null;
}

/**
 * An offline resolver over a set of records. Records are grouped by name in the order given;
 * unknown names resolve to no records (NXDOMAIN).
 */
export function resolverFromRecords(records: Iterable<KeyRecord & { name: string }>): KeyResolver {
  const byName = new Map<string, KeyRecord[]>();
  for (const r of records) {
    const name = r.name.toLowerCase().replace(/\.$/, '');
    const list = byName.get(name) ?? [];
    const { name: _n, ...rest } = r;
    list.push({ ...rest });
    byName.set(name, list);
  }
  return (name: string) => byName.get(name.toLowerCase().replace(/\.$/, '')) ?? [];
}
