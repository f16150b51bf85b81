/**
 * @module auth/dkim/unsigned-headers
 * The attack of RFC 6376 §8.15: a signature with h=from covers only the bottom-most From (the
 * verifier picks instances bottom-up), so anyone can put a second From above it and the signature
 * still verifies, while most mail programs display the top one. Signers defend by "oversigning"
 * (listing the name once more than it occurs, so an added copy breaks the signature); verifiers
 * must look for the extra copies themselves. We do it for the fields a message may carry only once
 * (RFC 5322 §3.6, RFC 2045) and that a reader relies on; Received, List-* and the like occur many
 * times legitimately and are left alone.
 */
import type { DkimMessage } from './message.ts';

/** Lower-case name -> display spelling. */
export const SINGLE_INSTANCE_FIELDS: ReadonlyMap<string, string> = new Map([
  ['from', 'From'], ['sender', 'Sender'], ['reply-to', 'Reply-To'], ['to', 'To'], ['cc', 'Cc'], ['bcc', 'Bcc'],
  ['subject', 'Subject'], ['date', 'Date'], ['message-id', 'Message-ID'], ['in-reply-to', 'In-Reply-To'],
  ['references', 'References'], ['mime-version', 'MIME-Version'], ['content-type', 'Content-Type'],
  ['content-transfer-encoding', 'Content-Transfer-Encoding'],
]);

export interface UnsignedCopy {
  /** Display name, e.g. "From". */
  name: string;
  /** How many instances nobody signed (the top-most ones). */
  extra: number;
}

/** Single-instance fields named in h= that occur more often in the message than in h=. */
export function findUnsignedCopies(msg: Pick<DkimMessage, 'byName'>, signedNames: readonly string[]): UnsignedCopy[] {
  const signedCount = new Map<string, number>();
  for (const n of signedNames) {
    const l = n.toLowerCase();
    if (SINGLE_INSTANCE_FIELDS.has(l)) signedCount.set(l, (signedCount.get(l) ?? 0) + 1);
  }
  const out: UnsignedCopy[] = [];
  for (const [lname, signed] of signedCount) {
    const present = msg.byName.get(lname)?.length ?? 0;
    if (present > signed) out.push({ name: SINGLE_INSTANCE_FIELDS.get(lname) ?? lname, extra: present - signed });
  }
  return out;
}
