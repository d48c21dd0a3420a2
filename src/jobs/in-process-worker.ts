import type { App, AppContext } from '../server/context.js';
import { createJobRegistry } from './job-types.js';
import { JobWorker } from './worker.js';

/**
 * Runs a job worker inside the server (unless CLARA_WORKER=off): it starts when the app is ready
 * and stops, letting running jobs finish, when the app closes, so a closed app holds no
 * connection or timer.
 */
export function registerInProcessWorker(app: App, context: AppContext): void {
  const settings = context.config.worker;
  if (!settings.inProcess) return;
  const worker = new JobWorker(context.database, createJobRegistry(context.config), {
    concurrency: settings.concurrency,
    backoff: settings.backoff,
    pollIntervalMs: settings.pollIntervalMs,
    log: app.log,
  });
  app.addHook('onReady', async () => {
    await worker.start();
  });
  app.addHook('onClose', async () => {
    await worker.stop();
  });
}
