import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Router from '@koa/router';

/** The page's own policy: its scripts, styles and socket from this origin only. */
const PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface PageFiles {
  /** The folder of index.html, app.js, style.css. */
  readonly publicDir: string;
  /** The browser build of the presence client (`npm run build:client`). */
  readonly clientBundle: string;
}

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The live presence page at `/`, its files, and the client library it uses at `/client/presence-client.js`. */
export function pageRoutes(files: PageFiles): Router {
  const router = new Router();
  const serve = (route: string, path: string) => {
    const type = types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
    // Read once, when first asked for: the files do not change while the service runs.
    let body: Buffer | undefined;
    router.get(route, (ctx) => {
      if (body === undefined && existsSync(path)) body = readFileSync(path);
      if (body === undefined) return; // not built: the error handler answers 404
      ctx.type = type;
      ctx.set('Content-Security-Policy', PAGE_POLICY);
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = body;
    });
  };
  serve('/', join(files.publicDir, 'index.html'));
  serve('/app.js', join(files.publicDir, 'app.js'));
  serve('/style.css', join(files.publicDir, 'style.css'));
  serve('/client/presence-client.js', files.clientBundle);
  return router;
}
