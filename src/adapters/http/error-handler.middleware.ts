import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { notFound, toHttpError } from './http-error';

/** The one place HTTP errors become the contract's JSON body; an unmatched route is a JSON 404 too. */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw notFound(`no route ${ctx.method} ${ctx.path}`);
    } catch (error) {
      const answer = toHttpError(error);
      if (answer.status >= 500) logger.error({ err: error, method: ctx.method, route: ctx.path }, 'request failed');
      ctx.status = answer.status;
      ctx.body = { error: { code: answer.code, message: answer.message } };
      if (answer.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
    }
  };
}
