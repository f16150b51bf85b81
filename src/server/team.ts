/**
 * @module server/team
 * What a team shares to split the work, mounted under /api: tags and notes on messages, and
 * saved searches. Reading needs the reader role, writing the editor role (server/auth/rules.ts).
 * Each item records who made it (null in open mode, where nobody signs in).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { findMessage } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { addNote, addSavedSearch, addTag, deleteSavedSearch, listNotes, listSavedSearches, listTags, removeTag } from '../store/users.ts';
import { toQuery } from './api.ts';
import { principalOf } from './auth/access.ts';
import { ApiError } from './errors.ts';

/** A tag: one line of printable text, at most 64 characters. */
const tagText = z.string().transform((s) => s.normalize('NFC').trim()).pipe(z.string().min(1).max(64).regex(/^[^\p{Cc}\p{Cf}]+$/u, 'no control characters'));
const tagBody = z.object({ tag: tagText });
const noteBody = z.object({ text: z.string().transform((s) => s.normalize('NFC').trim()).pipe(z.string().min(1).max(20_000)) });
const savedBody = z.object({ name: z.string().transform((s) => s.trim()).pipe(z.string().min(1).max(200)), q: z.string().max(10_000) });
const idParam = z.string().min(8).max(998);

export function teamRoutes(db: CaseDb, now: () => Date): Hono {
  const t = new Hono();

  /** The message's SHA-256, from any id the API accepts. */
  const messageId = (raw: string): string => {
    const id = idParam.parse(raw);
    const r = findMessage(db, id);
    if (!r) throw new ApiError('not-found', `no single message matches ${id}`);
    return r.id;
  };

  const json = async (req: { json(): Promise<unknown> }): Promise<unknown> => {
    try {
      return await req.json();
    } catch {
      throw new ApiError('bad-request', 'the body must be JSON');
    }
  };

  t.get('/messages/:id/annotations', (c) => {
    const id = messageId(c.req.param('id'));
    return c.json({ tags: listTags(db, id), notes: listNotes(db, id) });
  });

  t.post('/messages/:id/tags', async (c) => {
    const id = messageId(c.req.param('id'));
    const { tag } = tagBody.parse(await json(c.req));
    addTag(db, id, tag, principalOf(c)?.name ?? null, now());
    return c.json(listTags(db, id).find((x) => x.tag === tag), 201);
  });

  t.delete('/messages/:id/tags/:tag', (c) => {
    const id = messageId(c.req.param('id'));
    const tag = tagText.parse(c.req.param('tag'));
    return c.json({ removed: removeTag(db, id, tag) });
  });

  t.post('/messages/:id/notes', async (c) => {
    const id = messageId(c.req.param('id'));
    const { text } = noteBody.parse(await json(c.req));
    return c.json(addNote(db, id, text, principalOf(c)?.name ?? null, now()), 201);
  });

  t.get('/saved-searches', (c) => c.json({ items: listSavedSearches(db) }));

  t.post('/saved-searches', async (c) => {
    const { name, q } = savedBody.parse(await json(c.req));
    toQuery(q); // a malformed query is refused now, not when someone runs it
    return c.json(addSavedSearch(db, name, q, principalOf(c)?.name ?? null, now()), 201);
  });

  t.delete('/saved-searches/:id', (c) => {
    const id = z.string().min(1).max(64).parse(c.req.param('id'));
    if (!deleteSavedSearch(db, id)) throw new ApiError('not-found', `no saved search ${id}`);
    return c.json({ removed: true });
  });

  return t;
}
