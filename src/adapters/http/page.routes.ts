import Router from '@koa/router';
import type { Middleware } from 'koa';
import conditional from 'koa-conditional-get';
import etag from '@koa/etag';
import serve from 'koa-static';
import { pagePolicy } from './security-headers.middleware';

export interface PageFiles {
  /** The folder of index.html, app.js, style.css, favicon.svg. */
  readonly publicDir: string;
  /** The folder of the built files: the browser build of the presence client at `client/presence-client.js`. */
  readonly builtDir: string;
}

/** Served from `publicDir`: `/` is its index.html. */
const PAGE_PATHS = ['/', '/app.js', '/style.css', '/favicon.svg'];
/** Served from `builtDir` (404 until `npm run build:client`). */
const BUILT_PATHS = ['/client/presence-client.js'];

/**
 * The live presence page at `/`, its files, and the client library it uses at `/client/presence-client.js`. Only
 * these paths are routed, so nothing else in the folders is served. A browser asks again on every load
 * (`no-cache`) and gets a 304 while the file is unchanged.
 */
export function pageRoutes(files: PageFiles): Router {
  const router = new Router();
  const from = (dir: string): Middleware[] => [
    pagePolicy(),
    conditional(),
    etag(),
    serve(dir, { setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }),
  ];
  const page = from(files.publicDir);
  router.get(PAGE_PATHS, ...page);
  router.get(BUILT_PATHS, ...from(files.builtDir));
  // Browsers that do not follow the page's icon link still ask for the old name: they get the same SVG, not a 404.
  const asIcon: Middleware = (ctx, next) => {
    ctx.path = '/favicon.svg';
    return next();
  };
  router.get('/favicon.ico', asIcon, ...page);
  return router;
}
