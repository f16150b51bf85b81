/**
 * @module server/auth/rate-limit
 * Failed logins per (name, client address): after MAX_FAILURES within the window, further
 * attempts for that pair are refused (429) until the window since the first failure ends,
 * without checking the password, so guessing costs the guesser time and the server nothing.
 * In memory: a restart forgets, which is acceptable for a rate limit (the audit log keeps
 * every failure). Written here because the maintained limiters count requests per client,
 * not failures per (account, address), and reset on success matters.
 */

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
/** Entries kept at most: an attacker cycling names cannot grow the map without bound. */
const MAX_ENTRIES = 100_000;

interface Entry { first: number; count: number }

export class LoginLimiter {
  private readonly failures = new Map<string, Entry>();
  private readonly now: () => Date;

  constructor(now: () => Date) {
    this.now = now;
  }

  private key(name: string, ip: string | null): string {
    return `${name.toLowerCase()}\u0000${ip ?? '-'}`;
  }

  /** Seconds until attempts are accepted again, or 0 when they are now. */
  retryAfter(name: string, ip: string | null): number {
    const e = this.failures.get(this.key(name, ip));
    if (!e) return 0;
    const left = e.first + WINDOW_MS - this.now().getTime();
    if (left <= 0) {
      this.failures.delete(this.key(name, ip));
      return 0;
    }
    return e.count >= MAX_FAILURES ? Math.ceil(left / 1000) : 0;
  }

  fail(name: string, ip: string | null): void {
    const k = this.key(name, ip);
    const t = this.now().getTime();
    const e = this.failures.get(k);
    if (e && e.first + WINDOW_MS > t) e.count++;
    else {
      if (this.failures.size >= MAX_ENTRIES) this.prune(t);
      this.failures.set(k, { first: t, count: 1 });
    }
  }

  succeed(name: string, ip: string | null): void {
    this.failures.delete(this.key(name, ip));
  }

  private prune(t: number): void {
    for (const [k, e] of this.failures) if (e.first + WINDOW_MS <= t) this.failures.delete(k);
    // still full: drop the oldest (Map iterates in insertion order)
    for (const k of this.failures.keys()) {
      if (this.failures.size < MAX_ENTRIES) break;
      this.failures.delete(k);
    }
  }
}
