import type { FastifyRequest } from 'fastify';
import type { Actor, Role } from '../auth/actor.js';
import { ForbiddenError, UnauthorizedError } from './errors.js';

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthorizedError();
  return request.actor;
}

/** A clear 403 before the database would refuse anyway (row-level security is the real guard). */
export function requireRole(request: FastifyRequest, ...roles: Role[]): Actor {
  const actor = requireActor(request);
  if (!roles.includes(actor.role)) {
    throw new ForbiddenError(`This needs the ${roles.join(' or ')} role`);
  }
  return actor;
}
