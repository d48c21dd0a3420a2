import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from './errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, errors?: unknown): Problem {
  return {
    type: `/docs/errors#${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(errors === undefined ? {} : { errors }),
  };
}

interface PgError {
  code: string;
  constraint?: string;
  detail?: string;
  message: string;
  column?: string;
}

function isPgError(error: unknown): error is PgError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as PgError).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as PgError).code) &&
    'severity' in error
  );
}

/** PostgreSQL's own verdicts are part of the contract: a constraint is bad input, not a crash. */
function fromPgError(error: PgError): Problem | undefined {
  switch (error.code) {
    case '23505':
      return problem(409, 'duplicate', `A record with this value already exists (${error.constraint ?? 'unique'})`);
    case '23503':
      return problem(422, 'invalid_reference', `A referenced record does not exist (${error.constraint ?? 'foreign key'})`);
    case '23514':
      return problem(422, 'constraint_violation', `A value breaks a rule of the data model (${error.constraint ?? 'check'})`);
    case '23502':
      return problem(422, 'missing_value', `A required value is missing (${error.column ?? 'column'})`);
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
    case '2201X':
    case '22023':
    // Text PostgreSQL cannot store: a NUL character in a string or a \u0000 in JSON.
    case '22021':
    case '22P05':
      return problem(400, 'invalid_value', error.message);
    case '28000':
      // Raised when a request's transaction starts with a session or API key that no longer holds.
      return problem(401, 'unauthorized', 'Your session has ended or your key was revoked; sign in again');
    case '42501':
      // Also raised when a row breaks a row-level security policy on INSERT/UPDATE.
      return problem(403, 'forbidden', 'You are not allowed to change this record');
    case '40001':
    case '40P01':
      return problem(409, 'concurrent_update', 'The record was changed concurrently; retry the request');
    case '57014':
      return problem(503, 'query_timeout', 'The database took too long to answer');
    default:
      return undefined;
  }
}

export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) {
    return problem(error.status, error.code, error.message, error.details);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((issue) => ({
      path: `${error.validationContext ?? ''}${issue.instancePath}`.replace(/\//g, '.'),
      message: issue.message,
      ...(issue.params && 'issue' in issue.params ? { code: (issue.params.issue as { code?: string }).code } : {}),
    }));
    return problem(400, 'validation_failed', 'The request is not valid', errors);
  }
  if (isResponseSerializationError(error)) {
    return problem(500, 'internal_error', 'The server produced an invalid response');
  }
  if (isPgError(error)) {
    const mapped = fromPgError(error);
    if (mapped) return mapped;
  }
  const fastifyError = error as FastifyError;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    const code = (fastifyError.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
    const known: Record<string, string> = {
      ctp_invalid_json_body: 'malformed_json',
      ctp_empty_json_body: 'malformed_json',
      ctp_body_too_large: 'payload_too_large',
      ctp_invalid_media_type: 'unsupported_media_type',
      ctp_invalid_content_length: 'bad_request',
    };
    return problem(fastifyError.statusCode, known[code] ?? code, fastifyError.message);
  }
  return problem(500, 'internal_error', 'Something went wrong on our side');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const body = toProblem(error);
  if (body.status >= 500) {
    request.log.error({ err: error }, 'request failed');
  }
  return reply
    .status(body.status)
    .type('application/problem+json')
    .send({ ...body, instance: request.url.split('?')[0] });
}
