import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One email as the SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Header name (lower case) -> value, unfolded. */
  headers: Map<string, string>;
  text: string;
  html: string;
}

export interface SmtpSink {
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Resolves with the next mail received (or one already waiting). */
  next(): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export const SINK_USER = 'clara';
export const SINK_PASSWORD = 'sink-password-123';

/**
 * A real SMTP server on 127.0.0.1 (random port) that accepts mail for anyone but refuses
 * recipients at reject.test, requires the credentials above, and keeps what it received.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  let waiting: ((mail: ReceivedMail) => void)[] = [];
  let consumed = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SINK_USER && auth.password === SINK_PASSWORD) return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@reject.test')) {
        return callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      }
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          ...parseMime(raw),
        };
        mails.push(mail);
        const waiter = waiting.shift();
        if (waiter) {
          consumed += 1;
          waiter(mail);
        }
        // The queue id real relays answer with ("250 Ok: queued as ...").
        callback(null, `queued as SINK${mails.length}`);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${SINK_USER}:${SINK_PASSWORD}@127.0.0.1:${port}`,
    port,
    mails,
    next() {
      if (consumed < mails.length) return Promise.resolve(mails[consumed++] as ReceivedMail);
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      waiting = [];
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const bytes: number[] = [];
    const soft = body.replace(/=\r?\n/g, '');
    for (let i = 0; i < soft.length; i += 1) {
      const hex = soft.slice(i + 1, i + 3);
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(soft[i] as string, 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
  return body;
}

/** Just enough MIME for the emails Clara sends: headers, and the text and HTML parts. */
function parseMime(raw: string): { headers: Map<string, string>; text: string; html: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  let text = '';
  let html = '';
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [body];
  for (const part of parts) {
    const partSplit = part.replace(/^\r?\n/, '').search(/\r?\n\r?\n/);
    const trimmed = part.replace(/^\r?\n/, '');
    const partHeaders = boundary ? parseHeaders(trimmed.slice(0, partSplit)) : headers;
    const content = boundary ? trimmed.slice(partSplit).replace(/^\r?\n\r?\n/, '') : body;
    const decoded = decodeBody(content, partHeaders.get('content-transfer-encoding'));
    const type = partHeaders.get('content-type') ?? '';
    if (type.startsWith('text/plain')) text = decoded;
    if (type.startsWith('text/html')) html = decoded;
  }
  return { headers, text, html };
}
