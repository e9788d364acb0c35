/**
 * Which browser origins may use the service, one answer for HTTP (`@koa/cors`) and for Socket.IO handshakes, so
 * that the two surfaces cannot allow different origins.
 *
 * A browser's request carries its page's origin; servers and scripts send none and are not browsers. The service's
 * own pages (same origin as the request's host) are always allowed.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowedOrigins: ReadonlySet<string>): boolean {
  if (origin === undefined || allowedOrigins.has(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
