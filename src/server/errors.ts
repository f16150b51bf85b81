/**
 * @module server/errors
 * The one place where error codes become HTTP statuses, and the JSON error body every API
 * failure carries: `{"error": {"code", "message"}}`.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { isTroveError, type ErrorCode } from '../core/errors.ts';

/** Codes the server adds beyond TroveError's (request-level). */
export type HttpErrorCode = ErrorCode | 'bad-request' | 'unauthorized' | 'forbidden-host' | 'not-implemented' | 'route-not-found'
  // server mode (src/server/auth)
  | 'unauthenticated' | 'bad-credentials' | 'forbidden' | 'csrf' | 'rate-limited' | 'conflict';

const STATUS: Partial<Record<HttpErrorCode, ContentfulStatusCode>> = {
  usage: 400,
  'bad-request': 400,
  unauthorized: 401,
  'forbidden-host': 403,
  unauthenticated: 401,
  'bad-credentials': 401,
  forbidden: 403,
  csrf: 403,
  conflict: 409,
  'rate-limited': 429,
  'not-found': 404,
  'route-not-found': 404,
  'case-not-found': 404,
  'input-not-found': 404,
  'not-implemented': 501,
};

export function httpStatus(code: HttpErrorCode): ContentfulStatusCode {
  return STATUS[code] ?? 500;
}

/** An error raised by the server itself, with one of the codes above. */
export class ApiError extends Error {
  readonly code: HttpErrorCode;
  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

export function errorBody(code: HttpErrorCode, message: string): { error: { code: HttpErrorCode; message: string } } {
  return { error: { code, message } };
}

/** Normalises anything thrown into a code and a message a user can read. */
export function classify(e: unknown): { code: HttpErrorCode; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  if (isTroveError(e)) return { code: e.code, message: e.message };
  if (e instanceof ZodError) {
    const i = e.issues[0];
    return { code: 'bad-request', message: i ? `${i.path.join('.') || 'request'}: ${i.message}` : 'invalid request' };
  }
  if (e instanceof HTTPException) return { code: e.status === 404 ? 'route-not-found' : e.status < 500 ? 'bad-request' : 'internal', message: e.message };
  return { code: 'internal', message: 'internal error' };
}

/** Hono's onError handler for the JSON API. */
export function jsonError(e: unknown, c: Context): Response {
  const { code, message } = classify(e);
  const status = httpStatus(code);
  if (status >= 500 && code === 'internal') process.stderr.write(`trove serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return c.json(errorBody(code, message), status);
}
