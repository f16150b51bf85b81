/**
 * The browser test harness: the fixture case served by the real app on 127.0.0.1, the built
 * client, and Chromium (playwright-core + Debian's /usr/bin/chromium, fresh profile) with a
 * recorder that sees every request the browser attempts: loopback to the server goes on,
 * anything else is recorded and refused. Dialogs are recorded and dismissed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../src/server/app.ts';
import { REPO } from '../helpers/corpora.ts';
import { buildCase, type Fixture } from '../server/case-fixture.ts';
import { ensureClientBuilt } from './build-client.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = process.env.TROVE_ARTIFACTS ?? join(REPO, 'test/artifacts');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Harness {
  f: Fixture;
  base: string;
  context: BrowserContext;
  /** Paths (with query) the server answered. */
  served: string[];
  /** Requests that would have left the server's origin. */
  escaped: string[];
  dialogs: string[];
  /** Console messages about something the browser blocked (CSP, sandbox). */
  consoleProblems: string[];
  watch(page: Page): Page;
  newContext(opts: { width: number; height: number; locale?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function startHarness(extra: string[] = [], viewport = { width: 1280, height: 800 }): Promise<Harness> {
  await ensureClientBuilt();
  const f = await buildCase(extra);
  const app = createApp(f.db);
  const served: string[] = [];
  const escaped: string[] = [];
  const dialogs: string[] = [];
  const consoleProblems: string[] = [];
  let server!: ServerType;
  const base = await new Promise<string>((resolve) => {
    server = serve({
      fetch: (req: Request) => {
        const u = new URL(req.url);
        served.push(u.pathname + u.search);
        return app.fetch(req);
      },
      hostname: '127.0.0.1',
      port: 0,
    }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
  // launch() gives the browser a fresh temporary profile (user-data-dir), removed on close
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const first = await browser.newContext({ viewport, acceptDownloads: true });
  const contexts: BrowserContext[] = [first];
  const port = new URL(base).port;
  const record = async (ctx: BrowserContext) => {
    await ctx.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.protocol === 'data:' || (u.hostname === '127.0.0.1' && u.port === port)) return route.continue();
      escaped.push(route.request().url());
      return route.abort();
    });
  };
  await record(first);
  mkdirSync(ARTIFACTS, { recursive: true });
  const h: Harness = {
    f, base, context: first, served, escaped, dialogs, consoleProblems,
    watch(page) {
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('console', (m) => {
        if (/Content Security Policy|sandboxed|Blocked script|Refused/i.test(m.text())) consoleProblems.push(m.text());
      });
      page.on('pageerror', (e) => consoleProblems.push(`page error: ${e.message}`));
      return page;
    },
    async newContext({ width, height, locale }) {
      // a second browser context in the same (fresh-profile) browser, e.g. a phone in French
      const ctx = await browser.newContext({ viewport: { width, height }, locale, acceptDownloads: true });
      contexts.push(ctx);
      await record(ctx);
      return ctx;
    },
    async close() {
      for (const c of contexts.reverse()) await c.close().catch(() => undefined);
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
      if ('closeAllConnections' in server) server.closeAllConnections();
      f.cleanup();
    },
  };
  return h;
}
