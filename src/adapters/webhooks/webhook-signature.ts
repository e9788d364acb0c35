import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CONTRACT §10's signature: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the secret, where the
 * timestamp is the `X-Presence-Timestamp` header (unix seconds) of the same attempt.
 */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Whether a receiver should accept a delivery: the signature matches, and the timestamp is within `toleranceS` of now. */
export function isGenuine(secret: string, headers: { timestamp?: string; signature?: string }, body: string, nowS: number, toleranceS = 300): boolean {
  const { timestamp, signature } = headers;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowS - Number(timestamp)) > toleranceS) return false;
  const expected = Buffer.from(signatureOf(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
