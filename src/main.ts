import { config as loadDotenv } from 'dotenv';
import { createLogger } from './adapters/logging/pino.logger';
import { PresenceApp } from './app';
import { guardProcess } from './composition/process.module';
import { ConfigError, loadConfig } from './config';
import { buildContainer } from './container';

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel, pretty: config.nodeEnv === 'development' && process.stdout.isTTY, nodeId: config.nodeId });
  const container = buildContainer(config, logger);
  guardProcess(container, process);
  const app = new PresenceApp(container);
  await app.start(config.port);

  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`presence service failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
