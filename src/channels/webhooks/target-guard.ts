import dns from 'node:dns';
import net from 'node:net';

/**
 * Server-side request forgery guard: webhook URLs are chosen by users, so unless configured
 * otherwise Clara never sends to loopback, private, link-local (cloud metadata), shared,
 * multicast or reserved addresses. Names are checked on every delivery, after resolution, and
 * the connection goes to the very addresses checked (no second lookup to rebind).
 */
const blocked = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** The 16 bytes of an IPv6 address (with or without an embedded dotted IPv4 tail). */
function ipv6Bytes(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    if (net.isIPv4(dotted[1]) === false) return undefined;
    tail.push(...dotted[1].split('.').map(Number));
    text = `${text.slice(0, -dotted[1].length)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  const words = [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => Number.parseInt(group, 16));
  if (words.some((word) => Number.isNaN(word))) return undefined;
  const bytes = words.flatMap((word) => [word >> 8, word & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** True for any address Clara must not send webhooks to by default. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address: refuse rather than guess
  const bytes = ipv6Bytes(address);
  if (!bytes) return true;
  const v4 = bytes.slice(12).join('.');
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  const isNat64 = bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && bytes.slice(4, 12).every((b) => b === 0);
  const isCompatible = bytes.slice(0, 12).every((b) => b === 0);
  // IPv4 reached through IPv6 (mapped, NAT64, the old compatible form) is judged as IPv4.
  if (isMapped || isNat64 || isCompatible) return blocked.check(v4, 'ipv4');
  // 6to4 (2002::/16) embeds an IPv4 address in bytes 2-5.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return blocked.check(bytes.slice(2, 6).join('.'), 'ipv4');
  return blocked.check(address.split('%')[0] ?? '', 'ipv6');
}

export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
  readonly code = 'ERR_WEBHOOK_TARGET_REFUSED';
}

/** The URL's host when it is an IP literal ("[::1]" -> "::1"), else undefined. */
export function ipLiteral(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return net.isIP(host) ? host : undefined;
}

/**
 * A problem with a webhook URL that is clear without any lookup: not http(s), credentials in it,
 * or (unless private targets are allowed) a loopback/private IP literal or a localhost name.
 */
export function urlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not contain credentials (the signature authenticates Clara)';
  if (allowPrivate) return undefined;
  const literal = ipLiteral(url);
  if (literal && isPrivateAddress(literal)) {
    return `points to ${literal}, a loopback or private-network address (CLARA_WEBHOOKS_ALLOW_PRIVATE=true allows it)`;
  }
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
    return 'points to this machine (CLARA_WEBHOOKS_ALLOW_PRIVATE=true allows it)';
  }
  return undefined;
}

type Resolve = (hostname: string, options: dns.LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/http that resolves every address of the name and refuses the connection if
 * any one of them is private (a name with one public and one private address is refused: which
 * one a connection would use is not ours to choose).
 */
export function guardedLookup(resolve: Resolve = dns.lookup as unknown as Resolve) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { all: true, family: options.family ?? 0, hints: options.hints }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((entry) => isPrivateAddress(entry.address));
      if (refused || addresses.length === 0) {
        const reason = refused ? `${hostname} resolves to ${refused.address}, a loopback or private-network address` : `${hostname} has no address`;
        return callback(new TargetRefusedError(reason) as unknown as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as dns.LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
