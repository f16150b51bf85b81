/**
 * @module store/postgres
 * The case store on PostgreSQL (server mode): one schema per case, the same migrations as
 * SQLite (translated DDL, plus PostgreSQL forms where the dialects differ, e.g. full text),
 * and the same synchronous statement API. Calls block on a worker thread that owns the `pg`
 * connection (store/pg-worker.ts through synckit), so every feature written against
 * node:sqlite runs here unchanged.
 *
 * Writes that need no answer can be deferred (`defer`): they queue up and travel in one
 * round trip with the next statement or the commit, which is what makes ingest affordable
 * over a thread hop and a network.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSyncFn } from 'synckit';
import { TroveError } from '../core/errors.ts';
import { MIGRATIONS } from './migrations.ts';
import type { PgRequest, PgResponse } from './pg-worker.ts';
import { primaryKeysOf, translate, translateDdl, type TranslateContext } from './sql-translate.ts';
import { runInTransaction, TxOnce, type CaseStore, type RawDb, type Row, type RunResult, type Stmt } from './store.ts';

let call: ((req: PgRequest) => PgResponse) | null = null;
/** Round trips to the connection thread, by operation (TROVE_PG_STATS=1 prints them at exit). */
const stats: Record<string, number> = {};
function bridge(): (req: PgRequest) => PgResponse {
  if (!call) {
    const raw = createSyncFn(new URL('./pg-worker.ts', import.meta.url).href, { timeout: 600_000 }) as unknown as (req: PgRequest) => PgResponse;
    if (process.env.TROVE_PG_STATS) {
      process.on('exit', () => process.stderr.write(`trove: PostgreSQL round trips ${JSON.stringify(stats)}\n`));
      call = (req) => {
        const k = req.op === 'query' ? `query:${req.sql.slice(0, 40)}` : req.op;
        stats[k] = (stats[k] ?? 0) + 1;
        return raw(req);
      };
    } else call = raw;
  }
  return call;
}

/** A statement that failed on the server: SQLSTATE in `sqlState`. */
export class PgQueryError extends Error {
  readonly sqlState: string | undefined;
  constructor(message: string, sqlState: string | undefined, sql: string) {
    super(`${message} (SQLSTATE ${sqlState ?? '?'}) in: ${sql.slice(0, 300)}`);
    this.sqlState = sqlState;
  }
}

/** The schema a URL names (`?schema=`), else `trove`. */
export function schemaOf(url: string): string {
  const s = new URL(url).searchParams.get('schema') ?? 'trove';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(s)) throw new TroveError('usage', `?schema= must be a plain SQL name (letters, digits, _), got ${s}`);
  return s.toLowerCase();
}

