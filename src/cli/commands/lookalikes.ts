/**
 * @module cli/commands/lookalikes
 * `trove lookalikes DOMAIN…`: lookalike domains of the given legitimate ones — found in the
 * case (default: headers, links and bodies of every message), in a domain list (`--feed`),
 * or generated for defenders (`--generate`). Reads the case, never writes it (the evidence
 * rows come from `analyze`).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
import { DEFAULT_MIN_SCORE, detect, generate, makeTarget, scanCase, type Match, type Target } from '../../lookalike/index.ts';
import { globals, out, withCase } from '../context.ts';

interface Options {
  generate?: boolean;
  feed?: string;
  minScore?: string;
}

function targetsOf(domains: string[]): Target[] {
  return domains.map((d) => {
    const t = makeTarget(d);
    if (!t) throw new TroveError('usage', `not a domain name: ${d}`);
    return t;
  });
}

function line(m: Match & { seen_in?: string[] }): string {
  const seen = m.seen_in ? `  ${m.seen_in.length} message(s): ${m.seen_in.map((s) => s.slice(0, 12)).join(' ')}` : '';
  return `${m.score.toFixed(2)}  ${m.kind.padEnd(13)} ${m.unicode ? `${m.unicode} (${m.domain})` : m.domain} → ${m.target}  [${m.parts.map((p) => p.reason).join('; ')}]${seen}`;
}

async function scanFeed(file: string, ts: Target[], minScore: number): Promise<(Match & { seen_in: string[] })[]> {
  const found = new Map<string, Match & { seen_in: string[] }>();
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const raw of rl) {
    const d = raw.trim().split(/[\s,]/)[0];
    if (!d || d.startsWith('#')) continue;
    const m = detect(d, ts, minScore);
    if (m && !found.has(m.domain)) found.set(m.domain, { ...m, seen_in: [] });
  }
  return [...found.values()].sort((a, b) => b.score - a.score || a.domain.localeCompare(b.domain));
}

export function registerLookalikes(program: Command): void {
  program
    .command('lookalikes')
    .argument('[domains...]', 'the legitimate domains (default for a case scan: guessed from the most common recipient domains)')
    .description('lookalike/phishing domains of legitimate ones: in the case, in a feed, or generated')
    .option('--generate', 'generate candidate lookalikes (typos, homoglyphs, TLD swaps, combosquats…)')
    .option('--feed <file>', 'scan a domain list, one domain a line')
    .option('--min-score <n>', `report scores at or above n (default ${DEFAULT_MIN_SCORE})`)
    .action(async (domains: string[], o: Options, cmd: Command) => {
      const g = globals(cmd);
      const minScore = o.minScore === undefined ? DEFAULT_MIN_SCORE : Number(o.minScore);
      if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1) throw new TroveError('usage', '--min-score takes a number between 0 and 1');
      if (o.generate) {
        if (!domains.length) throw new TroveError('usage', '--generate needs at least one domain');
        const cands = targetsOf(domains).flatMap((t) => generate(t.domain));
        if (g.json) out(JSON.stringify(cands));
        else for (const c of cands) out(`${c.kind.padEnd(13)} ${c.domain}`);
        return;
      }
      if (o.feed) {
        if (!domains.length) throw new TroveError('usage', '--feed needs at least one legitimate domain');
        const hits = await scanFeed(o.feed, targetsOf(domains), minScore).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') throw new TroveError('input-not-found', `no such file: ${o.feed}`);
          throw e;
        });
        if (g.json) out(JSON.stringify(hits));
        else out(hits.length ? hits.map(line).join('\n') : 'no lookalikes');
        return;
      }
      await withCase(cmd, false, (db) => {
        if (domains.length) targetsOf(domains);
        const r = scanCase(db, domains, minScore);
        if (g.json) {
          out(JSON.stringify(r.hits));
          return;
        }
        if (!r.targets.length) throw new TroveError('usage', 'no domain given and none could be guessed from the recipients: name the case\'s own domains');
        out(`lookalikes of ${r.targets.join(', ')} in ${r.messages} messages:`);
        out(r.hits.length ? r.hits.map(line).join('\n') : 'none');
      });
    });
}
