/**
 * @module pipeline/parse-message
 * The parse stage for one message and everything embedded in it. Runs inside a worker
 * thread; pure function of its input, so results are the same in any worker, in any order.
 */
import type { Limits } from '../core/limits.ts';
import { parseMessage, sha256hex as sha } from '../mime/parse.ts';
import type { HeaderField } from '../mime/headers.ts';
import { renderMsg } from './msg-render.ts';
import type { KeyResolver } from '../auth/types.ts';
import { indexFields } from '../search/indexer.ts';
import { domainsOf, encodeDomains } from '../lookalike/extract.ts';
import { headerFactsJson } from '../forensics/header-facts.ts';
import { authenticateMessage } from './authenticate-message.ts';
import type { MessageResult } from './task.ts';
import { ownBuffer } from './task.ts';


/** Thread key until the search stage rebuilds threads properly: root of References, else In-Reply-To, else own id. */
function threadOf(refs: string[], inReplyTo: string[], messageId: string | null, id: string): string {
  const root = refs[0] ?? inReplyTo[0] ?? messageId;
  return root ? sha(Buffer.from(root.toLowerCase())).slice(0, 16) : id.slice(0, 16);
}

export interface StageOptions {
  limits: Limits;
  /** Key archive lookup; when absent, authentication is skipped. */
  resolve: KeyResolver | null;
}

export function parseOne(bytes: Uint8Array, format: 'rfc822' | 'msg', origin: 'as-found' | 'synthesized', opts: StageOptions, depth = 0): MessageResult {
  const { limits } = opts;
  const id = sha(bytes);
  const result: MessageResult = {
    sha256: id, size: bytes.length, format, origin, bytes, rendered: null, parsed: null,
    threadId: id.slice(0, 16), error: null, blobs: [], children: [], nonMail: [], auth: null, index: null, domains: null, headerFacts: null,
  };
  if (opts.resolve) result.auth = authenticateMessage(bytes, format === 'msg' ? 'synthesized' : origin, opts.resolve);
  let wire: Uint8Array = bytes;
  if (format === 'msg') {
    const r = renderMsg(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), limits);
    if ('error' in r) {
      result.error = r.error;
      return result;
    }
    if ('nonMail' in r) {
      result.nonMail.push({ name: '', what: r.nonMail });
      result.error = `not an email: Outlook item of class ${r.nonMail}`;
      return result;
    }
    wire = ownBuffer(r.eml);
    result.rendered = wire;
  }
  let fields: HeaderField[] | undefined;
  try {
    const out = parseMessage(wire, limits);
    fields = out.headerFields;
    const m = out.message;
    result.parsed = m;
    result.threadId = threadOf(m.references, m.inReplyTo, m.messageId, id);
    result.index = indexFields(m);
    result.domains = encodeDomains(domainsOf(m));
    const seen = new Set<string>();
    out.attachmentBytes.forEach((b, i) => {
      const h = m.attachments[i].sha256;
      if (seen.has(h)) return;
      seen.add(h);
      result.blobs.push({ sha256: h, bytes: ownBuffer(b) });
    });
    for (const e of out.embedded) {
      if (depth + 1 > limits.maxEmbeddedDepth) {
        m.anomalies.push({ code: 'embedded-too-deep', detail: `Part ${e.part}: a message nested more than ${limits.maxEmbeddedDepth} levels deep is kept as an attachment only.` });
        continue;
      }
      result.children.push({ part: e.part, filename: e.filename, result: parseOne(ownBuffer(e.bytes), e.format, 'as-found', opts, depth + 1) });
    }
  } catch (e) {
    result.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  try {
    result.headerFacts = headerFactsJson(wire, fields && { fields, limits });
  } catch {
    // left to the case pass, which reads the stored bytes the same way
  }
  return result;
}
