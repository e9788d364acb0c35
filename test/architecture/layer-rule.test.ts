import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { layerViolations, readSourceTree, type SourceFile } from './layer-rule.checker';
import { layerOf } from './layers.table';

const srcRoot = resolve(__dirname, '../../src');

/** One file's violations, for a file written as `path` with these lines. */
const violationsOf = (path: string, ...lines: string[]): string[] => layerViolations([{ path, text: lines.join('\n') }]);

describe('the layer rule on src/', () => {
  const files = readSourceTree(srcRoot);

  it('reads a file of every layer', () => {
    const layers = new Set(files.map((file) => layerOf(file.path).replace(/^adapters\/.*/, 'adapters')));
    expect([...layers].sort()).toEqual(['adapters', 'application', 'client', 'composition', 'domain', 'protocol']);
  });

  it('keeps every import of src/ to its layer', () => {
    expect(layerViolations(files)).toEqual([]);
  });
});

describe('the layer rule', () => {
  it('refuses a domain file that imports an adapter, a package or a node built-in', () => {
    expect(
      violationsOf(
        'domain/probe.ts',
        "import type { DeadlineQueue } from '../adapters/memory/deadline-queue';",
        "import { z } from 'zod';",
        "import { randomUUID } from 'node:crypto';",
      ),
    ).toEqual([
      "domain/probe.ts:1 (domain) imports '../adapters/memory/deadline-queue' (adapters/memory)",
      "domain/probe.ts:2 (domain) imports 'zod' (package)",
      "domain/probe.ts:3 (domain) imports 'node:crypto' (node built-in)",
    ]);
  });

  it('refuses an application file that imports an adapter or a framework', () => {
    expect(
      violationsOf('application/probe.ts', "import type { PresenceMetrics } from '../adapters/metrics/presence-metrics';", "import type { Logger } from 'pino';"),
    ).toEqual([
      "application/probe.ts:1 (application) imports '../adapters/metrics/presence-metrics' (adapters/metrics)",
      "application/probe.ts:2 (application) imports 'pino' (package)",
    ]);
  });

  it('refuses an adapter that reaches into another adapter family, however it imports it', () => {
    expect(
      violationsOf(
        'adapters/redis/probe.ts',
        "import type { SocketPresenceGateway } from '../socket/socket-presence.gateway';",
        "export * from '../socket/subscriptions/subscription-hub';",
        "const later = () => import('../metrics/presence-metrics');",
        "let hub: typeof import('../socket/local-presence-view');",
      ),
    ).toEqual([
      "adapters/redis/probe.ts:1 (adapters/redis) imports '../socket/socket-presence.gateway' (adapters/socket)",
      "adapters/redis/probe.ts:2 (adapters/redis) imports '../socket/subscriptions/subscription-hub' (adapters/socket)",
      "adapters/redis/probe.ts:3 (adapters/redis) imports '../metrics/presence-metrics' (adapters/metrics)",
      "adapters/redis/probe.ts:4 (adapters/redis) imports '../socket/local-presence-view' (adapters/socket)",
    ]);
  });

  it('refuses an adapter that imports the composition root, leaves src/ or computes what it loads', () => {
    expect(
      violationsOf('adapters/http/probe.ts', "import type { Config } from '../../config';", "const pkg = require('../../../package.json');", 'const m = require(name);'),
    ).toEqual([
      "adapters/http/probe.ts:1 (adapters/http) imports '../../config' (composition)",
      "adapters/http/probe.ts:2 (adapters/http) imports '../../../package.json' (outside src)",
      'adapters/http/probe.ts:3 (adapters/http) imports a computed specifier (unknown)',
    ]);
  });

  it('refuses a client or protocol file that imports past the protocol', () => {
    expect(violationsOf('client/probe.ts', "import type { UserId } from '../domain/presence.types';")).toEqual([
      "client/probe.ts:1 (client) imports '../domain/presence.types' (domain)",
    ]);
    expect(violationsOf('protocol/probe.ts', "import type { Wire } from '../adapters/socket/wire';")).toEqual([
      "protocol/probe.ts:1 (protocol) imports '../adapters/socket/wire' (adapters/socket)",
    ]);
  });

  it('refuses a file that is in no layer', () => {
    expect(violationsOf('helpers.ts', 'export const x = 1;')).toEqual(['helpers.ts is in no layer']);
    expect(violationsOf('adapters/loose.ts', 'export const x = 1;')).toEqual(['adapters/loose.ts is in no layer']);
  });

  it('accepts a tree where each layer imports only what it may', () => {
    const good: SourceFile[] = [
      { path: 'domain/presence.ts', text: "import type { UserId } from './presence.types'; import { clock } from './ports/clock.port';" },
      { path: 'application/fanout.ts', text: "import type { UserId } from '../domain/presence.types'; import { check } from './health-check';" },
      { path: 'protocol/socket-events.ts', text: "import type { UserId } from '../domain/presence.types';" },
      { path: 'client/presence-client.ts', text: "import { io } from 'socket.io-client'; import type { Ack } from '../protocol/socket-events';" },
      {
        path: 'adapters/http/origin.middleware.ts',
        text: [
          "import cors from '@koa/cors';",
          "import { createServer } from 'node:http';",
          "import type { PresenceService } from '../../domain/presence.service';",
          "import type { HealthCheck } from '../../application/health-check';",
          "import type { Refusal } from '../../protocol/socket-events';",
          "import { readBearer } from '../auth/access-token.reader';",
          "import { userIdSchema } from '../validation/user-id.schema';",
          "import { originAllowed } from '../origins/origin-policy';",
          "import { HttpError } from './http-error';",
        ].join('\n'),
      },
      { path: 'adapters/socket/subscriptions/hub.ts', text: "import type { PresenceServer } from '../socket.types'; import { x } from '../../../domain/presence';" },
      { path: 'adapters/auth/koa-jwt.middleware.ts', text: "import { isWellFormed } from '../validation/user-id.schema';" },
      {
        path: 'composition/redis.module.ts',
        text: "import { RedisPresenceStore } from '../adapters/redis/redis-presence.store'; import { TOKENS } from '../tokens';",
      },
      { path: 'container.ts', text: "import { redisModule } from './composition/redis.module'; import type { Config } from './config';" },
      { path: 'cli/migrate.ts', text: "import { migrate } from '../adapters/postgres/migrator';" },
    ];
    expect(layerViolations(good)).toEqual([]);
  });

  it('reads nested files from disk', () => {
    const root = mkdtempSync(join(tmpdir(), 'layers-'));
    try {
      const write = (path: string, text: string): void => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('domain/presence.ts', 'export const x = 1;');
      write('adapters/socket/subscriptions/hub.ts', "import { y } from '../../redis/redis-keys';");
      write('adapters/socket/notes.md', "import { z } from '../redis/redis-keys';");
      expect(layerViolations(readSourceTree(root))).toEqual([
        "adapters/socket/subscriptions/hub.ts:1 (adapters/socket) imports '../../redis/redis-keys' (adapters/redis)",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
