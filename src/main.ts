// Process entry point: parse flags and config, start the configured roles, stop gracefully on
// SIGTERM/SIGINT (ingesters flush first). Exits non-zero with a clear message on bad config.
import { ConfigError, loadConfig } from './config/load.js';
import { Loki } from './server/loki.js';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error loading config: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const loki = new Loki({ config: loaded.config, ignoredKeys: loaded.ignoredKeys });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    loki.logger.info({ signal }, 'received signal, shutting down');
    loki
      .stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        loki.logger.error({ err: (e as Error).message }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await loki.start();
  } catch (e) {
    loki.logger.error({ err: (e as Error).message }, 'failed to start');
    await loki.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
