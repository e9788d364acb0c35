import jwt from 'jsonwebtoken';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256';

/** An HS256 token that lives an hour, unless the claims carry an explicit `exp` (whole seconds) or options say otherwise. */
export function signToken(claims: Record<string, unknown>, options: jwt.SignOptions = {}, secret = TEST_SECRET): string {
  const lifetime: jwt.SignOptions = 'exp' in claims ? {} : { expiresIn: '1h' };
  return jwt.sign(claims, secret, { algorithm: 'HS256', ...lifetime, ...options });
}

/** An unsigned token (`alg: none`), as an attacker would forge one. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}
