/**
 * @module store/migrations
 * Numbered schema migrations. Plain SQL kept to the subset SQLite and PostgreSQL share
 * (TEXT, INTEGER, BLOB→BYTEA is the one dialect switch), so the server back-end can run the
 * same list later.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * PostgreSQL only, run after the translated `sql` (store/sql-translate.ts translateDdl, which
   * drops SQLite's virtual tables): what PostgreSQL spells differently, e.g. full text.
   */
  pg?: string;
  /** SQLite only, run after `sql`. */
  sqlite?: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'case model',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  version TEXT NOT NULL
);
-- The top-level paths given to ingest; name is the first part of every locator under it.
CREATE TABLE roots (
  name TEXT PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  added_at TEXT NOT NULL
);
-- Every input item, whatever became of it: the accounting behind "nothing silently lost".
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  locator TEXT NOT NULL UNIQUE,
  parent_id INTEGER,
  kind TEXT NOT NULL,            -- message | container | file | skipped | error
  format TEXT,                   -- zip, tar, mbox, pst, eml, msg, ... or a file type
  sha256 TEXT,                   -- of the item's bytes as found
  size INTEGER,
  duplicate INTEGER NOT NULL DEFAULT 0,
  done INTEGER NOT NULL DEFAULT 1,  -- containers: 0 until every member is accounted for
  code TEXT,
  reason TEXT,
  mtime TEXT,
  meta TEXT,                     -- JSON: how it was found (mbox envelope line and offset, PST folder…)
  run_id INTEGER
);
-- (sha256, kind): a message's sources. No index on kind alone: with few distinct values
-- it lured the planner into scanning every message item per lookup.
CREATE INDEX items_sha256 ON items (sha256, kind);
CREATE INDEX items_parent ON items (parent_id);
CREATE TABLE messages (
  id TEXT PRIMARY KEY,           -- sha256 of the raw bytes
  size INTEGER NOT NULL,
  origin TEXT NOT NULL,          -- as-found | synthesized
  format TEXT NOT NULL,          -- rfc822 | msg
  message_id TEXT,
  date TEXT,
  date_raw TEXT,
  subject TEXT,
  from_address TEXT,
  thread_id TEXT,
  parent_message TEXT,
  parsed TEXT NOT NULL,          -- JSON: the MIME record without bodies and header list (both re-derived from the raw blob)
  parse_error TEXT,
  verdict TEXT,
  analysis TEXT                  -- JSON: dkim, arc (authentication stage)
);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_date ON messages (date);
CREATE INDEX messages_thread ON messages (thread_id);
-- Content-addressed bytes: raw messages and attachments, each stored once.
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE attachments (
  message TEXT NOT NULL,
  idx INTEGER NOT NULL,
  part TEXT,
  filename TEXT,
  content_type TEXT,
  disposition TEXT,
  content_id TEXT,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  metadata TEXT,
  PRIMARY KEY (message, idx)
);
CREATE INDEX attachments_sha256 ON attachments (sha256);
CREATE TABLE evidence (
  message TEXT NOT NULL,
  stage TEXT NOT NULL,           -- parse | auth | forensics
  code TEXT NOT NULL,
  severity TEXT NOT NULL,        -- info | warning | critical
  detail TEXT NOT NULL
);
CREATE INDEX evidence_message ON evidence (message);
CREATE INDEX evidence_code ON evidence (code);
-- Chain of custody: what was run, what was read, with hashes.
CREATE TABLE log (
  id INTEGER PRIMARY KEY,
  run_id INTEGER,
  ts TEXT NOT NULL,
  level TEXT NOT NULL,
  event TEXT NOT NULL,
  detail TEXT
);
`,
  },
  {
    version: 2,
    name: 'key archive',
    sql: `
-- DKIM public keys the case trusts for offline verification (trove keys import / fetch).
-- Several values per name = key rotation; each keeps its own dates and status.
CREATE TABLE keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,            -- selector._domainkey.domain
  value TEXT NOT NULL,           -- the TXT record as published
  status TEXT NOT NULL,          -- active | revoked | published
  first_seen TEXT,
  last_seen TEXT,
  source TEXT NOT NULL,          -- archive | dns
  added_at TEXT NOT NULL,
  UNIQUE (name, value)
);
`,
  },
  {
    version: 3,
    name: 'search index',
    sql: `
