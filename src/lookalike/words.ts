/**
 * @module lookalike/words
 * Word lists the scorer relies on: service words that phishing kits pair with a brand
 * (combosquatting, Kintis et al., "Hiding in Plain Sight", CCS 2017), TLDs for swaps, and the
 * QWERTY/AZERTY keyboard neighbours for typos.
 */

/** Words that, added to a brand, make a domain look like one of its services. */
export const SERVICE_WORDS: readonly string[] = [
  'mail', 'email', 'webmail', 'mx', 'smtp', 'imap', 'pop', 'owa', 'exchange', 'outlook', 'onedrive', 'drive',
  'docs', 'doc', 'documents', 'files', 'file', 'share', 'sharepoint', 'sharing', 'dropbox', 'cloud', 'office',
  'office365', 'o365', 'microsoft', 'google', 'gmail', 'apple', 'icloud', 'portal', 'account', 'accounts',
  'secure', 'security', 'login', 'logon', 'signin', 'sign', 'verify', 'verification', 'validate', 'auth',
  'sso', 'adfs', 'sts', 'sap', 'citrix', 'skype', 'id', 'identity', 'password', 'pass', 'reset', 'support', 'help', 'helpdesk', 'service', 'services',
  'team', 'admin', 'it', 'update', 'updates', 'alert', 'alerts', 'notice', 'notification', 'info', 'online',
  'web', 'www', 'my', 'app', 'apps', 'access', 'connect', 'vpn', 'remote', 'intranet', 'extranet', 'staff',
  'hr', 'pay', 'payment', 'billing', 'invoice', 'bank', 'dons', 'don', 'donate', 'membres', 'adherents',
  'compte', 'connexion', 'securite', 'messagerie', 'officiel', 'official', 'net', 'group', 'corp', 'inc',
  'live', 'box', 'storage', 'settings', 'setting', 'page', 'center', 'centre', 'fr', 'com', 'org', 'eu', 'uk', 'us', 'de',
];

export const SERVICE_SET: ReadonlySet<string> = new Set(SERVICE_WORDS);

/** TLDs a swap or an added TLD most often uses (dnstwist's default list, abridged, plus ccTLDs). */
export const COMMON_TLDS: readonly string[] = [
  'com', 'net', 'org', 'info', 'biz', 'co', 'io', 'me', 'eu', 'fr', 'de', 'uk', 'co.uk', 'us', 'ru', 'cn',
  'nl', 'be', 'ch', 'it', 'es', 'pt', 'pl', 'cz', 'ro', 'ua', 'in', 'br', 'tk', 'ml', 'ga', 'cf', 'gq',
  'xyz', 'top', 'online', 'site', 'live', 'app', 'cloud', 'email', 'support', 'services', 'ws', 'cc', 'tv',
  'news', 'help', 'link', 'click', 'cm', 'om',
];

const ROWS_QWERTY = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const ROWS_AZERTY = ['1234567890-', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'];

function neighbours(rows: string[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < rows[r].length; c++) {
      const set = m.get(rows[r][c]) ?? new Set<string>();
      // rows are staggered: a key touches the two keys above it (same column and the next)
      // and the two below (previous column and the same)
      const near: [number, number][] = [[0, -1], [0, 1], [-1, 0], [-1, 1], [1, -1], [1, 0]];
      for (const [dr, dc] of near) {
        const ch = rows[r + dr]?.[c + dc];
        if (ch) set.add(ch);
      }
      m.set(rows[r][c], set);
    }
  }
  return m;
}

const Q = neighbours(ROWS_QWERTY);
const A = neighbours(ROWS_AZERTY);

/** Keys next to `ch` on a QWERTY or AZERTY keyboard. */
export function adjacentKeys(ch: string): string[] {
  return [...new Set([...(Q.get(ch) ?? []), ...(A.get(ch) ?? [])])];
}

export function isAdjacent(a: string, b: string): boolean {
  return Q.get(a)?.has(b) === true || A.get(a)?.has(b) === true;
}

export const VOWELS: ReadonlySet<string> = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
