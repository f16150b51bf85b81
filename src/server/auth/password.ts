/**
 * @module server/auth/password
 * Password hashing with node:crypto scrypt (memory-hard), a random 16-byte salt per password,
 * and the parameters stored with the hash as a PHC string: `$scrypt$ln=15,r=8,p=1$SALT$HASH`
 * (base64 without padding). Verification re-derives with the stored parameters, so stronger
 * parameters can be introduced later without invalidating existing hashes, and compares in
 * constant time. Also: secrets for sessions and API tokens, and their SHA-256 for storage.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** N = 2^15, r = 8, p = 1: 32 MiB per hash. Stored with each hash, so raising them later keeps old hashes valid. */
export const SCRYPT_LOG_N = 15;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
const KEY_LEN = 32;
const SALT_LEN = 16;
/** Highest accepted parameters when reading a stored hash (a tampered row must not exhaust memory). */
const MAX_LOG_N = 20;
const MAX_R = 16;
const MAX_P = 4;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number, len: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128 * N * r bytes; Node's default maxmem (32 MiB) is exactly that at 2^15, r = 8
  const opts: ScryptOptions = { N, r, p, maxmem: 128 * N * r * 2 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, len, opts, (e, key) => (e ? reject(e) : resolve(key))));
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, KEY_LEN);
  return `$scrypt$ln=${SCRYPT_LOG_N},r=${SCRYPT_R},p=${SCRYPT_P}$${b64(salt)}$${b64(key)}`;
}

interface Parsed { logN: number; r: number; p: number; salt: Buffer; key: Buffer }

export function parseHash(h: string): Parsed | null {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{43,88})$/.exec(h);
  if (!m) return null;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 10 || logN > MAX_LOG_N || r < 1 || r > MAX_R || p < 1 || p > MAX_P) return null;
  return { logN, r, p, salt: Buffer.from(m[4], 'base64'), key: Buffer.from(m[5], 'base64') };
}

/** A hash of a password nobody knows: verified against when the user does not exist, so both failures take as long. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('hex'));
  return dummy;
}

/** True when password matches the stored hash. A malformed hash never matches (and still costs a derivation). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const p = parseHash(stored);
  if (!p) {
    await verifyPassword(password, await dummyHash());
    return false;
  }
  const key = await derive(password, p.salt, p.logN, p.r, p.p, p.key.length);
  return key.length === p.key.length && timingSafeEqual(key, p.key);
}

/** Checks a new password's length; returns the reason when refused. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

/** A 256-bit random secret, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** How session ids and API tokens are stored: SHA-256 hex (they are random, so no salt or KDF is needed). */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time string equality (lengths hidden by hashing first). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
