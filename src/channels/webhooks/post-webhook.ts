import http from 'node:http';
import https from 'node:https';
import { guardedLookup, ipLiteral, isPrivateAddress, TargetRefusedError } from './target-guard.js';

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Aborts the request (worker shutdown). */
  signal?: AbortSignal;
}

export interface PostResult {
  status: number;
  durationMs: number;
  /** From a Retry-After header on 429 or 503. */
  retryAfterMs?: number;
}

/** A request that got no HTTP answer: refused target, DNS, connection, TLS or timeout. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly durationMs: number,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

const lookup = guardedLookup();

/**
 * POSTs one webhook. Redirects are not followed (a 3xx is a failure, as Standard Webhooks asks:
 * the subscription's URL should be fixed instead), and the response body is not read beyond what
 * draining needs. Resolves with the status as soon as the response headers arrive.
 */
export function postWebhook(url: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  const literal = ipLiteral(target);
  if (!options.allowPrivate && literal && isPrivateAddress(literal)) {
    return Promise.reject(new DeliveryError(`${literal} is a loopback or private-network address`, 0, true));
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // One connection per delivery, resolved and checked by the guard right before it opens.
        agent: false,
        ...(options.allowPrivate ? {} : { lookup }),
        signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        resolve({ status, durationMs: elapsed(), retryAfterMs: retryAfter(status, response.headers['retry-after']) });
        // Read and drop what the receiver sends back; the timeout still bounds it.
        response.on('error', () => {});
        response.resume();
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const refused = error instanceof TargetRefusedError || error.code === 'ERR_WEBHOOK_TARGET_REFUSED';
      const message = timeout.aborted
        ? `No answer within ${options.timeoutMs} ms`
        : refused
          ? error.message
          : `${error.code ? `${error.code}: ` : ''}${error.message}`;
      reject(new DeliveryError(message, elapsed(), refused));
    });
    request.end(body);
  });
}

function retryAfter(status: number, header: string | undefined): number | undefined {
  if ((status !== 429 && status !== 503) || !header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
