import type { Config } from '../config/config.js';
import { openDatabase } from '../db/database.js';
import { createJobRegistry } from '../jobs/job-types.js';
import { JobWorker } from '../jobs/worker.js';
import { logger } from '../server/logger.js';

/**
 * `clara worker`: runs jobs (webhook deliveries, ...) apart from the web servers, against the
 * same PostgreSQL (DATABASE_URL). Any number may run at once; each claims its own jobs.
 */
export async function workerCommand(config: Config, options: { concurrency?: string }): Promise<void> {
  if (!config.databaseUrl) {
    // The embedded database belongs to the one process that started it (the server).
    throw new Error('clara worker needs DATABASE_URL, the PostgreSQL the servers share; with the embedded database `clara serve` runs the worker itself');
  }
  const log = logger(config.logLevel);
  const concurrency = options.concurrency ? Number.parseInt(options.concurrency, 10) : config.worker.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new Error('--concurrency must be a whole number from 1 to 100');
  }
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: Math.min(config.poolSize, concurrency + 2),
    log: (line) => log.info(line),
  });
  const registry = createJobRegistry(config);
  const worker = new JobWorker(database, registry, {
    concurrency,
    backoff: config.worker.backoff,
    pollIntervalMs: config.worker.pollIntervalMs,
    log,
  });
  await worker.start();
  process.stdout.write(`Clara worker ${worker.id} running ${registry.types().join(', ')} (concurrency ${concurrency})\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received, finishing running jobs...\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await worker.stop();
    await database.close();
    process.exitCode = 0;
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
