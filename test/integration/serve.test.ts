import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<number | null>;
}

/** `npm start` as a user runs it: the CLI, an embedded PostgreSQL in a data directory, real HTTP. */
function serve(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/clara.js', 'serve'], {
      env: { ...process.env, DATABASE_URL: '', CLARA_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    });
    let output = '';
    const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1], output: () => output, exit });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exit.then((code) => reject(new Error(`clara serve exited with ${code}: ${output}`)));
  });
}

describe('clara serve (npm start)', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'clara-serve-'));
    await chmod(root, 0o755);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('first start creates the admin and prints its password once; SIGTERM stops cleanly; a restart reuses the data', async () => {
    const dataDir = path.join(root, 'data');
    const first = await serve(dataDir, { CLARA_ADMIN_EMAIL: '', CLARA_ADMIN_PASSWORD: '' });
    const health = await fetch(`${first.url}/healthz`);
    assert.equal(health.status, 200);
    const password = /Password \(shown once[^)]*\): (\S+)/.exec(first.output())?.[1];
    assert.ok(password, first.output());
    const login = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@clara.local', password }),
    });
    assert.equal(login.status, 200);

    // A second process on the same data directory is refused while the first runs.
    const intruder = spawn(process.execPath, ['bin/clara.js', 'serve'], {
      env: { ...process.env, DATABASE_URL: '', CLARA_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    });
    let intruderOutput = '';
    intruder.stderr.on('data', (chunk) => (intruderOutput += chunk));
    const intruderCode = await new Promise((done) => intruder.on('exit', done));
    assert.equal(intruderCode, 1);
    assert.match(intruderOutput, /another Clara process|locked|in use/i);

    first.child.kill('SIGTERM');
    assert.equal(await first.exit, 0);

    const second = await serve(dataDir);
    try {
      assert.equal((await fetch(`${second.url}/healthz`)).status, 200);
      assert.doesNotMatch(second.output(), /Password \(shown once/);
      const again = await fetch(`${second.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@clara.local', password }),
      });
      assert.equal(again.status, 200, 'the data survived the restart');
    } finally {
      second.child.kill('SIGINT');
      assert.equal(await second.exit, 0);
    }
  });

  test('clara doctor and clara user create work beside a running clara serve, through its embedded PostgreSQL', async () => {
    const dataDir = path.join(root, 'shared');
    const served = await serve(dataDir, { CLARA_ADMIN_EMAIL: 'boss@example.com', CLARA_ADMIN_PASSWORD: 'boss-password-1' });
    const clara = (args: string[]) =>
      new Promise<{ code: number | null; output: string }>((done) => {
        const child = spawn(process.execPath, ['bin/clara.js', ...args], {
          env: { ...process.env, DATABASE_URL: '', CLARA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('exit', (code) => done({ code, output }));
      });
    try {
      const doctor = await clara(['doctor']);
      assert.equal(doctor.code, 0, doctor.output);
      assert.match(doctor.output, /All checks passed/);
      const created = await clara(['user', 'create', '--email', 'rep@example.com', '--name', 'Rep', '--role', 'agent', '--password', 'rep-password-1']);
      assert.equal(created.code, 0, created.output);
      const login = await fetch(`${served.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'rep@example.com', password: 'rep-password-1' }),
      });
      assert.equal(login.status, 200, 'the running server sees the user the command created');
      assert.equal((await fetch(`${served.url}/healthz`)).status, 200, 'and keeps running');
    } finally {
      served.child.kill('SIGTERM');
      assert.equal(await served.exit, 0);
    }
    // With the server stopped, the command starts the embedded PostgreSQL itself again.
    const alone = await clara(['doctor']);
    assert.equal(alone.code, 0, alone.output);
  });
});
