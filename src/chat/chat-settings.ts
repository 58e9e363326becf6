import type { ChatSettingsPatch, ChatSettingsRow, SettingsStore } from '../storage/settings-store.js';
import type { Clock } from '../time/clock.js';
import type { BusinessHours, ChatSettingsDto } from './dto.js';

/** What an install that never saved settings gets, besides the greeting and colour of its environment. */
export const SETTINGS_DEFAULTS = {
  away_message: "We're away right now. Leave your email and a message, and we'll answer by email.",
  offline_mode: 'form',
  auto_assign: false,
  max_open_per_agent: 10,
  transcript_on_close: false,
} as const satisfies Partial<ChatSettingsDto>;

/** The chat settings an admin edits (docs/api.md, "Chat settings"), stored in the database so every node reads the same. */
export class ChatSettings {
  private readonly listeners: (() => Promise<void>)[] = [];

  constructor(
    private readonly deps: {
      store: SettingsStore;
      clock: Clock;
      /** `CHAT_GREETING` and `CHAT_COLOR`: the defaults until an admin saves others. */
      defaults: { greeting: string; color: string };
    },
  ) {}

  async get(): Promise<ChatSettingsDto> {
    return this.toDto(await this.deps.store.get());
  }

  /** Changes the given fields only; listeners (availability) hear of it once stored. */
  async update(patch: Partial<ChatSettingsDto>): Promise<ChatSettingsDto> {
    const columns: ChatSettingsPatch = { updated_at: this.deps.clock.now() };
    if (patch.business_hours !== undefined) columns.business_hours = patch.business_hours === null ? null : JSON.stringify(patch.business_hours);
    if (patch.away_message !== undefined) columns.away_message = patch.away_message;
    if (patch.offline_mode !== undefined) columns.offline_mode = patch.offline_mode;
    if (patch.greeting !== undefined) columns.greeting = patch.greeting;
    if (patch.color !== undefined) columns.color = patch.color;
    if (patch.auto_assign !== undefined) columns.auto_assign = patch.auto_assign ? 1 : 0;
    if (patch.max_open_per_agent !== undefined) columns.max_open_per_agent = patch.max_open_per_agent;
    if (patch.transcript_on_close !== undefined) columns.transcript_on_close = patch.transcript_on_close ? 1 : 0;
    const settings = this.toDto(await this.deps.store.update(columns));
    for (const listener of this.listeners) await listener();
    return settings;
  }

  /** Calls `listener` after each change made through this node. */
  onChange(listener: () => Promise<void>): void {
    this.listeners.push(listener);
  }

  private toDto(row: ChatSettingsRow): ChatSettingsDto {
    return {
      business_hours: parseHours(row.business_hours),
      away_message: row.away_message ?? SETTINGS_DEFAULTS.away_message,
      offline_mode: row.offline_mode ?? SETTINGS_DEFAULTS.offline_mode,
      greeting: row.greeting ?? this.deps.defaults.greeting,
      color: row.color ?? this.deps.defaults.color,
      auto_assign: row.auto_assign === null ? SETTINGS_DEFAULTS.auto_assign : row.auto_assign === 1,
      max_open_per_agent: row.max_open_per_agent ?? SETTINGS_DEFAULTS.max_open_per_agent,
      transcript_on_close: row.transcript_on_close === null ? SETTINGS_DEFAULTS.transcript_on_close : row.transcript_on_close === 1,
    };
  }
}

/** Stored JSON back to hours; anything unreadable counts as no hours rather than failing every request. */
function parseHours(json: string | null): BusinessHours | null {
  if (json === null) return null;
  try {
    const value = JSON.parse(json) as BusinessHours | null;
    return value !== null && typeof value === 'object' && typeof value.timezone === 'string' && typeof value.days === 'object' ? value : null;
  } catch {
    return null;
  }
}
