import { createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The HS256 secret as a key object, made once. Handed a string, jsonwebtoken first tries to read it as a public
 * key and only builds a secret key when that throws: about half a millisecond on every token it verifies.
 */
export function hmacKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}
