/**
 * @module store/pg-worker
 * The worker thread behind store/postgres.ts: holds the `pg` connections and runs the
 * statements the main thread sends through synckit (which blocks the caller on Atomics.wait
 * until the answer is back). This is what makes the PostgreSQL back-end synchronous like
 * node:sqlite, so one query layer serves both.
 */
import pg from 'pg';
import { runAsWorker } from 'synckit';

// int8 (COUNT, identity ids, sizes) and numeric (SUM) as JS numbers, like node:sqlite gives
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
});
pg.types.setTypeParser(1700, (v) => Number(v));

export type PgRequest =
  | { op: 'open'; url: string; schema: string; create?: boolean }
  | { op: 'query'; h: number; sql: string; params: unknown[]; name?: string }
  | { op: 'batch'; h: number; items: { sql: string; params: unknown[]; name?: string }[]; then?: { sql: string; params: unknown[]; name?: string } }
  | { op: 'exec'; h: number; sql: string }
  | { op: 'close'; h: number };

export type PgResponse =
  | { ok: true; rows?: Record<string, unknown>[]; rowCount?: number; counts?: number[]; handle?: number }
  | { ok: false; message: string; code?: string; index?: number };

const clients = new Map<number, pg.Client>();
let nextHandle = 1;

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * PostgreSQL text cannot hold U+0000, which SQLite text (and hostile mail) can: it is escaped
 * on the way in as U+FFFF '0' (U+FFFF itself as U+FFFF U+FFFF, so the mapping is lossless; a
 * noncharacter, not found in mail) and restored on the way out.
 */
const ESC = '\uffff';
function escapeText(s: string): string {
  return s.includes('\u0000') || s.includes(ESC) ? s.replace(/[\u0000\uffff]/g, (c) => (c === ESC ? ESC + ESC : ESC + '0')) : s;
}
function unescapeText(s: string): string {
  return s.includes(ESC) ? s.replace(/\uffff([\uffff0])/g, (_m, c: string) => (c === '0' ? '\u0000' : ESC)) : s;
}

function prepare(params: unknown[]): unknown[] {
  return params.map((p) => (typeof p === 'string' ? escapeText(p) : typeof p === 'bigint' ? p.toString() : p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
}

function restore(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const r of rows) for (const k in r) if (typeof r[k] === 'string') r[k] = unescapeText(r[k] as string);
  return rows;
}

function fail(e: unknown, index?: number): PgResponse {
  const err = e as { message?: string; code?: string };
  return { ok: false, message: String(err?.message ?? e), code: err?.code, index };
}

async function handle(req: PgRequest): Promise<PgResponse> {
  try {
    if (req.op === 'open') {
      const u = new URL(req.url);
      u.searchParams.delete('schema');
      const c = new pg.Client({ connectionString: u.toString(), application_name: 'trove' });
      await c.connect();
      // server-side notices (e.g. "schema already exists") are not errors
      c.on('notice', () => {});
      c.on('error', () => {});
      if (req.create !== false) {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(req.schema)}`).catch(async (e: { code?: string }) => {
          // two processes creating the same schema at once: the loser sees a unique violation
          if (e.code !== '23505' && e.code !== '42P06') throw e;
        });
      }
      await c.query(`SET search_path TO ${quoteIdent(req.schema)}`);
      const h = nextHandle++;
      clients.set(h, c);
      return { ok: true, handle: h };
    }
    const c = clients.get(req.h);
    if (!c) return { ok: false, message: 'connection closed' };
    switch (req.op) {
      case 'query': {
        const r = await c.query({ text: req.sql, values: prepare(req.params), name: req.name });
        return { ok: true, rows: restore(r.rows as Record<string, unknown>[]), rowCount: r.rowCount ?? 0 };
      }
      case 'batch': {
        const counts: number[] = [];
        for (let i = 0; i < req.items.length; i++) {
          const it = req.items[i];
          try {
            const r = await c.query({ text: it.sql, values: prepare(it.params), name: it.name });
            counts.push(r.rowCount ?? 0);
          } catch (e) {
            return fail(e, i);
          }
        }
        if (req.then) {
          // the statement the caller waits for, in the same round trip as the writes before it
          try {
            const r = await c.query({ text: req.then.sql, values: prepare(req.then.params), name: req.then.name });
            return { ok: true, counts, rows: restore(r.rows as Record<string, unknown>[]), rowCount: r.rowCount ?? 0 };
          } catch (e) {
            return fail(e, req.items.length);
          }
        }
        return { ok: true, counts };
      }
      case 'exec':
        await c.query(req.sql);
        return { ok: true };
      case 'close':
        clients.delete(req.h);
        await c.end();
        return { ok: true };
    }
  } catch (e) {
    return fail(e);
  }
}

runAsWorker(handle);