-- One row per indexed message (src/search/indexer.ts); its id is the FTS rowid. A message
-- without a row here is not indexed yet, so indexing resumes where it stopped.
CREATE TABLE search_docs (
  id INTEGER PRIMARY KEY,
  message TEXT NOT NULL UNIQUE,
  thread_index TEXT,             -- Outlook Thread-Index conversation key (hex of its first 22 bytes)
  indexed_at TEXT NOT NULL
);
-- Addresses per indexed message, for from:/to:/cc: addresses, domain:, facets, correspondents.
-- rdomain is the domain reversed by labels (com.example.mail) so a domain and its subdomains
-- are one index range.
CREATE TABLE search_addresses (
  doc INTEGER NOT NULL,
  role TEXT NOT NULL,            -- from | to | cc
  address TEXT NOT NULL,         -- lower-case
  name TEXT,
  rdomain TEXT NOT NULL
);
CREATE INDEX search_addresses_doc ON search_addresses (doc);
CREATE INDEX search_addresses_address ON search_addresses (address, role);
CREATE INDEX search_addresses_rdomain ON search_addresses (rdomain);
-- Full text (SQLite only; a PostgreSQL store would hold the same columns as tsvector).
-- Text is NFKC-normalised before it is stored (src/search/normalize.ts).
CREATE VIRTUAL TABLE search_fts USING fts5(subject, body, from_, to_, cc_, filename, attachment, tokenize = 'unicode61 remove_diacritics 2');
`,
    // The same columns, plus one tsvector per column built by src/search/fts-pg.ts from the
    // tokens SQLite's unicode61 tokenizer would make (so both back-ends match the same words),
    // and their weighted concatenation under a GIN index (subject A, from/filename B,
    // body/to/cc C, attachment text D) for the index scan and ranking; overlong columns are
    // also kept as exact chunks.
    pg: `
CREATE TABLE search_fts (
  rowid BIGINT PRIMARY KEY,
  subject TEXT, body TEXT, from_ TEXT, to_ TEXT, cc_ TEXT, filename TEXT, attachment TEXT,
  v_subject tsvector NOT NULL, v_body tsvector NOT NULL, v_from tsvector NOT NULL, v_to tsvector NOT NULL,
  v_cc tsvector NOT NULL, v_filename tsvector NOT NULL, v_attachment tsvector NOT NULL,
  chunked BOOLEAN NOT NULL DEFAULT FALSE,   -- a column overflowed tsvector: search_chunks is exact for this doc
  v_all tsvector GENERATED ALWAYS AS (
    setweight(v_subject, 'A') || setweight(v_from, 'B') || setweight(v_filename, 'B') || setweight(v_body, 'C')
    || setweight(v_to, 'C') || setweight(v_cc, 'C') || setweight(v_attachment, 'D')) STORED
);
CREATE INDEX search_fts_all ON search_fts USING gin (v_all);
-- Columns too long for one tsvector (16,383 positions, 256 per word, 1 MB), as overlapping
-- chunks; a message with one such column has all its columns here, and text matches for it
-- are decided here.
CREATE TABLE search_chunks (doc BIGINT NOT NULL, col TEXT COLLATE "C" NOT NULL, n INTEGER NOT NULL, v tsvector NOT NULL);
CREATE INDEX search_chunks_v ON search_chunks USING gin (v);
`,
  },
  {
    version: 4,
    name: 'users',
    sql: `
-- Server mode: users, sessions, API tokens, the audit log, and the team's annotations
-- (src/store/users.ts). Ids are random TEXT generated by trove, timestamps ISO-8601 UTC TEXT.
-- Column names avoid words PostgreSQL reserves (user, by): user_name, created_by.
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,            -- reader | editor | admin
  password_hash TEXT NOT NULL,   -- PHC string: $scrypt$ln=15,r=8,p=1$salt$hash
  created_at TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
-- Only the SHA-256 of a session id is stored: a copy of the database opens no session.
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,      -- absolute expiry; idle expiry is last_seen + the idle limit
  last_seen TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  label TEXT,
  created_at TEXT NOT NULL,
  last_used TEXT,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens (user_name);
CREATE TABLE audit (
  id TEXT PRIMARY KEY,           -- time-ordered: base-36 milliseconds, then random
  at TEXT NOT NULL,
  user_name TEXT,                -- null: anonymous (a failed login), token: the --token of token mode
  action TEXT NOT NULL,          -- search | open | download-raw | download-attachment | report | export | login | login-failed | logout | …
  target TEXT,                   -- the query, the message id, the user acted upon
  detail TEXT,                   -- JSON
  ip TEXT
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_user ON audit (user_name, at);
CREATE TABLE tags (
  message TEXT NOT NULL,
  tag TEXT NOT NULL,
  created_by TEXT,
  at TEXT NOT NULL,
  PRIMARY KEY (message, tag)
);
CREATE INDEX tags_tag ON tags (tag);
CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  message TEXT NOT NULL,
  text TEXT NOT NULL,
  created_by TEXT,
  at TEXT NOT NULL
);
CREATE INDEX notes_message ON notes (message);
CREATE TABLE saved_searches (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  q TEXT NOT NULL,
  created_by TEXT,
  at TEXT NOT NULL
);
`,
  },
  {
    version: 5,
    name: 'search index numbered by date',
    // Full-text rowids now follow the messages' dates (src/search/indexer.ts docIdBase), which
    // makes "newest first" the index's own order. The old index is dropped here and rebuilt by
    // the next ingest, search or serve (indexPending): derived data, nothing of the case is lost.
    sql: `
