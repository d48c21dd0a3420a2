import type { Config } from '../config/config.js';
import { startServer } from '../server/start-server.js';

export async function serveCommand(config: Config): Promise<void> {
  const server = await startServer(config);
  process.stdout.write(`Clara is running at ${config.publicUrl} (listening on ${server.url}; database: ${server.database.mode})\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received, shutting down...\n`);
    // Finish in-flight requests, then stop the embedded database cleanly.
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await server.close();
    process.exitCode = 0;
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
