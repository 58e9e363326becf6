import { sql, type Kysely, type Transaction } from 'kysely';
import type { Storage } from './database.js';
import type { Engine } from './engine.js';
import type { Database } from './schema.js';
import { EMPTY_SETTINGS } from './settings-store.js';

const ROW_ID = 1;

/** The assignment settings as stored: null means the default (docs/api.md, "Chat settings"). */
export interface StoredAssignmentSettings {
  autoAssign: number | null;
  maxOpenPerAgent: number | null;
  lastAssignedAgentId: number | null;
}

/**
 * What one pick reads and writes, inside one transaction that holds the settings row (PostgreSQL:
 * `FOR UPDATE`; SQLite has one writer), so pickers on every node take turns and each sees the
 * assignments of the one before (docs/dashboard.md, "Automatic assignment").
 */
export interface AssignmentTx {
  /** The settings row, locked. */
  settings(): Promise<StoredAssignmentSettings>;
  /** Of the given agents, the active ones whose status is `online`. */
  onlineAmong(ids: number[]): Promise<number[]>;
  /** Open conversations assigned to each of the given agents (absent: none). */
  openCounts(ids: number[]): Promise<Map<number, number>>;
  /** The oldest open, unassigned conversation with a visitor message and no agent reply. */
  oldestWaiting(): Promise<number | undefined>;
  /** Assigns an open, unassigned conversation; false when it no longer is. */
  assignWaiting(conversationId: number, agentId: number): Promise<boolean>;
  /** Moves an open conversation nobody answered yet from `from` to `to` (null: unassigned); false when it changed meanwhile. */
  handOver(conversationId: number, from: number, to: number | null): Promise<boolean>;
  /** Moves the round-robin pointer from `expected` to `next` (compare-and-set). */
  movePointer(expected: number | null, next: number): Promise<boolean>;
}

/** The queries of automatic assignment; every decision runs inside `transaction`. */
export class AssignmentStore {
  private readonly db: Kysely<Database>;
  private readonly engine: Engine;

  constructor(storage: Pick<Storage, 'db' | 'engine'>) {
    this.db = storage.db;
    this.engine = storage.engine;
  }

  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: AssignmentTx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(this.tx(trx)));
  }

  /** The settings row read without a lock: whether a pick is worth a transaction at all. */
  async settings(): Promise<StoredAssignmentSettings | undefined> {
    const row = await this.db.selectFrom('chat_settings').select(['auto_assign', 'max_open_per_agent', 'last_assigned_agent_id']).where('id', '=', ROW_ID).executeTakeFirst();
    return row && toSettings(row);
  }

  /** Open conversations assigned to `agentId` that no agent has answered yet, oldest first. */
  async unansweredOf(agentId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('conversations as c')
      .select('c.id')
      .where('c.status', '=', 'open')
      .where('c.assigned_agent_id', '=', agentId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('messages as m').select(sql`1`.as('one')).whereRef('m.conversation_id', '=', 'c.id').where('m.sender', '=', 'agent'))))
      .orderBy('c.created_at')
      .orderBy('c.id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  private tx(trx: Transaction<Database>): AssignmentTx {
    const noAgentReply = () =>
      sql<boolean>`not exists (select 1 from messages m where m.conversation_id = conversations.id and m.sender = 'agent')`;
    return {
      settings: async () => {
        // The row may not exist on an install that never saved settings; the lock needs it.
        await trx.insertInto('chat_settings').values(EMPTY_SETTINGS).onConflict((oc) => oc.column('id').doNothing()).execute();
        let q = trx.selectFrom('chat_settings').select(['auto_assign', 'max_open_per_agent', 'last_assigned_agent_id']).where('id', '=', ROW_ID);
        if (this.engine === 'pgsql') q = q.forUpdate();
        return toSettings(await q.executeTakeFirstOrThrow());
      },
      onlineAmong: async (ids) => {
        const unique = [...new Set(ids)];
        if (unique.length === 0) return [];
        const rows = await trx.selectFrom('agents').select('id').where('id', 'in', unique).where('status', '=', 'online').where('deactivated_at', 'is', null).orderBy('id').execute();
        return rows.map((r) => Number(r.id));
      },
      openCounts: async (ids) => {
        if (ids.length === 0) return new Map();
        const rows = await trx
          .selectFrom('conversations')
          .select(['assigned_agent_id', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('status', '=', 'open')
          .where('assigned_agent_id', 'in', ids)
          .groupBy('assigned_agent_id')
          .execute();
        return new Map(rows.map((r) => [Number(r.assigned_agent_id), Number(r.n)]));
      },
      oldestWaiting: async () => {
        const row = await trx
          .selectFrom('conversations as c')
          .select('c.id')
          .where('c.status', '=', 'open')
          .where('c.assigned_agent_id', 'is', null)
          .where(({ exists, selectFrom }) => exists(selectFrom('messages as v').select(sql`1`.as('one')).whereRef('v.conversation_id', '=', 'c.id').where('v.sender', '=', 'visitor')))
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('messages as a').select(sql`1`.as('one')).whereRef('a.conversation_id', '=', 'c.id').where('a.sender', '=', 'agent'))))
          .orderBy('c.created_at')
          .orderBy('c.id')
          .limit(1)
          .executeTakeFirst();
        return row === undefined ? undefined : Number(row.id);
      },
      assignWaiting: async (conversationId, agentId) => {
        const result = await trx
          .updateTable('conversations')
          .set({ assigned_agent_id: agentId })
          .where('id', '=', conversationId)
          .where('status', '=', 'open')
          .where('assigned_agent_id', 'is', null)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      },
      handOver: async (conversationId, from, to) => {
        const result = await trx
          .updateTable('conversations')
          .set({ assigned_agent_id: to })
          .where('id', '=', conversationId)
          .where('status', '=', 'open')
          .where('assigned_agent_id', '=', from)
          .where(noAgentReply())
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      },
      movePointer: async (expected, next) => {
        const result = await trx
          .updateTable('chat_settings')
          .set({ last_assigned_agent_id: next })
          .where('id', '=', ROW_ID)
          .where('last_assigned_agent_id', expected === null ? 'is' : '=', expected)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      },
    };
  }
}

function toSettings(row: Pick<Database['chat_settings'], 'auto_assign' | 'max_open_per_agent' | 'last_assigned_agent_id'>): StoredAssignmentSettings {
  return {
    autoAssign: row.auto_assign,
    maxOpenPerAgent: row.max_open_per_agent,
    lastAssignedAgentId: row.last_assigned_agent_id === null ? null : Number(row.last_assigned_agent_id),
  };
}

