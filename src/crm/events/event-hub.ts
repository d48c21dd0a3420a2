import { sql } from 'kysely';
import pg from 'pg';
import type { Actor } from '../../auth/actor.js';
import type { Database } from '../../db/database.js';
import { CREDENTIAL_REFUSED, withActor } from '../../db/with-actor.js';

export interface ChangeEvent {
  table: string;
  op: 'insert' | 'update' | 'delete';
  id: string;
}

type Listener = (events: ChangeEvent[]) => void;

interface Subscriber {
  actor: Actor;
  listener: Listener;
  /** Called once when the subscriber's user is no longer active; the hub has dropped them. */
  onRevoked?: () => void;
}

const CHANNEL = 'clara_changes';
// A user's role or active flag changed (migration 016): who their credentials stand for changed.
const AUTH_CHANNEL = 'clara_auth';
// Changes are gathered for a moment so that a burst (an import, a conversation turn writing a
// lead, a call and activities) costs one visibility check per subscriber, not one per row.
const BATCH_MS = 100;
const TABLE = /^[a-z_]+$/;

/**
 * Fans PostgreSQL NOTIFY events out to subscribers. Works across app nodes because every node
 * LISTENs to the same channel. Each subscriber only hears of rows that row-level security
 * lets them read: the ids are re-read as that subscriber.
 */
export class EventHub {
  private client: pg.Client | undefined;
  private readonly subscribers = new Set<Subscriber>();
  private readonly userChangeListeners = new Set<(userId: string) => void>();
  private pending: ChangeEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly log: (message: string, error?: unknown) => void = () => {},
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    const client = new pg.Client({ connectionString: this.database.url, application_name: 'clara-events' });
    client.on('notification', (message) => {
      if (message.channel === AUTH_CHANNEL && message.payload) {
        for (const listener of this.userChangeListeners) listener(message.payload);
        return;
      }
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        this.enqueue(JSON.parse(message.payload) as ChangeEvent);
      } catch (error) {
        this.log('ignoring malformed change event', error);
      }
    });
    // A lost LISTEN connection is re-opened so a database restart does not silence the stream.
    client.on('error', (error) => {
      this.log('event connection lost; reconnecting', error);
      this.client = undefined;
      if (!this.stopped) setTimeout(() => void this.start().catch((e) => this.log('reconnect failed', e)), 1000);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}; LISTEN ${AUTH_CHANNEL}`);
    this.client = client;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  /** Hears of every change to a user's role or active flag, in any server process. */
  onUserChanged(listener: (userId: string) => void): () => void {
    this.userChangeListeners.add(listener);
    return () => this.userChangeListeners.delete(listener);
  }

  subscribe(actor: Actor, listener: Listener, onRevoked?: () => void): () => void {
    const subscriber: Subscriber = { actor, listener, onRevoked };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  private enqueue(event: ChangeEvent): void {
    if (!TABLE.test(event.table) || this.subscribers.size === 0) return;
    this.pending.push(event);
    this.timer ??= setTimeout(() => void this.flush(), BATCH_MS);
  }

  private async flush(): Promise<void> {
    // One event per row and kind: ten updates of a lead in a burst are one "update".
    const events = [...new Map(this.pending.map((event) => [`${event.table}:${event.op}:${event.id}`, event])).values()];
    this.pending = [];
    this.timer = undefined;
    await Promise.all(
      [...this.subscribers].map(async (subscriber) => {
        try {
          const visible = await this.visibleTo(subscriber.actor, events);
          if (visible === 'revoked') {
            this.subscribers.delete(subscriber);
            subscriber.onRevoked?.();
          } else if (visible.length) {
            subscriber.listener(visible);
          }
        } catch (error) {
          // The stream's session ended or its key was revoked: PostgreSQL refused to act for it.
          if ((error as { code?: string }).code === CREDENTIAL_REFUSED) {
            this.subscribers.delete(subscriber);
            subscriber.onRevoked?.();
            return;
          }
          this.log('event visibility check failed', error);
        }
      }),
    );
  }

  /**
   * The events this subscriber may hear of, or 'revoked' once their user is deactivated: a stream
   * outlives the request that opened it, and row-level security alone would still show a user
   * without a role the unassigned leads.
   */
  private async visibleTo(actor: Actor, events: ChangeEvent[]): Promise<ChangeEvent[] | 'revoked'> {
    // A deleted row cannot be re-read; only those who see everything hear of hard deletes.
    const seesAll = actor.role === 'admin' || actor.role === 'viewer';
    const byTable = new Map<string, Set<string>>();
    for (const event of events) {
      if (event.op === 'delete') continue;
      const ids = byTable.get(event.table) ?? new Set<string>();
      ids.add(event.id);
      byTable.set(event.table, ids);
    }
    const readable = await withActor(this.database.db, actor, async (tx) => {
      const { rows: [me] } = await sql<{ role: string | null }>`SELECT app.current_user_role() AS role`.execute(tx);
      if (!me?.role) return 'revoked' as const;
      const seen = new Set<string>();
      for (const [table, ids] of byTable) {
        const { rows } = await sql<{ id: string }>`
          SELECT id FROM ${sql.table(table)} WHERE id = ANY (${[...ids]}::uuid[])`.execute(tx);
        for (const row of rows) seen.add(`${table}:${row.id}`);
      }
      return seen;
    });
    if (readable === 'revoked') return readable;
    return events.filter((event) =>
      event.op === 'delete' ? seesAll : readable.has(`${event.table}:${event.id}`),
    );
  }
}
