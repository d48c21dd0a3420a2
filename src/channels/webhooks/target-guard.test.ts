import assert from 'node:assert/strict';
import type dns from 'node:dns';
import { describe, test } from 'node:test';
import { guardedLookup, isPrivateAddress, TargetRefusedError, urlProblem } from './target-guard.js';

describe('webhook target guard', () => {
  test('loopback, private, link-local, shared, multicast and reserved IPv4 are refused', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1',
      '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1']) {
      assert.equal(isPrivateAddress(address), true, address);
    }
  });

  test('public IPv4 passes', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '93.184.216.34', '100.128.0.1']) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });

  test('IPv6 loopback, unique-local, link-local and IPv4 hidden in IPv6 are refused', () => {
    for (const address of ['::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1',
      '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', '2002:c0a8:0101::1', '0:0:0:0:0:0:0:1', 'fe80::1%eth0']) {
      assert.equal(isPrivateAddress(address), true, address);
    }
  });

  test('public IPv6 passes, including IPv4-mapped public addresses', () => {
    for (const address of ['2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });

  test('anything that is not an address is refused', () => {
    assert.equal(isPrivateAddress('example.com'), true);
    assert.equal(isPrivateAddress(''), true);
  });

  test('URLs: private literals and localhost are refused up front unless allowed', () => {
    assert.match(urlProblem('http://127.0.0.1:8080/hook', false) ?? '', /loopback or private/);
    assert.match(urlProblem('http://[::1]/hook', false) ?? '', /loopback or private/);
    assert.match(urlProblem('http://localhost:3000/', false) ?? '', /this machine/);
    assert.match(urlProblem('ftp://example.com/', false) ?? '', /http/);
    assert.match(urlProblem('https://user:pw@example.com/', false) ?? '', /credentials/);
    assert.match(urlProblem('not a url', false) ?? '', /valid URL/);
    assert.equal(urlProblem('https://hooks.example.com/clara', false), undefined);
    assert.equal(urlProblem('http://127.0.0.1:8080/hook', true), undefined);
  });

  const fakeResolver = (table: Record<string, string[]>) =>
    ((hostname: string, _options: dns.LookupAllOptions, callback: (e: NodeJS.ErrnoException | null, a: dns.LookupAddress[]) => void) => {
      const addresses = table[hostname];
      if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    });

  const lookup = (resolver: ReturnType<typeof fakeResolver>, hostname: string, all: boolean) =>
    new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(resolver)(hostname, { all }, (error, address, family) => resolve({ error, address, family })),
    );

  test('names: every resolved address is checked, one private address is enough to refuse', async () => {
    const resolver = fakeResolver({
      'public.example': ['93.184.216.34', '2606:2800:220:1::1'],
      'mixed.example': ['93.184.216.34', '10.0.0.5'],
      'rebind.example': ['169.254.169.254'],
    });
    const ok = await lookup(resolver, 'public.example', false);
    assert.equal(ok.error, null);
    assert.equal(ok.address, '93.184.216.34');
    assert.equal(ok.family, 4);
    const all = await lookup(resolver, 'public.example', true);
    assert.equal((all.address as dns.LookupAddress[]).length, 2);

    const mixed = await lookup(resolver, 'mixed.example', true);
    assert.ok(mixed.error instanceof TargetRefusedError);
    assert.match(mixed.error.message, /10\.0\.0\.5/);
    assert.ok((await lookup(resolver, 'rebind.example', false)).error instanceof TargetRefusedError);
    assert.match((await lookup(resolver, 'missing.example', false)).error?.message ?? '', /ENOTFOUND/);
  });
});
