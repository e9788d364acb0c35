/**
 * The address a request comes from, one rule for HTTP and for Socket.IO handshakes. Behind a reverse proxy or load
 * balancer (`TRUST_PROXY`), that is the last address its `X-Forwarded-For` names, the one the proxy appended (those
 * before it are the client's to write, so they are not believed); otherwise, and when there is none, the TCP peer's.
 */
export function clientAddressOf(peer: string, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  if (!trustProxy || forwardedFor === undefined) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const last = header.split(',').map((hop) => hop.trim()).filter((hop) => hop.length > 0).pop();
  return last ?? peer;
}
