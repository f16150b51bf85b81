/**
 * @module store/sql-translate
 * Rewrites trove's SQL (written for SQLite, in the subset PostgreSQL shares) into PostgreSQL:
 * - `?` parameters → `$1, $2, …` (outside string literals, quoted names and comments);
 * - `INSERT OR IGNORE` → `INSERT … ON CONFLICT DO NOTHING`; `INSERT OR REPLACE` → an upsert
 *   on the table's primary key (known from the schema);
 * - `json_extract(expr, '$.a[0].b')` → `(expr)::json #>> '{a,0,b}'` (text, as SQLite gives
 *   for strings; arrays and objects come back as JSON text either way);
 * - DDL: `INTEGER PRIMARY KEY` → identity column, `INTEGER` → `BIGINT`, `BLOB` → `BYTEA`,
 *   `TEXT` → `TEXT COLLATE "C"` (byte order, as SQLite compares), and a `rowid` identity
 *   column on tables without an integer key, so `ORDER BY rowid` keeps its meaning.
 * Small and purpose-built: no library translates between these two dialects (the differences
 * are few and known), and the tests pin every rule (test/store/translate.test.ts).
 */

/** Splits SQL into code and literal segments, so rewrites only touch code. */
function segments(sql: string): { code: boolean; text: string }[] {
  const out: { code: boolean; text: string }[] = [];
  let i = 0;
  let start = 0;
  const push = (code: boolean, end: number) => {
    if (end > start) out.push({ code, text: sql.slice(start, end) });
    start = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      push(true, i);
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      i = Math.min(j + 1, sql.length);
      push(false, i);
    } else if (c === '-' && sql[i + 1] === '-') {
      push(true, i);
      const j = sql.indexOf('\n', i);
      i = j < 0 ? sql.length : j;
      push(false, i);
    } else i++;
  }
  push(true, sql.length);
  return out;
}

/** A JSON path as SQLite writes it ($.a.b[0]) → PostgreSQL's text[] path literal ('{a,b,0}'). */
export function jsonPath(p: string): string {
  const rest = p.slice(1);
  if (!p.startsWith('$') || !/^(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$/.test(rest)) throw new Error(`unsupported JSON path ${p}`);
  const parts = [...rest.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g)].map((m) => m[1] ?? m[2]);
  return `'{${parts.join(',')}}'`;
}

export interface TranslateContext {
  /** Primary-key columns per table, for INSERT OR REPLACE. */
  primaryKeys?: Record<string, string[]>;
  /** Tables with an identity `id` column: their INSERTs return it (lastInsertRowid). */
  identityTables?: ReadonlySet<string>;
}

export interface Translated {
  sql: string;
  /** The statement returns the inserted row's id (added RETURNING id). */
  returnsId: boolean;
}

/** Translates one DML/query statement. */
export function translate(sql: string, ctx: TranslateContext = {}): Translated {
  let n = 0;
  let orIgnore = false;
  let orReplace: string | null = null;
  const segs = segments(sql);
  const out: string[] = [];
  for (let k = 0; k < segs.length; k++) {
    const s = segs[k];
    if (!s.code) {
      out.push(s.text);
      continue;
    }
    let t = s.text.replace(/\?/g, () => `$${++n}`);
    t = t.replace(/\bINSERT\s+OR\s+IGNORE\s+INTO\b/i, () => {
      orIgnore = true;
      return 'INSERT INTO';
    });
    t = t.replace(/\bINSERT\s+OR\s+REPLACE\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)/i, (_m, table: string) => {
      orReplace = table.toLowerCase();
      return `INSERT INTO ${table}`;
    });
    // json_extract(expr, 'path'): the path is the next (literal) segment
    const je = /\bjson_extract\s*\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*,\s*$/i.exec(t);
    if (je && segs[k + 1] && !segs[k + 1].code && segs[k + 1].text.startsWith("'") && segs[k + 2]?.code && /^\s*\)/.test(segs[k + 2].text)) {
      t = t.slice(0, je.index) + `((${je[1]})::json #>> ${jsonPath(segs[k + 1].text.slice(1, -1))})`;
      out.push(t);
      segs[k + 2] = { code: true, text: segs[k + 2].text.replace(/^\s*\)/, '') };
      k++;
      continue;
    }
    out.push(t);
  }
  let res = out.join('').trim().replace(/;\s*$/, '');
  const insert = /^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(res);
  if (orIgnore) res += ' ON CONFLICT DO NOTHING';
  if (orReplace) {
    const pk = ctx.primaryKeys?.[orReplace];
    const cols = /^\s*INSERT\s+INTO\s+\w+\s*\(([^)]*)\)/i.exec(res)?.[1].split(',').map((c) => c.trim());
    if (!pk || !cols) throw new Error(`INSERT OR REPLACE on ${orReplace}: primary key unknown`);
    const set = cols.filter((c) => !pk.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
    res += ` ON CONFLICT (${pk.join(', ')}) DO ${set.length ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}`;
  }
  let returnsId = false;
  if (insert && ctx.identityTables?.has(insert[1].toLowerCase()) && !/\bRETURNING\b/i.test(res)) {
    res += ' RETURNING id';
    returnsId = true;
  }
  return { sql: res, returnsId };
}

/** Translates a migration's DDL script (several statements); SQLite virtual tables are left out. */
export function translateDdl(sql: string): string {
  const segs = segments(sql).filter((s) => s.code || !s.text.startsWith('--'));
  const code = segs.map((s) => s.text).join('').replace(/CREATE\s+VIRTUAL\s+TABLE[^;]*;/gi, '');
  return code.replace(/CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\(([\s\S]*?)\);/gi, (_m, ine: string | undefined, name: string, body: string) => {
    const hasIntKey = /\bINTEGER\s+PRIMARY\s+KEY\b/i.test(body);
    // column types only (a column may be named like a type, e.g. `text TEXT`)
    const b0 = body.replace(/(^|,)(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s+)(INTEGER\s+PRIMARY\s+KEY|INTEGER|TEXT|BLOB)\b/gi, (_m, sep: string, sp: string, col: string, sp2: string, type: string) => {
      const t = type.toUpperCase();
      const pgType = t.startsWith('INTEGER ') ? 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY' : t === 'INTEGER' ? 'BIGINT' : t === 'BLOB' ? 'BYTEA' : 'TEXT COLLATE "C"';
      return `${sep}${sp}${col}${sp2}${pgType}`;
    });
    let b = b0;
    if (!hasIntKey) b = `\n  rowid BIGINT GENERATED BY DEFAULT AS IDENTITY,${b}`;
    return `CREATE TABLE ${ine ?? ''}${name} (${b});`;
  });
}

/** Table → primary-key columns, read from CREATE TABLE statements (for INSERT OR REPLACE). */
export function primaryKeysOf(ddl: string): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const m of ddl.matchAll(/CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\(([\s\S]*?)\);/gi)) {
    const table = m[1].toLowerCase();
    const body = m[2].replace(/--[^\n]*/g, '');
    const composite = /PRIMARY\s+KEY\s*\(([^)]*)\)/i.exec(body);
    if (composite) keys[table] = composite[1].split(',').map((c) => c.trim());
    else {
      const col = /(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)\s+[A-Za-z]+[^,]*?\bPRIMARY\s+KEY\b/i.exec(body);
      if (col) keys[table] = [col[1]];
    }
  }
  return keys;
}
