/**
 * @module server
 * `trove serve`: the JSON API and the web UI over one case. Open mode (no users, no token)
 * binds a loopback address only; any other address needs users mode (the case has users,
 * docs/server.md) or a shared --token.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { TroveError } from '../core/errors.ts';
import { indexPending } from '../search/index.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { countUsers } from '../store/users.ts';
import { createApp } from './app.ts';
import { isLoopbackHost } from './security.ts';

export { createApp, type AppOptions } from './app.ts';
export { sanitizeMessageHtml, type SanitizedHtml } from './sanitize.ts';
export { CSP, isLoopbackHost } from './security.ts';

export interface ServeOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Progress of the search index catch-up before listening. */
  onIndexProgress?: (done: number, total: number) => void;
}

export interface RunningServer {
  server: ServerType;
  url: string;
  close(): Promise<void>;
}

/** Refuses a binding that would expose the case: non-loopback needs users (hasUsers) or a token. */
export function checkBinding(host: string, token: string | undefined, hasUsers = false): void {
  if (hasUsers && token !== undefined) {
    throw new TroveError('usage', 'this case has users: each signs in with their own password or API token (trove users token create NAME); drop --token / $TROVE_TOKEN');
  }
  if (!isLoopbackHost(host) && !token && !hasUsers) {
    throw new TroveError('usage', `--host ${host} is not a loopback address: the case would be readable by anyone who can reach it. Add users (trove users add NAME --role admin; then everyone signs in), pass --token TOKEN (then every request needs it), or keep the default 127.0.0.1`);
  }
  if (token !== undefined && token.length < 16) throw new TroveError('usage', '--token must be at least 16 characters');
}

/** Indexes what is not indexed yet, then listens. Resolves once the port is bound. */
export async function startServer(db: CaseDb, o: ServeOptions = {}): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 8080;
  checkBinding(host, o.token, countUsers(db) > 0);
  indexPending(db, { onProgress: o.onIndexProgress });
  const app = createApp(db, { token: o.token });
  return await new Promise<RunningServer>((resolveP, rejectP) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      const h = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolveP({
        server,
        url: `http://${h}:${info.port}`,
        close: () => new Promise<void>((r) => {
          server.close(() => r());
          if ('closeAllConnections' in server) server.closeAllConnections();
        }),
      });
    });
    server.once('error', (e: NodeJS.ErrnoException) => {
      rejectP(e.code === 'EADDRINUSE' ? new TroveError('usage', `port ${port} on ${host} is in use (pass --port N, or --port 0 for any free port)`) : e);
    });
  });
}
