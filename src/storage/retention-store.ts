import type { Kysely } from 'kysely';
import type { ConversationRow, Database } from './schema.js';

/**
 * The retention chores (docs/privacy.md, "Retention"): idle conversations closed, IPs reduced,
 * and claims that let one node of several run a periodic job.
 */
export class RetentionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Closes open conversations idle since before `idleBefore`, at most `limit`; answers those this
   * call closed. The status is checked again by the update itself, so of several nodes sweeping
   * at once each conversation is closed (and answered) by one.
   */
  async closeIdle(idleBefore: number, now: number, limit: number): Promise<ConversationRow[]> {
    const picked = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('status', '=', 'open')
      .where('last_activity_at', '<', idleBefore)
      .orderBy('last_activity_at')
      .limit(limit)
      .execute();
    const closed: ConversationRow[] = [];
    for (const { id } of picked) {
      const row = await this.db
        .updateTable('conversations')
        .set({ status: 'closed', closed_at: now })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .where('last_activity_at', '<', idleBefore)
        .returningAll()
        .executeTakeFirst();
      if (row) closed.push(row);
    }
    return closed;
  }

  /** Reduces `client_ip` of up to `limit` conversations last active before `before`; answers how many it picked. */
  async reduceIps(before: number, limit: number, reduce: (ip: string) => string): Promise<number> {
    const rows = await this.db
      .selectFrom('conversations')
      .select(['id', 'client_ip'])
      .where('ip_reduced', '=', 0)
      .where('last_activity_at', '<', before)
      .limit(limit)
      .execute();
    for (const row of rows) {
      await this.db.updateTable('conversations').set({ client_ip: reduce(row.client_ip), ip_reduced: 1 }).where('id', '=', row.id).execute();
    }
    return rows.length;
  }

  /** Deletes finished webhook deliveries whose conversation no longer exists (purged or erased); answers how many. */
  async purgeOrphanDeliveries(): Promise<number> {
    const result = await this.db
      .deleteFrom('webhook_deliveries')
      .where('conversation_id', 'is not', null)
      .where('status', '!=', 'pending')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('conversations as c').select('c.id').whereRef('c.id', '=', 'webhook_deliveries.conversation_id'))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Claims the run of `job` due at `now`: answers true to exactly one caller (of any node) until
   * `nextRunAt`. The first claim creates the row.
   */
  async claim(job: string, now: number, nextRunAt: number): Promise<boolean> {
    await this.db.insertInto('maintenance_runs').values({ job, next_run_at: 0 }).onConflict((oc) => oc.column('job').doNothing()).execute();
    const result = await this.db
      .updateTable('maintenance_runs')
      .set({ next_run_at: nextRunAt })
      .where('job', '=', job)
      .where('next_run_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

/**
 * An IP with its host part removed (docs/privacy.md): IPv4's last octet zeroed, IPv6's last 80
 * bits zeroed (an IPv4-mapped IPv6 address as IPv4). Anything else is answered as `0.0.0.0`.
 */
export function reduceIp(ip: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (mapped) return `::ffff:${mapped[1]}.0`;
  const groups = expandIpv6(ip);
  if (!groups) return '0.0.0.0';
  return `${groups.slice(0, 3).map((g) => g.toString(16)).join(':')}::`;
}

/** The eight 16-bit groups of an IPv6 address, or nothing when it is not one. */
function expandIpv6(ip: string): number[] | undefined {
  if (!/^[0-9a-f:]+$/i.test(ip) || ip.length > 39) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string | undefined) => (s ? s.split(':') : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}
