/**
 * A CPU profile of this process's main thread (the Clara server) while `work` runs, summed by
 * package and by function: where the server's CPU time per request goes.
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byPackage: [string, number][];
  byFunction: [string, number][];
}

function packageOf(url: string): string {
  if (!url) return 'V8 builtins';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return (rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]) ?? url;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return `clara ${url.slice(src + 1).split('/').slice(0, 2).join('/')}`;
  return url;
}

export async function profile(work: () => Promise<void>): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  let result: CpuProfile;
  try {
    await work();
  } finally {
    result = ((await session.post('Profiler.stop')) as unknown as { profile: CpuProfile }).profile;
    await session.post('Profiler.disable');
    session.disconnect();
  }
  const byId = new Map(result.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  result.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (result.timeDeltas[i] ?? 0)));
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    total += us;
    const pkg = frame.functionName.startsWith('(') ? `V8 ${frame.functionName}` : packageOf(frame.url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/src\//, 'src/')}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const sorted = (map: Map<string, number>) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).map(([key, us]) => [key, us / 1000] as [string, number]);
  return { totalMs: total / 1000, byPackage: sorted(packages), byFunction: sorted(functions) };
}
