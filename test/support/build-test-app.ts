import pino from 'pino';
import { PresenceApp } from '../../src/app';
import { loadConfig, type Config, type Env } from '../../src/config';
import { buildContainer, type ContainerOverrides } from '../../src/container';
import type { PresenceService } from '../../src/domain/presence.service';
import { TOKENS } from '../../src/tokens';

export interface TestApp {
  readonly app: PresenceApp;
  /** The application service, for setting up many users without many sockets. */
  readonly service: PresenceService;
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Short timings by default, so that expiry and grace play out in milliseconds. */
export const fastTimings: Env = {
  PRESENCE_TTL_MS: '400',
  PRESENCE_SWEEP_INTERVAL_MS: '20',
  PRESENCE_DISCONNECT_GRACE_MS: '150',
};

/** The real service, built by the real container, on an ephemeral port. */
export async function buildTestApp(
  env: Env = {},
  overrides: ContainerOverrides = {},
  /** `configure` changes what no setting reaches (a derived value), to play a long wait out in milliseconds. */
  options: { log?: (line: string) => void; configure?: (config: Config) => Config } = {},
): Promise<TestApp> {
  const loaded = loadConfig({ NODE_ENV: 'test', PORT: '0', ...fastTimings, ...env });
  const config = options.configure?.(loaded) ?? loaded;
  const log = options.log;
  const logger =
    log === undefined
      ? pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' })
      : pino({ level: 'trace' }, { write: (line: string) => log(line) });
  const app = new PresenceApp(buildContainer(config, logger, overrides));
  const port = await app.start(config.port);
  const service = app.container.get(TOKENS.PresenceService);
  return { app, service, port, url: `http://127.0.0.1:${port}`, stop: () => app.stop() };
}
