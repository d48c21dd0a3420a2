export const ROLES = ['admin', 'manager', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request: a signed-in person or an API key's service user. */
export interface Actor {
  userId: string;
  role: Role;
  email: string;
  fullName: string;
  via: 'session' | 'api_key';
}
