import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { migrate, plannedMigrations } from '../../../src/adapters/postgres/migrator';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';

const root = resolve(__dirname, '../../..');
const tsx = pathToFileURL(require.resolve('tsx', { paths: [root] })).href;

/** `npm run migrate`'s program, run from source as a separate process. */
function migrateCli(databaseUrl: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', tsx, resolve(root, 'src/cli/migrate.ts'), ...args], {
    env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
}

describe('migrations', () => {
  let db: TestDatabase | undefined;

  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('applies each migration once through `npm run migrate`, and a second run is a no-op', async () => {
    db = await createTestDatabase({ migrated: false });
    const { url, pool } = db;
    const first = migrateCli(url, '--dev');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/applied dev\/000_create_sys_user\.sql[\s\S]*applied 001_add_last_seen_column\.sql[\s\S]*applied 002_/);
    expect(first.stdout).not.toMatch(/postgres@/);
    const second = migrateCli(url, '--dev');
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM presence_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(plannedMigrations({ dev: true }).map((m) => m.name).sort());
  });

  it('runs on a database whose sys_user already has last_seen, as a Supabase project may, without the dev seed', async () => {
    db = await createTestDatabase({ migrated: false });
    const { pool } = db;
    await pool.query('CREATE TABLE sys_user (sys_user_id integer PRIMARY KEY, last_seen timestamptz, sys_user_email text)');
    await pool.query("INSERT INTO sys_user VALUES (1, '2026-01-01T00:00:00Z', 'a@example.com')");
    expect(await migrate(pool, plannedMigrations({ dev: false }))).toEqual([
      '001_add_last_seen_column.sql',
      '002_presence_last_seen_functions.sql',
      '003_presence_id_range.sql',
      '004_presence_canonical_ids.sql',
      '005_presence_tenant_last_seen.sql',
      '006_presence_last_active.sql',
      '007_presence_webhook_outbox.sql',
    ]);
    const { rows } = await pool.query('SELECT last_seen FROM sys_user WHERE sys_user_id = 1');
    expect(rows[0].last_seen.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('runs on a sys_user that already has a last_active column, keeping its values', async () => {
    db = await createTestDatabase({ migrated: false });
    const { pool } = db;
    await pool.query('CREATE TABLE sys_user (sys_user_id integer PRIMARY KEY, last_seen timestamptz, last_active timestamptz)');
    await pool.query("INSERT INTO sys_user VALUES (1, '2026-01-01T00:00:00Z', '2025-12-31T00:00:00Z')");
    await migrate(pool, plannedMigrations({ dev: false }));
    expect((await pool.query("SELECT seen_at, active_at FROM presence_last_seen_and_active(ARRAY['1'])")).rows).toEqual([
      { seen_at: new Date('2026-01-01Z'), active_at: new Date('2025-12-31Z') },
    ]);
  });

  it('treats an id out of range for an integer column as unknown, without failing the rest of the batch', async () => {
    db = await createTestDatabase({ migrated: false });
    const { pool } = db;
    await pool.query('CREATE TABLE sys_user (sys_user_id integer PRIMARY KEY)');
    await migrate(pool, plannedMigrations({ dev: false }));
    await pool.query('INSERT INTO sys_user (sys_user_id, last_seen) VALUES (1, NULL)');
    const { rows } = await pool.query(
      "SELECT missing_id FROM presence_record_last_seen(ARRAY['1', '9999999999', '-99999999999999999999', 'x'], ARRAY['2026-01-01Z', '2026-01-01Z', '2026-01-01Z', '2026-01-01Z']::timestamptz[])",
    );
    expect(rows.map((r) => r.missing_id).sort()).toEqual(['-99999999999999999999', '9999999999', 'x']);
    expect((await pool.query('SELECT * FROM presence_last_seen(ARRAY[$1, $2])', ['9999999999', '1'])).rows).toHaveLength(1);
  });

  const uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
  const numberLookalikes = ['07', '007', '7.0', '+7', ' 7', '7e0', 'alice'];
  it.each([
    ['smallint', '7', numberLookalikes],
    ['integer', '7', numberLookalikes],
    ['bigint', '7', numberLookalikes],
    ['numeric', '7', numberLookalikes],
    ['numeric(20,0)', '7', numberLookalikes],
    ['uuid', uuid, [uuid.toUpperCase(), uuid.replace(/-/g, ''), `{${uuid}}`, 'alice']],
    ['text', '7', ['07', '7 ', 'alice']],
  ])('lets only the canonical text of an id name a %s row, and a lookalike fails nothing', async (type, id, lookalikes) => {
    db = await createTestDatabase({ migrated: false });
    const { pool } = db;
    await pool.query(`CREATE TABLE sys_user (sys_user_id ${type} PRIMARY KEY)`);
    await migrate(pool, plannedMigrations({ dev: false }));
    await pool.query('INSERT INTO sys_user (sys_user_id, last_seen) VALUES ($1, NULL)', [id]);
    const seen = lookalikes.map(() => '2026-01-01Z');
    const { rows } = await pool.query('SELECT missing_id FROM presence_record_last_seen($1::text[], $2::timestamptz[])', [lookalikes, seen]);
    expect(rows.map((r) => r.missing_id).sort()).toEqual([...lookalikes].sort());
    expect((await pool.query('SELECT last_seen FROM sys_user')).rows).toEqual([{ last_seen: null }]);
    expect((await pool.query('SELECT * FROM presence_last_seen($1::text[])', [lookalikes])).rows).toEqual([]);
    await pool.query('SELECT * FROM presence_record_last_seen($1::text[], $2::timestamptz[])', [[id], ['2026-01-01Z']]);
    expect((await pool.query('SELECT user_id FROM presence_last_seen($1::text[])', [[id]])).rows).toEqual([{ user_id: id }]);

    const active = lookalikes.map(() => '2026-01-02Z');
    const withActive = await pool.query('SELECT missing_id FROM presence_record_last_seen_and_active($1::text[], $2::timestamptz[], $3::timestamptz[])', [
      lookalikes,
      seen,
      active,
    ]);
    expect(withActive.rows.map((r) => r.missing_id).sort()).toEqual([...lookalikes].sort());
    expect((await pool.query('SELECT last_active FROM sys_user')).rows).toEqual([{ last_active: null }]);
    expect((await pool.query('SELECT * FROM presence_last_seen_and_active($1::text[])', [lookalikes])).rows).toEqual([]);
    await pool.query('SELECT * FROM presence_record_last_seen_and_active($1::text[], $2::timestamptz[], $3::timestamptz[])', [[id], ['2026-01-01Z'], ['2026-01-02Z']]);
    expect((await pool.query('SELECT user_id, active_at FROM presence_last_seen_and_active($1::text[])', [[id]])).rows).toEqual([
      { user_id: id, active_at: new Date('2026-01-02Z') },
    ]);
  });

  it('applies 006 on a database migrated to 005: rows written before keep working, with no last_active yet', async () => {
    db = await createTestDatabase({ migrated: false });
    const { pool } = db;
    const all = plannedMigrations({ dev: true });
    const upTo005 = all.slice(0, all.findIndex((m) => m.name === '006_presence_last_active.sql'));
    await migrate(pool, upTo005);
    await pool.query('INSERT INTO sys_user (sys_user_id, last_seen) VALUES (1, NULL), (2, NULL)');
    await pool.query("SELECT * FROM presence_record_last_seen(ARRAY['1'], ARRAY['2026-01-01Z']::timestamptz[])");
    await pool.query("SELECT presence_record_tenant_last_seen(ARRAY['acme'], ARRAY['7'], ARRAY[true], ARRAY['2026-01-01Z']::timestamptz[], ARRAY['agent'])");

    expect(await migrate(pool, all)).toEqual(['006_presence_last_active.sql', '007_presence_webhook_outbox.sql']);

    expect((await pool.query('SELECT sys_user_id::int AS id, last_seen, last_active FROM sys_user ORDER BY 1')).rows).toEqual([
      { id: 1, last_seen: new Date('2026-01-01Z'), last_active: null },
      { id: 2, last_seen: null, last_active: null },
    ]);
    expect((await pool.query("SELECT * FROM presence_last_seen_and_active(ARRAY['1', '2'])")).rows).toEqual([
      { user_id: '1', seen_at: new Date('2026-01-01Z'), active_at: null, id_is_number: true },
    ]);
    expect((await pool.query("SELECT * FROM presence_tenant_last_seen_and_active('acme', ARRAY['7'])")).rows).toEqual([
      { user_id: '7', seen_at: new Date('2026-01-01Z'), active_at: null, id_is_number: true, user_type: 'agent' },
    ]);
    await pool.query(
      "SELECT * FROM presence_record_last_seen_and_active(ARRAY['1', '2'], ARRAY['2025-12-31Z', '2026-01-03Z']::timestamptz[], ARRAY['2026-01-02Z', NULL]::timestamptz[])",
    );
    expect((await pool.query('SELECT sys_user_id::int AS id, last_seen, last_active FROM sys_user ORDER BY 1')).rows).toEqual([
      { id: 1, last_seen: new Date('2026-01-01Z'), last_active: new Date('2026-01-02Z') },
      { id: 2, last_seen: new Date('2026-01-03Z'), last_active: null },
    ]);
  });

  it("keeps the previous release's functions working beside 006's (a rolling upgrade), and they leave last_active alone", async () => {
    db = await createTestDatabase({ migrated: true });
    const { pool } = db;
    await pool.query('INSERT INTO sys_user (sys_user_id, last_seen) VALUES (1, NULL)');
    await pool.query("SELECT * FROM presence_record_last_seen_and_active(ARRAY['1'], ARRAY['2026-01-01Z']::timestamptz[], ARRAY['2026-01-01Z']::timestamptz[])");
    await pool.query(
      "SELECT presence_record_tenant_last_seen_and_active(ARRAY['acme'], ARRAY['7'], ARRAY[true], ARRAY['2026-01-01Z']::timestamptz[], ARRAY['2026-01-01Z']::timestamptz[], ARRAY['agent'])",
    );

    // What a 0.13 node sends, word for word.
    await pool.query('SELECT missing_id FROM presence_record_last_seen($1::text[], $2::timestamptz[])', [['1'], ['2026-01-05Z']]);
    await pool.query('SELECT true AS recorded FROM presence_record_tenant_last_seen($1::text[], $2::text[], $3::boolean[], $4::timestamptz[], $5::text[])', [
      ['acme'],
      ['7'],
      [true],
      ['2026-01-05Z'],
      ['client'],
    ]);
    expect((await pool.query("SELECT user_id, seen_at, id_is_number FROM presence_last_seen(ARRAY['1'])")).rows).toEqual([
      { user_id: '1', seen_at: new Date('2026-01-05Z'), id_is_number: true },
    ]);
    expect((await pool.query("SELECT user_id, seen_at, id_is_number, user_type FROM presence_tenant_last_seen('acme', ARRAY['7'])")).rows).toEqual([
      { user_id: '7', seen_at: new Date('2026-01-05Z'), id_is_number: true, user_type: 'client' },
    ]);
    expect((await pool.query("SELECT seen_at, active_at FROM presence_last_seen_and_active(ARRAY['1'])")).rows).toEqual([
      { seen_at: new Date('2026-01-05Z'), active_at: new Date('2026-01-01Z') },
    ]);
    expect((await pool.query("SELECT seen_at, active_at, user_type FROM presence_tenant_last_seen_and_active('acme', ARRAY['7'])")).rows).toEqual([
      { seen_at: new Date('2026-01-05Z'), active_at: new Date('2026-01-01Z'), user_type: 'client' },
    ]);
  });

  it('keeps every migration file idempotent: applying the SQL again changes nothing and fails nothing', async () => {
    db = await createTestDatabase({ migrated: true });
    const { pool } = db;
    for (const migration of plannedMigrations({ dev: true })) await pool.query(migration.sql);
    const { rows } = await pool.query("SELECT indexname FROM pg_indexes WHERE tablename = 'sys_user' AND indexname = 'idx_sys_user_last_seen'");
    expect(rows).toHaveLength(1);
  });

  it('refuses to run without DATABASE_URL, and says so', () => {
    const result = spawnSync(process.execPath, ['--import', tsx, resolve(root, 'src/cli/migrate.ts')], {
      env: { PATH: process.env['PATH'] ?? '' },
      cwd: '/',
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/DATABASE_URL is not set/);
  });
});
