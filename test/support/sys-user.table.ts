/** The app's `sys_user` table read and seeded around a last_seen repository, for the contract suite's hooks. */
import type { Pool } from 'pg';
import type { Instant } from '../../src/domain/presence.types';
import { insertUsers } from './postgres';

export interface SysUserTable {
  addUsers(ids: readonly number[]): Promise<void>;
  lastSeenOf(ids: readonly number[]): Promise<Array<Instant | null>>;
  lastActiveOf(ids: readonly number[]): Promise<Array<Instant | null>>;
  rows(): Promise<Array<readonly [number, Instant | null]>>;
}

export function sysUserTable(pool: Pool): SysUserTable {
  const columnOf = async (column: 'last_seen' | 'last_active', ids: readonly number[]): Promise<Array<Instant | null>> => {
    const { rows } = await pool.query<{ id: string; ms: string | null }>(
      `SELECT sys_user_id::text AS id, (extract(epoch FROM ${column}) * 1000)::bigint::text AS ms FROM sys_user WHERE sys_user_id = ANY($1::bigint[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row.ms === null ? null : Number(row.ms)]));
    return ids.map((id) => byId.get(String(id)) ?? null);
  };
  return {
    addUsers: (ids) => insertUsers(pool, ids),
    lastSeenOf: (ids) => columnOf('last_seen', ids),
    lastActiveOf: (ids) => columnOf('last_active', ids),
    async rows() {
      const { rows } = await pool.query<{ id: string; ms: string | null }>(
        'SELECT sys_user_id::text AS id, (extract(epoch FROM last_seen) * 1000)::bigint::text AS ms FROM sys_user ORDER BY sys_user_id',
      );
      return rows.map((row) => [Number(row.id), row.ms === null ? null : Number(row.ms)] as const);
    },
  };
}
