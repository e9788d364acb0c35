import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { spec, specPath, specProblems, specText } from '../../support/openapi-spec';

const root = resolve(__dirname, '../../..');
const generated = resolve(root, 'src/adapters/http/generated/openapi.types.ts');

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', () => {
    const metaDir = resolve(root, 'node_modules/@seriousme/openapi-schema-validator/schemas/v3.1');
    const metaSchema = JSON.parse(readFileSync(join(metaDir, readdirSync(metaDir)[0] as string), 'utf8'));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('media-range', true);
    const validate = ajv.compile(metaSchema);
    expect(validate(spec) ? [] : validate.errors).toEqual([]);
    expect(validate({ openapi: '3.1.0', info: { title: 'no version' }, paths: {} })).toBe(false);
  });

  it('has component schemas that are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema(spec, 'openapi.yaml');
    for (const name of Object.keys(spec['components'].schemas)) {
      expect(() => ajv.getSchema(`openapi.yaml#/components/schemas/${name}`)).not.toThrow();
    }
  });

  it('documents every route the service serves', () => {
    expect(Object.keys(spec['paths']).sort()).toEqual([
      '/',
      '/app.js',
      '/client/presence-client.js',
      '/health',
      '/metrics',
      '/openapi.yaml',
      '/presence',
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
