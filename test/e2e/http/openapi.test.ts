import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { spec, specAjv, specPath, specProblems, specText } from '../../support/openapi-spec';

const root = resolve(__dirname, '../../..');
const generated = resolve(root, 'src/adapters/http/generated/openapi.types.ts');

/** JSON pointers of every schema in the document: each component schema, and each `schema` of a parameter or a media type. */
function schemaPointers(node: unknown, path: string[] = []): string[] {
  if (node === null || typeof node !== 'object') return [];
  const pointer = path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  const isComponentSchema = path.length === 3 && path[0] === 'components' && path[1] === 'schemas';
  if (isComponentSchema || (path.at(-1) === 'schema' && path.at(-2) !== 'properties')) return [pointer];
  return Object.entries(node).flatMap(([key, child]) => schemaPointers(child, [...path, key]));
}

/** Runs a command without blocking the event loop; resolves with its exit code and output. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    execFile(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => done({ code: error ? Number(error.code ?? 1) : 0, stdout }));
  });
}

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', () => {
    const metaDir = resolve(root, 'node_modules/@seriousme/openapi-schema-validator/schemas/v3.1');
    const metaSchema = JSON.parse(readFileSync(join(metaDir, readdirSync(metaDir)[0] as string), 'utf8'));
    // The published meta-schema is not written for Ajv's strict mode (it fails strictTypes); the spec's own schemas are.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('media-range', true);
    const validate = ajv.compile(metaSchema);
    expect(validate(spec) ? [] : validate.errors).toEqual([]);
    expect(validate({ openapi: '3.1.0', info: { title: 'no version' }, paths: {} })).toBe(false);
  });

  it('has schemas that strict Ajv compiles as JSON Schema 2020-12: components, parameters and answers', () => {
    const ajv = specAjv();
    const pointers = schemaPointers(spec);
    expect(pointers).toContain('/components/schemas/PresencePage');
    expect(pointers).toContain('/paths/~1health/get/responses/200/content/application~1json/schema');
    const problems = pointers.flatMap((pointer) => {
      try {
        ajv.getSchema(`openapi.yaml#${pointer}`);
        return [];
      } catch (error) {
        return [`${pointer}: ${(error as Error).message}`];
      }
    });
    expect(problems).toEqual([]);
  });

  it('passes `redocly lint` with the recommended rules, without errors or warnings', async () => {
    const { code, stdout } = await run(resolve(root, 'node_modules/.bin/redocly'), ['lint', specPath, '--format=json'], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    });
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: object; problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }> };
    expect(report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
    expect(code).toBe(0);
  });

  it('carries the package version as info.version', () => {
    const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
    expect(spec['info'].version).toBe(version);
  });

  it('documents every route the service serves', () => {
    expect(Object.keys(spec['paths']).sort()).toEqual([
      '/',
      '/app.js',
      '/client/presence-client.js',
      '/favicon.ico',
      '/favicon.svg',
      '/health',
      '/metrics',
      '/openapi.yaml',
      '/presence',
      '/presence-events',
      '/presence/{userId}',
      '/ready',
      '/style.css',
    ]);
  });

  it('is what the generated handler types were made from (run `npm run generate` after editing the spec)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'openapi-types-')), 'openapi.types.ts');
    execFileSync(process.execPath, [resolve(root, 'node_modules/openapi-typescript/bin/cli.js'), specPath, '-o', out], { stdio: 'pipe' });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(generated, 'utf8'));
  });

  it('catches an answer that does not match it', () => {
    const wrong = { status: 200, headers: { 'content-type': 'application/json' }, text: '', body: { users: [{ userId: true }], total: -1 } };
    expect(specProblems('GET', '/presence', wrong).length).toBeGreaterThan(0);
    expect(specProblems('GET', '/presence', { ...wrong, status: 418 })).toEqual(['GET /presence does not document status 418']);
  });

  describe('served', () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await buildTestApp();
    });

    afterAll(() => app.stop());

    it('at GET /openapi.yaml, as YAML, unchanged', async () => {
      const res = await request(app.url).get('/openapi.yaml');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/yaml/);
      expect(res.text).toBe(specText);
    });
  });
});