/** A URL to show in messages: the password left out. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

let openCount = 0;
const PG_ADVISORY_MIGRATE = 0x7472_6f76; // 'trov'

export class PgCaseDb implements CaseStore {
  readonly dialect = 'postgres' as const;
  readonly dir: string;
  readonly url: string;
  readonly schema: string;
  readonly db: RawDb;
  private readonly h: number;
  private inTx = false;
  /** oncePerTx keys done in the open transaction. */
  private readonly txOnce = new TxOnce();
  private closed = false;
  private readonly stmts = new Map<string, Stmt>();
  private readonly names = new Map<string, string>();
  private ctx: TranslateContext = {};
  private pending: { sql: string; params: unknown[]; name: string }[] = [];
  private pendingBytes = 0;
  private cursorN = 0;
  private readonly ownDir: boolean;

  constructor(url: string, opts: { create: boolean; dir?: string }) {
    this.url = url;
    this.schema = schemaOf(url);
    // scratch space (spooled archive members) is per process: many workers may share a host
    this.ownDir = !opts.dir;
    this.dir = opts.dir ?? join(tmpdir(), 'trove-pg', `${this.schema}-${hostname()}-${process.pid}-${++openCount}`);
    mkdirSync(this.dir, { recursive: true });
    const r = bridge()({ op: 'open', url, schema: this.schema, create: opts.create });
    if (!r.ok) throw new TroveError('usage', `cannot open the PostgreSQL case ${redactUrl(url)}: ${r.message}`);
    this.h = r.handle!;
    this.db = { prepare: (sql: string) => this.makeStmt(sql), exec: (sql: string) => this.exec(sql) };
    const exists = this.rawQuery("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'").rows!.length > 0;
    if (!exists && !opts.create) {
      this.close();
      throw new TroveError('case-not-found', `no case in schema ${this.schema} of ${redactUrl(url)} (run \`trove ingest\` first)`);
    }
    this.migrate();
    this.loadContext();
  }

  private rawQuery(sql: string, params: unknown[] = [], name?: string): { rows?: Row[]; rowCount?: number } {
    if (this.pending.length) {
      // deferred writes travel with this statement: one round trip
      const items = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      const r = bridge()({ op: 'batch', h: this.h, items, then: { sql, params, name } });
      if (!r.ok) throw new PgQueryError(r.message, r.code, (r.index ?? 0) < items.length ? items[r.index ?? 0].sql : sql);
      return r;
    }
    const r = bridge()({ op: 'query', h: this.h, sql, params, name });
    if (!r.ok) throw new PgQueryError(r.message, r.code, sql);
    return r;
  }

  private exec(sql: string): void {
    this.flushPending();
    const r = bridge()({ op: 'exec', h: this.h, sql });
    if (!r.ok) throw new PgQueryError(r.message, r.code, sql);
  }

  /** Sends the deferred writes in one round trip. */
  private flushPending(): void {
    if (!this.pending.length) return;
    const items = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const r = bridge()({ op: 'batch', h: this.h, items });
    if (!r.ok) throw new PgQueryError(r.message, r.code, items[r.index ?? 0]?.sql ?? '');
  }

  private migrate(): void {
    this.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const pending = () => {
      const done = new Set(this.rawQuery('SELECT version FROM schema_migrations').rows!.map((r) => Number(r.version)));
      return MIGRATIONS.filter((m) => !done.has(m.version));
    };
    if (!pending().length) return;
    // one migrator at a time: workers may start together on a fresh schema
    this.exec('BEGIN');
    try {
      this.rawQuery('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [PG_ADVISORY_MIGRATE]);
      for (const m of pending()) {
        this.exec(translateDdl(m.sql) + (m.pg ?? ''));
        this.rawQuery('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      }
      this.exec('COMMIT');
    } catch (e) {
      this.exec('ROLLBACK');
      throw e;
    }
  }

  /** What the translator needs to know about the schema. */
  private loadContext(): void {
    const identity = this.rawQuery("SELECT table_name AS t FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'").rows!;
    this.ctx = {
      identityTables: new Set(identity.map((r) => String(r.t))),
      primaryKeys: Object.assign({}, ...MIGRATIONS.map((m) => primaryKeysOf(m.sql))) as Record<string, string[]>,
    };
  }

  private nameFor(sql: string): string {
    let n = this.names.get(sql);
    if (!n) {
      n = `t${this.names.size + 1}`;
      this.names.set(sql, n);
    }
    return n;
  }

  private makeStmt(source: string): Stmt {
    const { sql, returnsId } = translate(source, this.ctx);
    const name = this.nameFor(sql);
    return {
      get: (...params) => this.rawQuery(sql, params, name).rows![0],
      all: (...params) => this.rawQuery(sql, params, name).rows!,
      run: (...params): RunResult => {
        const r = this.rawQuery(sql, params, name);
        return { changes: r.rowCount ?? 0, lastInsertRowid: returnsId ? Number(r.rows?.[0]?.id ?? 0) : 0 };
      },
      iterate: (...params) => this.iterate(sql, params),
    };
  }

  /** Rows through a server-side cursor, a page at a time (WITH HOLD: survives commits in between). */
  private *iterate(sql: string, params: unknown[]): Generator<Row> {
    const cur = `trove_cur_${++this.cursorN}`;
    this.rawQuery(`DECLARE ${cur} NO SCROLL CURSOR WITH HOLD FOR ${sql}`, params);
    try {
      for (;;) {
        const rows = this.rawQuery(`FETCH 500 FROM ${cur}`).rows!;
        for (const r of rows) yield r;
        if (rows.length < 500) break;
      }
    } finally {
      if (!this.closed) this.exec(`CLOSE ${cur}`);
    }
  }

  stmt(sql: string): Stmt {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.makeStmt(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Queues a write whose result is not needed; it runs before the next statement or commit. */
  defer(source: string, ...params: unknown[]): void {
    const { sql } = translate(source, { ...this.ctx, identityTables: new Set() });
    this.pending.push({ sql, params, name: this.nameFor(sql) });
    for (const p of params) this.pendingBytes += p instanceof Uint8Array ? p.length : typeof p === 'string' ? p.length : 8;
    // bounded: large blobs are not held back in memory
    if (this.pending.length >= 500 || this.pendingBytes >= 16 << 20) this.flushPending();
  }

  oncePerTx(key: string, fn: () => void): void {
    this.txOnce.run(this.inTx, key, fn);
  }

  forgetOnce(key: string): void {
    this.txOnce.forget(key);
  }

  begin(): void {
    if (!this.inTx) {
      this.txOnce.clear();
      this.exec('BEGIN');
      this.inTx = true;
    }
  }

  commit(): void {
    if (this.inTx) {
      this.exec('COMMIT');
      this.inTx = false;
      this.txOnce.clear();
    } else this.flushPending();
  }

  rollback(): void {
    this.pending = [];
    this.pendingBytes = 0;
    if (this.inTx) {
      this.exec('ROLLBACK');
      this.inTx = false;
      this.txOnce.clear();
    }
  }

  tx<T>(fn: () => T): T {
    return runInTransaction(this, this.inTx, fn);
  }

  close(): void {
    if (this.closed) return;
    try {
      this.commit();
    } finally {
      this.closed = true;
      bridge()({ op: 'close', h: this.h });
      if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Drops a case's schema (tests, and `trove` never does this on its own). */
export function dropSchema(url: string): void {
  const r = bridge()({ op: 'open', url, schema: 'public', create: false });
  if (!r.ok) throw new TroveError('usage', `cannot connect to ${redactUrl(url)}: ${r.message}`);
  const q = bridge()({ op: 'exec', h: r.handle!, sql: `DROP SCHEMA IF EXISTS "${schemaOf(url)}" CASCADE` });
  bridge()({ op: 'close', h: r.handle! });
  if (!q.ok) throw new PgQueryError(q.message, q.code, 'DROP SCHEMA');
}
