/**
 * @module auth/key-fetch
 * `trove keys fetch`: the only code in trove that touches the network, and only when the user
 * asks. Looks up the TXT records of the DKIM key names the corpus needs and the archive lacks.
 * The lookup function is injected (tests pass a fake zone; the CLI passes {@link dnsTxtLookup}),
 * with a per-name timeout and a concurrency limit so a dump referencing thousands of selectors
 * neither hangs nor floods the resolver.
 */
import { Resolver } from 'node:dns/promises';
import { describeKeyRecord, joinTxtStrings } from './keys.ts';

/** Returns the TXT records of a name, each as its list of strings (as node:dns gives them). */
export type TxtLookup = (name: string, signal: AbortSignal) => Promise<string[][]>;

export interface FetchOptions {
  lookup: TxtLookup;
  /** Per-name timeout in ms (default 5000). */
  timeoutMs?: number;
  /** Lookups in flight at once (default 8). */
  concurrency?: number;
  /** The date recorded as first_seen/last_seen (default: now). */
  now?: Date;
}

export interface FetchedName {
  name: string;
  /** found: at least one DKIM record; not-found: NXDOMAIN / no TXT / no DKIM record among them; error: timeout or resolver failure. */
  outcome: 'found' | 'not-found' | 'error';
  records: { value: string; problem: string | null }[];
  error?: string;
}

export const FETCH_TIMEOUT_MS = 5000;
export const FETCH_CONCURRENCY = 8;
/** A DKIM key record: v=DKIM1 first, or (RFC 6376 3.6.1: v= is optional) a p= tag. */
const LOOKS_LIKE_DKIM = /^\s*(v\s*=\s*DKIM1\b|.*(^|;)\s*p\s*=)/i;

const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME']);

export async function fetchKeys(names: readonly string[], o: FetchOptions): Promise<FetchedName[]> {
  const timeout = o.timeoutMs ?? FETCH_TIMEOUT_MS;
  const width = Math.max(1, Math.min(o.concurrency ?? FETCH_CONCURRENCY, 64));
  const out: FetchedName[] = new Array(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const i = next++;
      out[i] = await fetchOne(names[i], o.lookup, timeout);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, names.length) }, worker));
  return out;
}

async function fetchOne(name: string, lookup: TxtLookup, timeoutMs: number): Promise<FetchedName> {
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEOUT' }));
    }, timeoutMs);
  });
  try {
    const txt = await Promise.race([lookup(name, ac.signal), timedOut]);
    const records = txt.map((strings) => joinTxtStrings(strings.join(''))).filter((v) => LOOKS_LIKE_DKIM.test(v)).map((value) => ({ value, problem: describeKeyRecord(value) }));
    return { name, outcome: records.length ? 'found' : 'not-found', records };
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (NOT_FOUND_CODES.has(code)) return { name, outcome: 'not-found', records: [] };
    return { name, outcome: 'error', records: [], error: `${code ? code + ': ' : ''}${e instanceof Error ? e.message : String(e)}`.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The real lookup, through node:dns (the system's resolvers, or `servers` when given). Used only
 * by `trove keys fetch`.
 */
export function dnsTxtLookup(servers?: string[]): TxtLookup {
  return async (name, signal) => {
    const r = new Resolver({ timeout: FETCH_TIMEOUT_MS, tries: 2 });
    if (servers?.length) r.setServers(servers);
    const onAbort = () => r.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await r.resolveTxt(name);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
}
