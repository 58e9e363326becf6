import type { Kysely, Updateable } from 'kysely';
import type { ChatSettingsTable, Database } from './schema.js';

export type ChatSettingsRow = ChatSettingsTable;
/** The columns an admin sets; each left out keeps its value. */
export type ChatSettingsPatch = Omit<Updateable<ChatSettingsTable>, 'id' | 'boundary_announced_at'>;

const ROW_ID = 1;
/** The row of an install that never saved settings (every column its default). */
export const EMPTY_SETTINGS: ChatSettingsRow = {
  id: ROW_ID,
  business_hours: null,
  away_message: null,
  offline_mode: null,
  greeting: null,
  color: null,
  auto_assign: null,
  max_open_per_agent: null,
  updated_at: null,
  boundary_announced_at: null,
  transcript_on_close: null,
  last_assigned_agent_id: null,
};

/** The one row of chat settings, shared by every node through the database. */
export class SettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(): Promise<ChatSettingsRow> {
    return (await this.db.selectFrom('chat_settings').selectAll().where('id', '=', ROW_ID).executeTakeFirst()) ?? EMPTY_SETTINGS;
  }

  /** Sets the given columns in one statement, so two admins saving different fields both keep theirs. */
  async update(patch: ChatSettingsPatch): Promise<ChatSettingsRow> {
    if (Object.keys(patch).length === 0) return this.get();
    return this.db
      .insertInto('chat_settings')
      .values({ ...EMPTY_SETTINGS, ...patch })
      .onConflict((oc) => oc.column('id').doUpdateSet(patch))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Claims the announcement of the business-hours change at `at`: true for exactly one caller across nodes. */
  async claimBoundary(at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('chat_settings')
      .set({ boundary_announced_at: at })
      .where('id', '=', ROW_ID)
      .where((eb) => eb.or([eb('boundary_announced_at', 'is', null), eb('boundary_announced_at', '<', at)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
