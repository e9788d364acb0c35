import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

/** The API's policy: an answer of this service is data, never a document that loads or frames anything. */
const API_POLICY = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };

/** The page's policy: its scripts, styles, icon and socket from this origin only. */
const PAGE_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  imgSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/** Helmet's headers on every answer, errors included, with the API's policy and framing denied outright. */
export function securityHeaders(): Middleware {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: API_POLICY },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // The service speaks plain HTTP; HSTS is for the proxy that ends TLS in front of it to send, for its own domain.
    strictTransportSecurity: false,
  });
}

/** The page's own policy, in place of the API's, on the page and the files it loads. */
export function pagePolicy(): Middleware {
  return helmet.contentSecurityPolicy({ useDefaults: false, directives: PAGE_POLICY });
}
