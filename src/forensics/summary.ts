/**
 * @module forensics/summary
 * `trove forensics summary`: who wrote the case's documents, for which company, with which
 * software, and when each name was first and last seen (by the Date of the carrying
 * messages). The corpus-level view that shows a foreign name among a campaign's files.
 */
import type { CaseDb } from '../store/sqlite.ts';
import { scriptOf } from './script.ts';

export interface SummaryEntry {
  value: string;
  script: string | null;
  /** Attachments (distinct files) carrying the value. */
  files: number;
  messages: number;
  first_seen: string | null;
  last_seen: string | null;
}

export interface MetadataSummary {
  authors: SummaryEntry[];
  companies: SummaryEntry[];
  software: SummaryEntry[];
  devices: SummaryEntry[];
}

export function forensicsSummary(db: CaseDb): MetadataSummary {
  type Acc = { files: Set<string>; messages: Set<string>; first: string | null; last: string | null };
  const groups: Record<keyof MetadataSummary, Map<string, Acc>> = { authors: new Map(), companies: new Map(), software: new Map(), devices: new Map() };
  const add = (g: keyof MetadataSummary, v: unknown, sha: string, msg: string, date: string | null) => {
    if (typeof v !== 'string' || !v.trim()) return;
    const key = v.trim();
    const a = groups[g].get(key) ?? { files: new Set(), messages: new Set(), first: null, last: null };
    a.files.add(sha);
    a.messages.add(msg);
    if (date && (!a.first || date < a.first)) a.first = date;
    if (date && (!a.last || date > a.last)) a.last = date;
    groups[g].set(key, a);
  };
  const rows = db.stmt("SELECT a.sha256, a.message, a.metadata, m.date FROM attachments a JOIN messages m ON m.id = a.message WHERE a.metadata IS NOT NULL AND a.metadata <> '{}'").all() as Record<string, unknown>[];
  for (const r of rows) {
    const m = JSON.parse(String(r.metadata)) as Record<string, unknown>;
    const sha = String(r.sha256);
    const msg = String(r.message);
    const date = (r.date as string | null) ?? null;
    add('authors', m.author, sha, msg, date);
    if (m.lastModifiedBy !== m.author) add('authors', m.lastModifiedBy, sha, msg, date);
    add('companies', m.company, sha, msg, date);
    add('software', m.software, sha, msg, date);
    if (m.creatorTool) add('software', m.creatorTool, sha, msg, date);
    if (m.make || m.model) add('devices', [m.make, m.model].filter(Boolean).join(' '), sha, msg, date);
  }
  const list = (g: Map<string, Acc>): SummaryEntry[] =>
    [...g].map(([value, a]) => ({ value, script: scriptOf(value), files: a.files.size, messages: a.messages.size, first_seen: a.first, last_seen: a.last }))
      .sort((x, y) => y.files - x.files || x.value.localeCompare(y.value));
  return { authors: list(groups.authors), companies: list(groups.companies), software: list(groups.software), devices: list(groups.devices) };
}
