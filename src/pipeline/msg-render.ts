/**
 * @module pipeline/msg-render
 * Outlook .msg (found as a file, in an archive, or attached to mail) to the RFC 5322
 * rendering trove parses; the original .msg bytes stay the message's identity and blob.
 */
import { DEFAULT_LIMITS, type Limits } from '../core/limits.ts';
import { readMsg } from '../ingest/outlook/msg.ts';

export type Rendered = { eml: Buffer } | { nonMail: string } | { error: string };

export function renderMsg(buf: Buffer, limits: Limits = DEFAULT_LIMITS): Rendered {
  let items;
  try {
    items = readMsg(buf, { limits, tmpDir: '' });
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const first = items[0];
  if (!first) return { error: 'the .msg file holds no item' };
  if ('problem' in first && first.problem) return { error: `${first.code}: ${first.reason}` };
  if ('nonMail' in first && first.nonMail) return { nonMail: first.what };
  return { eml: (first as { bytes: Buffer }).bytes };
}