DELETE FROM search_addresses;
DELETE FROM search_fts;
DELETE FROM search_docs;
`,
    pg: `
DELETE FROM search_chunks;
`,
  },
  {
    version: 6,
    name: 'search: attachment flag, date ranges as document ranges',
    // has:attachment is read from the index (a partial index of the documents with one) instead
    // of joining every message with its attachments; filled here by the same rule. meta
    // 'doc_dates' (src/search/indexer.ts docDates) says whether date ranges can be answered as
    // document-number ranges: known at once for an empty index, checked once by the next
    // indexPending otherwise.
    sql: `
ALTER TABLE search_docs ADD COLUMN has_attachment INTEGER NOT NULL DEFAULT 0;
UPDATE search_docs SET has_attachment = 1 WHERE message IN (SELECT a.message FROM attachments a WHERE a.filename IS NOT NULL OR lower(a.disposition) = 'attachment');
CREATE INDEX search_docs_attached ON search_docs (id) WHERE has_attachment = 1;
INSERT INTO meta (key, value) SELECT 'doc_dates', 'exact' WHERE NOT EXISTS (SELECT 1 FROM search_docs);
`,
  },
  {
    version: 7,
    name: 'what the case passes read of each message',
    // Made by the parse workers, so the case-level passes stop reading and parsing every message
    // again: the domains it names and where (JSON, src/lookalike/extract.ts encodeDomains) for the
    // lookalike scan; its header facts (JSON, src/forensics/header-facts.ts) for the forensic pass.
    // NULL for messages ingested before: the passes read those from their bytes.
    sql: `
ALTER TABLE messages ADD COLUMN domains TEXT;
ALTER TABLE messages ADD COLUMN header_facts TEXT;
`,
  },
  {
    version: 8,
    name: 'full-text index in a file of its own (SQLite)',
    // The indexed text moves to search_text (read by rowid for snippets), and the FTS5 index to
    // search.db as a contentless table (store/sqlite.ts SEARCH_FILE): it is derived data, built
    // after a load by a thread of its own while the case passes run (search/fts-build.ts). The
    // 'fts_dirty' mark (pid 0: nobody's) has the next index run build it for every document.
    // PostgreSQL keeps its index where it is.
    sql: '',
    sqlite: `
CREATE TABLE search_text (
  doc INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  from_ TEXT NOT NULL,
  to_ TEXT NOT NULL,
  cc_ TEXT NOT NULL,
  filename TEXT NOT NULL,
  attachment TEXT NOT NULL
);
INSERT INTO search_text (doc, subject, body, from_, to_, cc_, filename, attachment)
  SELECT rowid, subject, body, from_, to_, cc_, filename, attachment FROM search_fts ORDER BY rowid;
DROP TABLE search_fts;
INSERT INTO meta (key, value) SELECT 'fts_dirty', '{"pid":0,"host":""}' WHERE EXISTS (SELECT 1 FROM search_text);
`,
  },
  {
    version: 9,
    name: 'indexed text stored in the order it is written (SQLite)',
    // search_text was keyed by document number, which follows the messages' dates, not the order
    // files are read in: each row of a load went to a page of its own somewhere in the table, and
    // every commit wrote (to the WAL, then to the file) a page for each of its messages. Kept in
    // the order written (its own rowid), with the document number a unique column, rows fill
    // pages one after another. Enron as a folder, two interleaved runs each: the read stage took
    // 6.11-6.14 s before, 5.42-5.55 s after. The index builder reads the text in that same
    // order (search/fts-build.ts). A case made before is copied over once, here.
    sql: '',
    sqlite: `
CREATE TABLE search_text_new (
  doc INTEGER NOT NULL UNIQUE,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  from_ TEXT NOT NULL,
  to_ TEXT NOT NULL,
  cc_ TEXT NOT NULL,
  filename TEXT NOT NULL,
  attachment TEXT NOT NULL
);
INSERT INTO search_text_new (doc, subject, body, from_, to_, cc_, filename, attachment)
  SELECT doc, subject, body, from_, to_, cc_, filename, attachment FROM search_text ORDER BY doc;
DROP TABLE search_text;
ALTER TABLE search_text_new RENAME TO search_text;
`,
  },
];
