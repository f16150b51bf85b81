/**
 * The web client end to end in Chromium: search → open a message → its thread → download the
 * authenticity report (bytes checked against the API); keyboard navigation; suggestions and
 * facets; charts; the phone viewport; French text; status, forensics and provenance views.
 * Every view is also held to the no-request-leaves-the-origin rule. Screenshots of the main
 * views go to test/artifacts/ (or $TROVE_ARTIFACTS).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageView } from '../../src/server/message-view.ts';
import { ARTIFACTS, startHarness, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 300_000);

afterAll(async () => {
  await h?.close();
});

function assertClean(): void {
  expect(h.escaped, 'requests that left 127.0.0.1').toEqual([]);
  expect(h.dialogs, 'dialogs').toEqual([]);
  expect(h.consoleProblems, 'blocked attempts or errors reported by the browser').toEqual([]);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name) });

async function hitIds(page: Page): Promise<string[]> {
  const out: string[] = [];
  for (const el of await page.locator('#list .hit').all()) out.push(((await el.getAttribute('data-href')) ?? '').replace('/messages/', ''));
  return out;
}

describe('web client', () => {
  it('search → message → thread → report download', async () => {
    const page = h.watch(await h.context.newPage());
    await page.goto(`${h.base}/`, { waitUntil: 'load' });
    await page.locator('#list .hit').first().waitFor();
    await shot(page, 'search-all.png');
    await page.fill('#q', 'silence');
    await page.press('#q', 'Enter');
    await page.waitForURL(/\?q=silence$/);
    await expect.poll(() => page.locator('.total').textContent()).toMatch(/^\d+ messages?$/);
    const api = (await (await fetch(`${h.base}/api/search?q=silence&limit=25`)).json()) as { total: number; hits: { id: string; thread_id: string }[] };
    expect(await page.locator('.total').textContent()).toBe(`${api.total} message${api.total === 1 ? '' : 's'}`);
    expect(await hitIds(page)).toEqual(api.hits.map((x) => x.id));
    await expect.poll(() => page.locator('mark').count()).toBeGreaterThan(0);

    // open the first hit
    await page.locator('#list .hit a.subject').first().click();
    const id = api.hits[0].id;
    await page.waitForURL(`${h.base}/messages/${id}`);
    await page.locator('article.message h1').waitFor();
    const view = messageView(h.f.db, id)!;
    expect(await page.locator('h1 .subj').textContent()).toBe(view.subject);
    expect(await page.locator('table.fields').textContent()).toContain(id);
    expect(await page.locator('.evidence .badge').first().textContent()).toBe(view.verdict);
    await shot(page, 'message.png');

    // its thread, in time order
    await page.locator('a.thread-link').click();
    await page.waitForURL(/\/threads\//);
    await page.locator('#list .hit').first().waitFor();
    const thread = (await (await fetch(`${h.base}/api/threads/${view.thread_id}`)).json()) as { messages: { id: string; date: string | null }[] };
    expect(thread.messages.length).toBeGreaterThanOrEqual(2);
    expect(await hitIds(page)).toEqual(thread.messages.map((m) => m.id));
    const dates = thread.messages.map((m) => m.date ?? '');
    expect(dates).toEqual([...dates].sort());
    await shot(page, 'thread.png');

    // back to the message, download the report in each format
    await page.locator(`#list .hit a.subject`).nth(0).click();
    await page.locator('article.message h1').waitFor();
    const openId = new URL(page.url()).pathname.split('/').pop()!;
    for (const [cls, format] of [['report-html', 'html'], ['report-md', 'md'], ['report-json', 'json']] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`a.${cls}`).click()]);
      const bytes = readFileSync((await download.path())!);
      const direct = Buffer.from(await (await fetch(`${h.base}/api/messages/${openId}/report?format=${format}`)).arrayBuffer());
      expect(download.suggestedFilename()).toMatch(new RegExp(`^trove-report-${openId.slice(0, 16)}\\.${format}$`));
      expect(bytes.length).toBeGreaterThan(200);
      expect(bytes.toString('utf8')).toContain(openId);
      if (format === 'json') {
        const got = JSON.parse(bytes.toString('utf8')) as { message: { sha256: string } };
        expect(got.message.sha256).toBe(openId);
        expect(got.message).toEqual((JSON.parse(direct.toString('utf8')) as { message: unknown }).message);
      }
    }
    await page.close();
    assertClean();
  });

  it('navigates with the keyboard: / to search, j/k and arrows to move, Enter to open, Esc back', async () => {
    const page = h.watch(await h.context.newPage());
    await page.goto(`${h.base}/`, { waitUntil: 'load' });
    await page.locator('#list .hit').first().waitFor();
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('q');
    await page.keyboard.type('budget domain:horizon.example');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=budget/);
    await expect.poll(() => page.locator('#list .hit').count()).toBe(3);
    await page.locator('body').click({ position: { x: 5, y: 790 } }); // leave the search box
    const ids = await hitIds(page);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('k');
    expect(await page.locator('#list .hit.selected').count()).toBe(1);
    expect(await page.locator('#list .hit').nth(1).getAttribute('class')).toContain('selected');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${h.base}/messages/${ids[1]}`);
    await page.locator('article.message h1').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL(/\/\?q=budget/);
    await expect.poll(() => page.locator('#list .hit').count()).toBe(3);
    await page.close();
    assertClean();
  });

  it('suggests field names and values, refines with facets and charts', async () => {
    const page = h.watch(await h.context.newPage());
    await page.goto(`${h.base}/`, { waitUntil: 'load' });
    await page.locator('#list .hit').first().waitFor();
    await page.locator('#q').click();
    await page.keyboard.type('verd');
    await expect.poll(() => page.locator('#q-suggest li').allTextContents()).toEqual(['verdict:']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#q')).toBe('verdict:');
    // a verdict the case has (from its facets), typed by its first three letters
    const facets = (await (await fetch(`${h.base}/api/facets`)).json()) as { verdicts: { value: string }[] };
    const v = facets.verdicts[0].value;
    await page.keyboard.type(v.slice(0, 3));
    await expect.poll(() => page.locator('#q-suggest li span:first-child').allTextContents()).toEqual([`verdict:${v}`]);
    await shot(page, 'suggestions.png');
    await page.keyboard.press('Tab'); // nothing chosen yet: Tab leaves the box, Enter in it submits
    await page.locator('#q').click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#q')).toBe(`verdict:${v} `);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`q=verdict%3A${v}$`));
    const found = (await (await fetch(`${h.base}/api/search?q=verdict:${v}`)).json()) as { total: number };
    expect(found.total).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#list .hit').count()).toBe(Math.min(25, found.total));
    expect(await page.locator('#list .badge').allTextContents()).toEqual(Array(Math.min(25, found.total)).fill(v));

    // facets: clicking a sender refines the query
    await page.goto(`${h.base}/`, { waitUntil: 'load' });
    await page.locator('svg.timeline').waitFor();
    expect(await page.locator('svg.timeline rect').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.graph line').count()).toBeGreaterThan(0);
    await shot(page, 'search-charts.png');
    const sender = (await page.locator('.facet:has(h3:text-is("Senders")) li a').first().textContent())!;
    await page.locator('.facet:has(h3:text-is("Senders")) li a').first().click();
    await page.waitForURL(/\?q=from%3A/);
    // the box follows the address after the route change renders
    await expect.poll(() => page.inputValue('#q')).toBe(`from:${sender}`);
    const n = (await (await fetch(`${h.base}/api/search?q=${encodeURIComponent(`from:${sender}`)}`)).json()) as { total: number };
    await expect.poll(() => page.locator('.total').textContent()).toBe(`${n.total} message${n.total === 1 ? '' : 's'}`);
    // a node of the graph refines by sender too
    await page.locator('svg.graph a.node').first().click();
    await page.waitForURL(/from%3A.*from%3A|from%3A/);
    await page.close();
    assertClean();
  });

  it('works on a phone in French (browser language), and the language can be switched', async () => {
    const ctx = await h.newContext({ width: 390, height: 844, locale: 'fr-FR' });
    const page = h.watch(await ctx.newPage());
    await page.goto(`${h.base}/?q=budget`, { waitUntil: 'load' });
    await page.locator('#list .hit').first().waitFor();
    expect(await page.locator('form.search button').textContent()).toBe('Rechercher');
    expect(await page.locator('.total').textContent()).toBe('3 messages');
    expect(await page.locator('#list .badge').first().textContent()).toMatch(/^(authentifié|altéré|invérifiable|suspect)$/);
    expect(await page.evaluate('document.documentElement.lang')).toBe('fr');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'phone-search-fr.png');
    await page.locator('#list .hit a.subject').first().click();
    await page.locator('article.message h1').waitFor();
    expect(await page.locator('#ev-h').textContent()).toBe('Éléments de preuve');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'phone-message-fr.png');
    // switch to English; the choice is kept on reload
    await page.locator('button.lang').click();
    expect(await page.locator('#ev-h').textContent()).toBe('Evidence');
    await page.reload({ waitUntil: 'load' });
    await page.locator('#ev-h').waitFor();
    expect(await page.locator('#ev-h').textContent()).toBe('Evidence');
    await page.close();
    assertClean();
  });

  it('shows the ingest status, the forensics summary and provenance with a diff', async () => {
    const page = h.watch(await h.context.newPage());
    await page.goto(`${h.base}/status`, { waitUntil: 'load' });
    await page.locator('.status dl.counts').waitFor();
    const st = (await (await fetch(`${h.base}/api/status`)).json()) as { unique: number };
    expect(await page.locator('.status dl.counts div').nth(1).locator('dd').textContent()).toBe(String(st.unique));
    await shot(page, 'status.png');
    // server mode adds the queue and each worker's rates to /api/status: shown when present
    await page.route(/\/api\/status$/, async (route) => {
      const real = (await (await route.fetch()).json()) as Record<string, unknown>;
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({
        ...real,
        queue: { jobs: 7, done: 5, running: 1, queued: 1 },
        workers: [{ id: 'w1', host: 'ingest-1', pid: 4242, started_at: '2017-05-05T18:00:00Z', last_seen: '2017-05-05T18:30:00Z', current_job: 'dump.zip', jobs: 5, messages: 1200, bytes: 9_000_000, busy_seconds: 10, msg_per_s: 120, mb_per_s: 0.9 }],
      }) });
    });
    await page.reload({ waitUntil: 'load' });
    await page.locator('.status table.workers').waitFor();
    expect(await page.locator('.status dl.queue dd').allTextContents()).toEqual(['7', '5', '1', '1']);
    expect(await page.locator('.status table.workers tbody td').allTextContents()).toEqual(['ingest-1:4242', '5', '1200', '120', '0.90', '2017-05-05T18:30:00Z', 'dump.zip']);
    await page.unroute(/\/api\/status$/);

    await page.locator('header a[href="/forensics"]').click();
    await page.locator('.forensics .grid2').waitFor();
    expect(await page.locator('.forensics .panel h2').count()).toBe(4);
    await shot(page, 'forensics.png');

    // a quote from a message, with a changed number: found, with the change called out
    const id = h.f.byMessageId((h.f.db.stmt("SELECT message_id FROM messages WHERE message_id IS NOT NULL AND subject LIKE '%budget%' ORDER BY id LIMIT 1").get() as { message_id: string }).message_id);
    const words = messageView(h.f.db, id)!.text.split(/\s+/).filter(Boolean).slice(0, 40);
    expect(words.length).toBeGreaterThan(15);
    const quote = words.join(' ');
    await page.locator('header a[href="/provenance"]').click();
    await page.fill('textarea[name=text]', quote);
    await page.locator('.provenance form button[type=submit]').click();
    await page.locator('.prov-results .hit').first().waitFor();
    expect(await page.locator('.prov-results .hit').first().locator('a.subject').getAttribute('href')).toBe(`/messages/${id}`);
    expect(await page.locator('.prov-results .hit.is-match').count()).toBeGreaterThanOrEqual(1);
    await shot(page, 'provenance.png');
    // the same through a file upload: the raw message itself is an exact copy
    await page.reload({ waitUntil: 'load' });
    const raw = Buffer.from(await (await fetch(`${h.base}/api/messages/${id}/raw`)).arrayBuffer());
    await page.setInputFiles('input[type=file]', { name: 'copy.eml', mimeType: 'message/rfc822', buffer: raw });
    await page.locator('.provenance form button[type=submit]').click();
    await page.locator('.prov-results .hit').first().waitFor();
    expect(await page.locator('.prov-results .hit').first().locator('a.subject').getAttribute('href')).toBe(`/messages/${id}`);
    await page.close();
    assertClean();
  });

  it('signs in when the server is in users mode, sends the CSRF token, annotates, and hides what the server lacks', async () => {
    // the users/sessions/annotations API (CONTRACT of the server-mode issue) is emulated here at
    // the browser's network layer, so the client is held to it whatever the server build has
    const page = h.watch(await h.context.newPage());
    let user: { name: string; role: string } | null = null;
    const csrfSent: (string | undefined)[] = [];
    const tags: { tag: string; by: string; at: string }[] = [{ tag: 'to-check', by: 'ana', at: '2026-01-01T00:00:00Z' }];
    let annotations = true;
    const json = (status: number, body: unknown) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
    await page.route(/\/api\/session$/, async (route) => {
      const r = route.request();
      if (r.method() === 'GET') return route.fulfill(json(200, { mode: 'users', user, csrf: user ? 'csrf-1' : null }));
      if (r.method() === 'DELETE') { csrfSent.push(r.headers()['x-csrf-token']); user = null; return route.fulfill({ status: 204 }); }
      const b = r.postDataJSON() as { name: string; password: string };
      if (b.password !== 'right') return route.fulfill(json(401, { error: { code: 'bad-credentials', message: 'no' } }));
      user = { name: b.name, role: 'editor' };
      return route.fulfill(json(200, { user, csrf: 'csrf-1' }));
    });
    await page.route(/\/api\/search\?/, (route) => (user ? route.continue() : route.fulfill(json(401, { error: { code: 'unauthenticated', message: 'sign in' } }))));
    await page.route(/\/api\/messages\/[0-9a-f]+\/annotations$/, (route) => route.fulfill(annotations ? json(200, { tags, notes: [] }) : json(404, { error: { code: 'route-not-found', message: 'no' } })));
    await page.route(/\/api\/messages\/[0-9a-f]+\/tags$/, (route) => {
      csrfSent.push(route.request().headers()['x-csrf-token']);
      tags.push({ tag: (route.request().postDataJSON() as { tag: string }).tag, by: 'ana', at: '2026-01-02T00:00:00Z' });
      return route.fulfill(json(201, {}));
    });

    await page.goto(`${h.base}/?q=budget`, { waitUntil: 'load' });
    await page.locator('section.login').waitFor();
    await shot(page, 'login.png');
    await page.fill('input[name=name]', 'ana');
    await page.fill('input[name=password]', 'wrong');
    await page.locator('section.login button[type=submit]').click();
    await expect.poll(() => page.locator('section.login .error').textContent()).toBe('Wrong name or password.');
    await page.fill('input[name=password]', 'right');
    await page.locator('section.login button[type=submit]').click();
    await expect.poll(() => page.locator('#list .hit').count()).toBe(3);
    await page.locator('#list .hit a.subject').first().click();
    await page.locator('section.annotations').waitFor();
    expect(await page.locator('li.tag').allTextContents()).toEqual(['to-check×']);
    await page.fill('section.annotations input', 'forged');
    await page.locator('section.annotations form.inline button').click();
    await expect.poll(() => page.locator('li.tag').count()).toBe(2);
    expect(csrfSent).toEqual(['csrf-1']);
    await shot(page, 'message-annotations.png');
    // a server without annotations: the panel is not shown
    annotations = false;
    await page.reload({ waitUntil: 'load' });
    await page.locator('article.message h1').waitFor();
    await page.waitForTimeout(200);
    expect(await page.locator('section.annotations').count()).toBe(0);
    // sign out: the form comes back, the DELETE carried the token
    await page.locator('header nav button', { hasText: 'Sign out' }).click();
    await page.locator('section.login').waitFor();
    expect(csrfSent).toEqual(['csrf-1', 'csrf-1']);
    await page.close();
    assertClean();
  });
});
