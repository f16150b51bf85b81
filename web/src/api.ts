/**
 * @module web/api
 * The client's access to the JSON API: typed fetch helpers, the session (mode, user, CSRF
 * token sent as X-CSRF-Token on every non-GET request) and the signal that a request needs a
 * login (401 `unauthenticated`). Nothing here reaches anything but the server's own origin.
 */

export interface ApiErrorBody { error: { code: string; message: string } }

/** A failed API call: HTTP status plus the server's stable error code. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
}

export type Mode = 'open' | 'token' | 'users';
export interface SessionUser { name: string; role: string }
export interface Session { mode: Mode; user: SessionUser | null; csrf: string | null }

let csrf: string | null = null;
const loginListeners = new Set<() => void>();

export function setCsrf(token: string | null): void {
  csrf = token;
}

/** Called whenever the server answers 401 `unauthenticated`. */
export function onLoginNeeded(f: () => void): () => void {
  loginListeners.add(f);
  return () => loginListeners.delete(f);
}

async function failure(r: Response): Promise<ApiFailure> {
  let code = `http-${r.status}`;
  let message = r.statusText || `HTTP ${r.status}`;
  try {
    const b = (await r.json()) as Partial<ApiErrorBody>;
    if (b.error?.code) code = b.error.code;
    if (b.error?.message) message = b.error.message;
  } catch {
    // not JSON: keep the status line
  }
  if (r.status === 401 && code === 'unauthenticated') for (const f of loginListeners) f();
  return new ApiFailure(r.status, code, message);
}

/** One API request; resolves to the JSON body (or null for 204), rejects with ApiFailure. */
export async function api<T>(path: string, init: { method?: string; json?: unknown; form?: FormData; signal?: AbortSignal } = {}): Promise<T> {
  const method = init.method ?? (init.json !== undefined || init.form ? 'POST' : 'GET');
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let body: BodyInit | undefined;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) body = init.form;
  const r = await fetch(path, { method, headers, body, signal: init.signal, credentials: 'same-origin', redirect: 'error' });
  if (!r.ok) throw await failure(r);
  if (r.status === 204) return null as T;
  const text = await r.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Query string from the non-empty entries. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** The session; a server without sessions (404) is an open local case. */
export async function getSession(): Promise<Session> {
  try {
    const s = await api<Session>('/api/session');
    setCsrf(s.csrf);
    return s;
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404) return { mode: 'open', user: null, csrf: null };
    throw e;
  }
}

export async function login(name: string, password: string): Promise<Session['user']> {
  const r = await api<{ user: SessionUser; csrf: string | null }>('/api/session', { json: { name, password } });
  setCsrf(r.csrf);
  return r.user;
}

export async function logout(): Promise<void> {
  await api('/api/session', { method: 'DELETE' });
  setCsrf(null);
}

/** Runs an optional endpoint: null when the server does not have it (404 route-not-found). */
export async function optional<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiFailure && (e.status === 404 || e.status === 501) && e.code !== 'not-found') return null;
    throw e;
  }
}

// ---- shapes of the API's answers (see /api/openapi.json)

export interface Hit { id: string; subject: string; from: string; from_name: string; date: string | null; snippet: string; verdict: string; thread_id: string | null }
export interface SearchResult { total: number; hits: Hit[] }
export interface FacetValue { value: string; count: number }
export interface Facets { senders: FacetValue[]; domains: FacetValue[]; years: FacetValue[]; months: FacetValue[]; verdicts: FacetValue[]; evidence: FacetValue[]; attachment_types: FacetValue[] }
export interface Edge { from: string; to: string; count: number }
export interface Address { name: string; address: string }
export interface Dkim { domain?: string; selector?: string; algorithm?: string; result?: string; body_hash?: string; header_signature?: string; aligned?: boolean; key?: string; length_limit?: number | null; signed_headers?: string[] }
export interface Attachment { filename: string | null; content_type: string; size: number; sha256: string; metadata: Record<string, unknown> }
export interface Finding { code: string; severity: string; detail: string }
export interface MessageView {
  id: string; sources: { locator: string }[]; message_id: string | null; date: string | null; date_raw?: string | null;
  from: Address[]; to: Address[]; cc: Address[]; subject: string; size: number; thread_id: string | null;
  attachments: Attachment[]; dkim: Dkim[]; arc: { result: string; instances: number }; verdict: string; evidence: Finding[];
  headers: { name: string; value: string }[]; text: string; html: string | null; remote_blocked: number; remote_hosts: string[]; links: number;
}
export interface ThreadRow { id: string; date: string | null; subject: string | null; from: string | null; verdict: string | null }
export interface Item { locator: string; code: string; reason?: string; message?: string }
export interface Status {
  messages: number; unique: number; duplicates: number; containers: number; files: number; bytes: number; parse_errors: number;
  skipped: Item[]; errors: Item[]; warnings: Item[]; incomplete: string[]; runs: { id: number; started_at: string; finished_at: string | null; status: string }[];
  /** Server mode (PostgreSQL): the ingest queue and each worker's throughput. */
  queue?: { jobs: number; done: number; running: number; queued: number };
  workers?: { id: string; host: string; pid: number; last_seen: string; current_job: string | null; jobs: number; messages: number; bytes: number; msg_per_s: number; mb_per_s: number }[];
}
export interface SummaryEntry { value: string; script: string | null; files: number; messages: number; first_seen: string | null; last_seen: string | null }
export interface ForensicsSummary { authors: SummaryEntry[]; companies: SummaryEntry[]; software: SummaryEntry[]; devices: SummaryEntry[] }
export interface DiffOp { op: 'equal' | 'changed' | 'inserted' | 'deleted'; quote?: string; source?: string; kind?: string }
export interface ProvenanceMatch {
  id: string; message_id: string | null; locator: string | null; similarity: number; match: boolean; passage: string; diff: DiffOp[];
  subject: string | null; date: string | null; verdict: string | null; exact?: 'message' | 'attachment'; attachment?: { idx: number; filename: string | null };
  changes: { numbers: DiffOp[]; names: DiffOp[] };
  /** A message given as a file, against the stored one (optional: newer servers). */
  message_diff?: { headers: { name: string; op: 'added' | 'removed' | 'changed'; input?: string; source?: string }[]; body_identical: boolean; body_similarity: number };
  /** A document given as a file, against the attachment's metadata (optional: newer servers). */
  metadata?: { fields: { field: string; input: unknown; source: unknown; same: boolean }[]; differs: string[] };
}
export interface ProvenanceResult { threshold: number; found: boolean; matches: ProvenanceMatch[]; input: { kind: 'text' | 'file'; words: number; sha256?: string } }
export interface Annotations { tags: { tag: string; by: string; at: string }[]; notes: { id: string | number; text: string; by: string; at: string }[] }
export interface SavedSearch { id: string | number; name: string; q: string; by: string; at: string }
