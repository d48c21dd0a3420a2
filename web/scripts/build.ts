/**
 * Builds the web app into web/dist when it is missing or older than its sources. `npm start` and
 * `npm run test:e2e` run it first (a no-op taking milliseconds when nothing changed);
 * `npm run web:build -- --force` always builds.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(web, 'dist', 'index.html');

async function newest(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const children = await readdir(entry);
  const times = await Promise.all(children.map((child) => newest(path.join(entry, child))));
  return Math.max(info.mtimeMs, ...times);
}

const sources = [path.join(web, 'src'), path.join(web, 'index.html'), path.join(web, 'vite.config.ts'), path.join(web, '..', 'package-lock.json')];
const built = (await stat(stamp).catch(() => null))?.mtimeMs ?? 0;
const changed = Math.max(...(await Promise.all(sources.map(newest))));

if (process.argv.includes('--force') || built < changed) {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    console.warn('Clara: the web app cannot be built (Vite is not installed: run `npm install`); the API still works.');
    process.exit(0);
  }
  console.log(built ? 'Clara: rebuilding the web app (sources changed)…' : 'Clara: building the web app (first start only)…');
  const started = Date.now();
  await vite.build({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
  console.log(`Clara: web app built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
