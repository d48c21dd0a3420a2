import pino, { type Logger } from 'pino';

/** Structured logs with personal data redacted: logs travel further than the database does. */
export function logger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.email',
        '*.phone',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}
