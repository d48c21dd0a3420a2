import type { Actor } from './actor.js';

/**
 * Who a session cookie or API key belongs to, remembered briefly so that a request does not pay
 * a database round trip to find out before its own transaction starts.
 *
 * It can only spare a lookup, never grant access: PostgreSQL re-checks the credential at the
 * start of every transaction (app.act_as_session / app.act_as_api_key, migration 016), and a
 * refused one is forgotten here and answered with a 401. A change to a user (role, deactivation)
 * seen on the change stream forgets that user's entries, in every server process.
 */
export class ActorCache {
  private readonly entries = new Map<string, { actor: Actor; expiresAt: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): Actor | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.actor;
  }

  set(hash: string, actor: Actor): void {
    // Maps keep insertion order: past the bound, the oldest entry goes first.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, { actor: Object.freeze({ ...actor }), expiresAt: this.now() + this.ttlMs });
  }

  forget(hash: string): void {
    this.entries.delete(hash);
  }

  forgetUser(userId: string): void {
    for (const [hash, entry] of this.entries) {
      if (entry.actor.userId === userId) this.entries.delete(hash);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
