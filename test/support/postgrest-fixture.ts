import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseError, Pool } from 'pg';

export interface PostgrestFixture {
  /** The project URL to give supabase-js (it appends /rest/v1). */
  readonly url: string;
  /** Every request received, answered or refused, in order: one per round trip. */
  readonly requests: Array<{ path: string; body: unknown }>;
  /** While down, every request is answered 503, as PostgREST does when it has lost its database. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** The functions the fixture serves, with the parameters each one takes: migration 006's, and those it leaves for older nodes. */
const FUNCTIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ['presence_record_last_seen_and_active', ['p_ids', 'p_seen', 'p_active']],
  ['presence_last_seen_and_active', ['p_ids']],
  ['presence_record_tenant_last_seen_and_active', ['p_tenants', 'p_ids', 'p_id_is_number', 'p_seen', 'p_active', 'p_types']],
  ['presence_tenant_last_seen_and_active', ['p_tenant', 'p_ids']],
  ['presence_record_last_seen', ['p_ids', 'p_seen']],
  ['presence_last_seen', ['p_ids']],
  ['presence_record_tenant_last_seen', ['p_tenants', 'p_ids', 'p_id_is_number', 'p_seen', 'p_types']],
  ['presence_tenant_last_seen', ['p_tenant', 'p_ids']],
]);

/** The functions that return void: PostgREST answers them 204 with no body. */
const VOID_FUNCTIONS: ReadonlySet<string> = new Set(['presence_record_tenant_last_seen_and_active', 'presence_record_tenant_last_seen']);

const RPC_PATH = /^\/rest\/v1\/rpc\/([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * A stand-in for Supabase's PostgREST serving only `POST /rest/v1/rpc/<fn>` for the presence functions, each call run
 * for real on the given pool. Checks the `apikey` and `Authorization: Bearer` headers against the key.
 */
export async function startPostgrestFixture(pool: Pool, serviceRoleKey: string): Promise<PostgrestFixture> {
  const requests: Array<{ path: string; body: unknown }> = [];
  let down = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname;
    const text = await readBody(req);
    const body = parseJson(text);
    requests.push({ path, body });

    if (down) return send(res, 503, { code: 'PGRST001', message: 'Database client error. Retrying the connection.', details: null, hint: null });
    if (req.headers['apikey'] !== serviceRoleKey || req.headers['authorization'] !== `Bearer ${serviceRoleKey}`) {
      return send(res, 401, { code: 'PGRST301', message: 'Invalid API key', details: null, hint: 'Double check your Supabase service_role API key.' });
    }
    const fn = RPC_PATH.exec(path)?.[1];
    if (req.method !== 'POST' || fn === undefined) {
      return send(res, 404, { code: 'PGRST125', message: `Invalid path specified in request URL`, details: null, hint: null });
    }
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      return send(res, 400, { code: 'PGRST102', message: 'Invalid body', details: null, hint: null });
    }
    const args = body as Record<string, unknown>;
    const params = FUNCTIONS.get(fn);
    const names = Object.keys(args).sort();
    if (params === undefined || names.join(',') !== [...params].sort().join(',')) {
      return send(res, 404, {
        code: 'PGRST202',
        message: `Could not find the function public.${fn}(${names.join(', ')}) in the schema cache`,
        details: null,
        hint: null,
      });
    }
    try {
      const call = names.map((name, i) => `"${name}" := $${i + 1}`).join(', ');
      const values = names.map((name) => args[name]);
      if (VOID_FUNCTIONS.has(fn)) {
        await pool.query(`SELECT "${fn}"(${call})`, values);
        return sendNoContent(res);
      }
      const { rows } = await pool.query(`SELECT * FROM "${fn}"(${call})`, values);
      send(res, 200, rows);
    } catch (error) {
      const { code, message, detail, hint } = error as DatabaseError;
      send(res, 400, { code: code ?? null, message, details: detail ?? null, hint: hint ?? null });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { code: 'FIXTURE', message: String(error), details: null, hint: null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setDown(value) {
      down = value;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps its connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** JSON as PostgREST writes it; pg's Dates become ISO strings through JSON.stringify. */
function send(res: ServerResponse, status: number, payload: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(payload));
}

function sendNoContent(res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(204);
  res.end();
}
