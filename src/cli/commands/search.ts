/**
 * @module cli/commands/search
 * `trove search QUERY`: ranked hits with snippets, exact total, paging, facets. Messages not
 * indexed yet (a case from before search existed, an interrupted ingest) are indexed first.
 */
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
import { correspondents, count, facets, indexPending, search, snippetHtml, snippetText, SORT_ORDERS, timeline, type Facets, type SortOrder } from '../../search/index.ts';
import { globals, openCase, out } from '../context.ts';

interface Opts {
  limit: string;
  offset: string;
  sort?: string;
  count?: boolean;
  facets?: boolean;
  timeline?: boolean;
  correspondents?: boolean;
}

function whole(name: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new TroveError('usage', `${name} must be a whole number ≥ 0 (got ${v})`);
  return Number(v);
}

function facetsText(f: Facets): string {
  const lines: string[] = [];
  for (const [name, values] of Object.entries(f) as [string, { value: string; count: number }[]][]) {
    if (!values.length) continue;
    lines.push(`${name}:`);
    for (const v of values) lines.push(`  ${String(v.count).padStart(7)}  ${v.value}`);
  }
  return lines.join('\n');
}

export function registerSearch(program: Command): void {
  program
    .command('search')
    .description('search the case (query language: words, "phrases", prefix*, AND/OR/NOT/-, (), from: to: cc: subject: domain: date:A..B has:attachment filename: verdict: evidence: thread:)')
    .argument('<query...>', 'the query (several arguments are joined with spaces)')
    .allowUnknownOption()
    .option('--limit <n>', 'hits per page', '20')
    .option('--offset <n>', 'hits to skip', '0')
    .option('--sort <order>', `${SORT_ORDERS.join(' | ')} (default: relevance for text queries, else date)`)
    .option('--count', 'print only the exact number of matching messages')
    .option('--facets', 'also count senders, domains, years, months, verdicts, evidence and attachment types over all matches')
    .option('--timeline', 'also count matches per UTC day')
    .option('--correspondents', 'also list who wrote to whom among the matches')
    .action((words: string[], o: Opts, cmd: Command) => {
      const g = globals(cmd);
      const q = words.join(' ');
      if (o.sort !== undefined && !(SORT_ORDERS as readonly string[]).includes(o.sort)) throw new TroveError('usage', `--sort must be one of ${SORT_ORDERS.join(', ')} (got ${o.sort})`);
      const limit = whole('--limit', o.limit);
      const offset = whole('--offset', o.offset);
      const db = openCase(g, false);
      try {
        indexPending(db, {
          onProgress: process.stderr.isTTY ? (done, total) => process.stderr.write(`\rindexing ${done}/${total}`) : undefined,
        });
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        if (o.count) {
          const total = count(db, q);
          out(g.json ? JSON.stringify({ total }) : String(total));
          return;
        }
        const r = search(db, q, { limit, offset, sort: o.sort as SortOrder | undefined });
        const extra = {
          ...(o.facets ? { facets: facets(db, q) } : {}),
          ...(o.timeline ? { timeline: timeline(db, q) } : {}),
          ...(o.correspondents ? { correspondents: correspondents(db, q) } : {}),
        };
        if (g.json) {
          out(JSON.stringify({ total: r.total, hits: r.hits.map((h) => ({ ...h, snippet: snippetHtml(h.snippet) })), ...extra }));
          return;
        }
        const bold = process.stdout.isTTY ? ['\x1b[1m', '\x1b[0m'] : ['[', ']'];
        const lines = [`${r.total} message${r.total === 1 ? '' : 's'}${r.total > r.hits.length ? ` (showing ${r.hits.length ? `${offset + 1}–${offset + r.hits.length}` : 'none'})` : ''}`];
        for (const h of r.hits) {
          lines.push('', `${h.id.slice(0, 12)}  ${h.date?.slice(0, 16).replace('T', ' ') ?? '(no date)'}  ${h.verdict}`, `  ${h.from_name ? `${h.from_name} <${h.from}>` : h.from}`, `  ${h.subject}`);
          if (h.snippet) lines.push(`  ${snippetText(h.snippet, bold[0], bold[1])}`);
        }
        if (extra.facets) lines.push('', facetsText(extra.facets));
        if (extra.timeline) lines.push('', 'timeline:', ...extra.timeline.map((t) => `  ${t.day}  ${t.count}`));
        if (extra.correspondents) lines.push('', 'correspondents:', ...extra.correspondents.map((e) => `  ${String(e.count).padStart(6)}  ${e.from} → ${e.to}`));
        out(lines.join('\n'));
      } finally {
        db.close();
      }
    });
}
