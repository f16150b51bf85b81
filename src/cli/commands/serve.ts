/**
 * @module cli/commands/serve
 * `trove serve [--host 127.0.0.1] [--port 8080] [--token TOKEN]`: the web UI and JSON API.
 * A case with users (`trove users add`) is served in users mode: everyone signs in.
 */
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
import type { CaseDb } from '../../store/sqlite.ts';
import { globals, openCase, out } from '../context.ts';

export interface ServeFlags {
  host: string;
  port: string;
  token?: string;
}

function parsePort(s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new TroveError('usage', `--port must be a number from 0 to 65535 (got ${s})`);
  return n;
}

/** Serves an open case until SIGINT/SIGTERM; shared with `trove demo`. */
export async function serveCase(db: CaseDb, o: ServeFlags, json: boolean): Promise<void> {
  // loaded when serving: the other commands do without the HTTP stack (memory)
  const { startServer } = await import('../../server/index.ts');
  const { serverMode } = await import('../../server/auth/index.ts');
  const running = await startServer(db, {
    host: o.host,
    port: parsePort(o.port),
    token: o.token ?? (process.env.TROVE_TOKEN || undefined),
    onIndexProgress: (done, total) => process.stderr.write(`\rindexing for search: ${done}/${total}`),
  });
  const url = o.token ? `${running.url}/?token=…` : running.url;
  const mode = serverMode(db, o.token ?? (process.env.TROVE_TOKEN || undefined));
  if (json) out(JSON.stringify({ url: running.url, case: db.dir, mode }));
  else out(`trove: serving ${db.dir} on ${url}${mode === 'users' ? ' (users mode: sign in)' : ''} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('web UI and JSON API for the case, on 127.0.0.1:8080 by default')
    .option('--host <host>', 'address to bind (loopback only, unless the case has users or --token is given)', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', '8080')
    .option('--token <token>', 'require this token from every client (needed for a non-loopback --host; also $TROVE_TOKEN)')
    .action(async (o: ServeFlags, cmd: Command) => {
      const g = globals(cmd);
      const db = openCase(g, false);
      try {
        await serveCase(db, o, g.json ?? false);
      } finally {
        db.close();
      }
    });
}
