import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const specPath = resolve(__dirname, '../../openapi.yaml');
export const specText = readFileSync(specPath, 'utf8');
export const spec = parse(specText) as Record<string, any>;

/**
 * A strict Ajv holding the whole document under the key `openapi.yaml`, so that `$ref`s between its schemas resolve.
 * The document's own fields and OpenAPI's schema extensions are declared as keywords: strict mode then refuses
 * only what is neither JSON Schema nor OpenAPI (a misspelt keyword, a key made of half a description).
 */
export function specAjv(options: { allErrors?: boolean } = {}): Ajv2020 {
  const strictAjv = new Ajv2020({ strict: true, ...options });
  addFormats(strictAjv);
  strictAjv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs']);
  strictAjv.addVocabulary(['discriminator', 'xml', 'example']);
  strictAjv.addSchema(spec, 'openapi.yaml');
  return strictAjv;
}

const ajv = specAjv({ allErrors: true });

/** Follows `$ref`s inside the document (responses, parameters), as an OpenAPI reader does. */
function deref(node: any): any {
  while (node && typeof node.$ref === 'string') {
    node = node.$ref
      .replace(/^#\//, '')
      .split('/')
      .map((part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at: any, part: string) => at?.[part], spec);
  }
  return node;
}

const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export interface SpecResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

/**
 * Problems of an answer against the spec: its status must be documented for the operation, its content type
 * declared, and a JSON body must match the schema. An empty list means the answer matches.
 */
export function specProblems(method: string, pathTemplate: string, res: SpecResponse): string[] {
  const operation = spec['paths']?.[pathTemplate]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${pathTemplate} is not in the spec`];
  const response = deref(operation.responses?.[String(res.status)] ?? operation.responses?.default);
  if (!response) return [`${method} ${pathTemplate} does not document status ${res.status}`];
  const contentType = String(res.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const media = response.content?.[contentType];
  if (!media) return [`${method} ${pathTemplate} ${res.status} does not declare ${contentType || 'no content type'}`];
  const schemaPath = Object.keys(operation.responses).includes(String(res.status))
    ? (operation.responses[String(res.status)].$ref ?? `#/${pointer('paths', pathTemplate, method.toLowerCase(), 'responses', String(res.status))}`)
    : `#/${pointer('paths', pathTemplate, method.toLowerCase(), 'responses', 'default')}`;
  const validate = ajv.getSchema(`openapi.yaml${schemaPath}/content/${pointer(contentType)}/schema`);
  if (!validate) return [`no schema at ${schemaPath}`];
  const body = contentType === 'application/json' ? res.body : res.text;
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Asserts the answer matches the spec; returns it for chaining. */
export function expectMatchesSpec<T extends SpecResponse>(method: string, pathTemplate: string, res: T): T {
  expect(specProblems(method, pathTemplate, res)).toEqual([]);
  return res;
}
