/**
 * @module web/static
 * Serves the built web client (`npm run build` → dist/web): hashed files under /assets with
 * `Cache-Control: immutable`, and index.html for every UI route (the client routes itself).
 * Without a build, UI routes answer 503 with a page saying to run `npm run build`; the JSON
 * API is unaffected. Nothing here runs script or loads anything remote: the CSP of
 * server/security.ts applies to all of it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { acceptLanguages, pickLang, strings } from '../../web/src/i18n.ts';
import { escapeHtml } from '../server/sanitize.ts';

export const DEFAULT_DIST = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** UI routes of the client (web/src/router.ts); anything else is a 404. */
const UI_ROUTES = ['/', '/search', '/status', '/forensics', '/provenance', '/messages/:id', '/threads/:id'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file name Vite hashed (name-HASH.ext): its content never changes under that name. */
const HASHED = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** The page shown in place of the UI when the client was not built. */
export function buildMissingPage(acceptLanguage: string | undefined): string {
  const lang = pickLang(null, acceptLanguages(acceptLanguage));
  const t = strings(lang);
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>trove</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1b1f24}code{background:#eef0f3;padding:1px 4px;border-radius:3px}</style></head>
<body><h1>trove</h1><p role="alert">${escapeHtml(t.buildMissing).replace(/`([^`]+)`/g, '<code>$1</code>')}</p></body></html>`;
}

export function webRoutes(distDir: string = DEFAULT_DIST): Hono {
  const web = new Hono();
  const root = resolve(distDir);
  const indexFile = join(root, 'index.html');
  // read per request while unbuilt, so a build made while the server runs is picked up
  let index: string | null = null;
  const readIndex = (): string | null => (index ??= existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : null);

  web.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const file = join(root, 'assets', name);
    if (!/^[\w.-]+$/.test(name) || !file.startsWith(join(root, 'assets')) || !existsSync(file)) {
      return c.json({ error: { code: 'route-not-found', message: 'no such asset' } }, 404);
    }
    return c.body(readFileSync(file), 200, {
      'Content-Type': TYPES[extname(name)] ?? 'application/octet-stream',
      'Cache-Control': HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  });

  for (const route of UI_ROUTES) {
    web.get(route, (c) => {
      const html = readIndex();
      if (html === null) return c.html(buildMissingPage(c.req.header('accept-language')), 503, { 'Cache-Control': 'no-store' });
      return c.html(html, 200, { 'Cache-Control': 'no-cache' });
    });
  }
  return web;
}

/** A plain error page for UI routes (the API answers JSON instead). */
export function errorPage(status: number, code: string, message: string, acceptLanguage: string | undefined): string {
  const t = strings(pickLang(null, acceptLanguages(acceptLanguage)));
  return `<!doctype html><html><head><meta charset="utf-8"><title>${status} · trove</title></head><body><h1>${escapeHtml(status === 404 ? t.notFound : t.error)}</h1><p role="alert"><code>${escapeHtml(code)}</code> ${escapeHtml(message)}</p><p><a href="/">trove</a></p></body></html>`;
}
