/**
 * @module auth/dkim/crypto
 * Checks a header signature and, when it fails, says WHY in the one way mathematics allows.
 *
 * For RSA (PKCS#1 v1.5) the public operation recovers the block the signer encrypted. If that
 * block is well formed (00 01 FF… 00 DigestInfo), the archived key is the key that signed, and the
 * signed headers hashed to something else: the headers were modified (`digest-mismatch`). If it
 * is noise, this key did not make this signature at all (`wrong-key`): the domain rotated its key
 * under the same selector, or b= was damaged. Without that distinction, key rotation would be
 * reported as tampering, which is the kind of false accusation a newsroom cannot afford.
 *
 * Ed25519 has no such structure: a failure is just `invalid`.
 */
import { verify, publicDecrypt, createHash, constants, type KeyObject } from 'node:crypto';
import type { HashName, KeyType } from './signature.ts';

export type SignatureCheck = 'valid' | 'digest-mismatch' | 'wrong-key' | 'invalid';

/**
 * @param data the canonicalised header bytes (the hash input), latin1 string
 */
export function checkSignature(key: KeyObject, keyType: KeyType, bits: number, hash: HashName, data: Buffer, signature: Buffer): SignatureCheck {
  if (keyType === 'ed25519') {
    // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the canonicalised headers (not the headers).
    const digest = createHash('sha256').update(data).digest();
    try {
      return verify(null, digest, key, signature) ? 'valid' : 'invalid';
    } catch {
      return 'invalid';
    }
  }
  const size = Math.ceil(bits / 8);
  if (signature.length > size) return 'wrong-key';
  // A signature integer with leading zero bytes may have been encoded shorter; OpenSSL wants the
  // modulus length. Left-padding does not change the number.
  const sig = signature.length < size ? Buffer.concat([Buffer.alloc(size - signature.length), signature]) : signature;
  try {
    if (verify(hash, data, key, sig)) return 'valid';
  } catch {
    return 'wrong-key';
  }
  try {
    publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
    return 'digest-mismatch';
  } catch {
    return 'wrong-key';
  }
}
