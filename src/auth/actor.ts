export const ROLES = ['admin', 'manager', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** How a caller proved who they are: the SHA-256 of their session token or API key. */
export interface Credential {
  kind: 'session' | 'api_key';
  hash: string;
}

/** Who is making a request: a signed-in person or an API key's service user. */
export interface Actor {
  userId: string;
  role: Role;
  email: string;
  fullName: string;
  via: 'session' | 'api_key';
  /**
   * Re-checked by PostgreSQL at the start of every transaction run for this actor (withActor),
   * so a cookie or key ended elsewhere stops working at once. Absent when the server itself acts
   * for a user it has already checked (the inbound CRM webhook, the CLI's import, tests).
   */
  credential?: Credential;
}
