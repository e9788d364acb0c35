import request from 'supertest';
import { expectMatchesSpec } from './openapi-spec';

/**
 * GETs a path of the running service and checks the answer against openapi.yaml under the given route template,
 * so that every answer a test sees is also an answer the spec allows.
 */
export async function get(baseUrl: string, template: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(baseUrl).get(path).set(headers);
  return expectMatchesSpec('GET', template, res);
}
