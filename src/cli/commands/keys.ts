/**
 * @module cli/commands/keys
 * `trove keys import FILE`, `keys list [--missing]` and `keys fetch`. `keys fetch` is the only
 * command in trove that touches the network, and only for the key names `list --missing` shows.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dnsTxtLookup, fetchKeys, FETCH_CONCURRENCY, FETCH_TIMEOUT_MS, type TxtLookup } from '../../auth/key-fetch.ts';
import { parseKeyArchive } from '../../auth/keys.ts';
import { TroveError } from '../../core/errors.ts';
import { importKeys, loadKeys, missingKeys, recordFetchedKeys } from '../../store/keys.ts';
import { globals, openCase, out } from '../context.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the case\'s archive of DKIM public keys');
  keys
    .command('import')
    .description('add DKIM keys: lines "<selector>._domainkey.<domain> <TXT value>" or JSON lines {name,value,first_seen,last_seen,status}')
    .argument('<file>')
    .action((file: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new TroveError('input-not-found', `cannot read ${file}: ${(e as Error).message}`);
      }
      const parsed = parseKeyArchive(text);
      const db = openCase(g, true);
      try {
        const r = importKeys(db, parsed.records);
        if (g.json) out(JSON.stringify({ ...r, errors: parsed.errors, warnings: parsed.warnings }));
        else {
          out(`${r.added} keys added, ${r.known} already in the archive, ${parsed.errors.length} lines not imported`);
          for (const e of parsed.errors) out(`${file}:${e.line}: ${e.message}`);
          for (const w of parsed.warnings) out(`${file}:${w.line}: warning: ${w.message}`);
          if (r.added) out('run `trove analyze` to re-check the messages with these keys');
        }
        if (parsed.errors.length && !parsed.records.length) process.exitCode = 1;
      } finally {
        db.close();
      }
    });
  keys
    .command('list')
    .description('the archived keys (--missing: the key names the corpus needs and the archive lacks)')
    .option('--missing', 'list the selectors the signatures reference that the archive lacks, with message counts')
    .action((o: { missing?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const db = openCase(g, false);
      try {
        if (o.missing) {
          const m = missingKeys(db);
          if (g.json) out(JSON.stringify(m));
          else {
            for (const k of m) out(`${k.name}  ${k.messages} message${k.messages === 1 ? '' : 's'}${k.aligned ? ` (${k.aligned} signed by their From domain)` : ''}`);
            out(m.length ? `${m.length} key names missing; \`trove keys import FILE\` (or \`trove keys fetch\`, which uses DNS) then \`trove analyze\`` : 'no missing keys');
          }
          return;
        }
        const all = loadKeys(db);
        if (g.json) out(JSON.stringify(all));
        else for (const k of all) out(`${k.name}  ${k.status}  ${k.source}${k.first_seen ? `  seen ${k.first_seen.slice(0, 10)}${k.last_seen && k.last_seen.slice(0, 10) !== k.first_seen.slice(0, 10) ? `..${k.last_seen.slice(0, 10)}` : ''}` : ''}  ${k.value.slice(0, 60)}${k.value.length > 60 ? '…' : ''}`);
      } finally {
        db.close();
      }
    });
  keys
    .command('fetch')
    .description('look up in DNS the missing keys (see `keys list --missing`) and archive them with the date seen; the only network access in trove')
    .option('--timeout <ms>', 'per-name timeout in milliseconds', String(FETCH_TIMEOUT_MS))
    .option('--concurrency <n>', 'lookups in flight at once', String(FETCH_CONCURRENCY))
    .option('--server <ip...>', 'DNS servers to ask (default: the system\'s)')
    .option('--zone <file>', 'answer from this file ("<name> <TXT value>" lines) instead of DNS, e.g. a saved zone or an earlier lookup')
    .option('--dry-run', 'look up and print, archive nothing')
    .action(async (o: { timeout: string; concurrency: string; server?: string[]; zone?: string; dryRun?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const timeoutMs = Number(o.timeout);
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new TroveError('usage', '--timeout must be a positive number of milliseconds');
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new TroveError('usage', '--concurrency must be an integer from 1 to 64');
      const lookup = o.zone ? zoneLookup(o.zone) : dnsTxtLookup(o.server);
      const db = openCase(g, false);
      try {
        const wanted = missingKeys(db);
        const now = new Date();
        const results = await fetchKeys(wanted.map((w) => w.name), { lookup, timeoutMs, concurrency, now });
        const found = results.flatMap((r) => r.records.map((rec) => ({ name: r.name, value: rec.value })));
        const stored = o.dryRun ? { added: 0, refreshed: 0 } : recordFetchedKeys(db, found, now);
        const counts = { names: results.length, found: results.filter((r) => r.outcome === 'found').length, not_found: results.filter((r) => r.outcome === 'not-found').length, errors: results.filter((r) => r.outcome === 'error').length };
        if (g.json) out(JSON.stringify({ fetched_at: now.toISOString(), source: o.zone ? `zone:${o.zone}` : 'dns', ...counts, ...stored, results }));
        else {
          for (const r of results) {
            if (r.outcome === 'found') for (const rec of r.records) out(`found      ${r.name}  ${rec.value.slice(0, 60)}${rec.value.length > 60 ? '…' : ''}${rec.problem ? `  (unusable: ${rec.problem})` : ''}`);
            else out(`${r.outcome === 'error' ? 'error    ' : 'not found'}  ${r.name}${r.error ? `  ${r.error}` : ''}`);
          }
          out(`${counts.names} key names looked up: ${counts.found} found, ${counts.not_found} not found, ${counts.errors} errors; ${o.dryRun ? 'nothing archived (--dry-run)' : `${stored.added} keys archived as seen ${o.zone ? `in ${o.zone}` : 'in DNS'} on ${now.toISOString().slice(0, 10)}, ${stored.refreshed} refreshed`}`);
          if (stored.added) out('run `trove analyze` to re-check the messages with these keys (a key fetched today verifies, but the evidence says it was fetched after the mail was sent)');
        }
      } finally {
        db.close();
      }
    });
}

/** A lookup answered from a file of "<name> <TXT value>" lines (the `keys import` text format). */
function zoneLookup(file: string): TxtLookup {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TroveError('input-not-found', `cannot read ${file}: ${(e as Error).message}`);
  }
  const zone = new Map<string, string[][]>();
  for (const r of parseKeyArchive(text).records) zone.set(r.name, [...(zone.get(r.name) ?? []), [r.value]]);
  return async (name) => {
    const v = zone.get(name.toLowerCase());
    if (!v) throw Object.assign(new Error(`${name} not in ${file}`), { code: 'ENOTFOUND' });
    return v;
  };
}
