import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDto, ChatSettingsDto, WidgetConfig } from '../src/chat/dto.js';
import type { ChatEvent } from '../src/chat/events.js';
import type { Engine } from '../src/storage/engine.js';
import { AGENT, expectFailure } from './support/agent-api.js';
import { ENGINES, skipEngine } from './support/engines.js';
import { startHarness, type Harness } from './support/harness.js';

// Availability over HTTP (docs/api.md, "Availability"): agents' status, the chat settings, and what
// GET /api/chat/config reports. BROADCAST_DRIVER=log: without a roster, an agent seen in the last
// five minutes counts as connected, so logging in is enough to be there.

type Session = Awaited<ReturnType<Harness['loginAs']>>;
const MONDAY_NOON_UTC = Date.UTC(2026, 0, 5, 12);

describe.each(ENGINES)('availability on %s', (engine: Engine) => {
  let h: Harness;
  let admin: Session;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    h = await startHarness(engine, { BROADCAST_DRIVER: 'log', CHAT_GREETING: 'Hello from the shop', CHAT_COLOR: '#112233' });
    h.clock.advance(MONDAY_NOON_UTC - h.clock.now());
  });
  afterEach(async () => h?.close());

  const config = async (): Promise<WidgetConfig> => {
    const res = await h.request({ method: 'GET', url: '/api/chat/config' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<WidgetConfig>();
  };
  const call = (method: 'GET' | 'PATCH' | 'POST', url: string, json?: unknown, session: Session | null = admin, headers: Record<string, string> = {}) =>
    h.request({ method, url, ...(json !== undefined ? { json } : {}), headers: { ...(session?.headers ?? {}), ...headers } });
  const settings = async (patch: Partial<ChatSettingsDto>, session: Session = admin): Promise<ChatSettingsDto> => {
    const res = await call('PATCH', '/api/agent/settings', patch, session);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ settings: ChatSettingsDto }>().settings;
  };
  const named = <N extends ChatEvent['name']>(name: N) => h.events.events.filter((e): e is Extract<ChatEvent, { name: N }> => e.name === name);
  const newAgent = async (): Promise<Session> => {
    const res = await call('POST', '/api/agent/agents', AGENT);
    expect(res.statusCode, res.body).toBe(201);
    return h.loginAs(AGENT.email, AGENT.password);
  };

  describe('GET /api/chat/config', () => {
    it('is not available while no agent is there, with the default away message and offline mode, and the greeting and colour of the environment', async () => {
      expect(await config()).toMatchObject({
        agents_online: 0,
        available: false,
        next_available_at: null,
        away_message: "We're away right now. Leave your email and a message, and we'll answer by email.",
        offline_mode: 'form',
        greeting: 'Hello from the shop',
        color: '#112233',
      });
    });

    it('is available once an online agent is there, and not after five minutes without them', async () => {
      admin = await h.loginAs();
      expect(await config()).toMatchObject({ agents_online: 1, available: true, next_available_at: null });
      h.clock.advance(5 * 60_000 + 1);
      expect(await config()).toMatchObject({ agents_online: 0, available: false, next_available_at: null });
    });
  });

  describe('PATCH /api/agent/me {status}', () => {
    beforeEach(async () => {
      if (skipEngine(engine)) return;
      admin = await h.loginAs();
    });

    it('sets the status, reported by GET /api/agent/me and the agents list, and new agents are online', async () => {
      expect((await call('GET', '/api/agent/me')).json<{ agent: AgentDto }>().agent.status).toBe('online');
      const res = await call('PATCH', '/api/agent/me', { status: 'away' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ agent: AgentDto }>().agent).toMatchObject({ email: 'admin@example.test', status: 'away' });
      expect((await call('GET', '/api/agent/me')).json<{ agent: AgentDto }>().agent.status).toBe('away');
      expect((await call('GET', '/api/agent/agents')).json<{ agents: AgentDto[] }>().agents.map((a) => a.status)).toEqual(['away']);
    });

    it('keeps the status across logins', async () => {
      await call('PATCH', '/api/agent/me', { status: 'away' });
      await call('POST', '/api/agent/logout');
      admin = await h.loginAs();
      expect((await call('GET', '/api/agent/me')).json<{ agent: AgentDto }>().agent.status).toBe('away');
    });

    it('makes the chat unavailable when the last online agent goes away, and tells agents and widgets', async () => {
      const adminId = (await call('GET', '/api/agent/me')).json<{ agent: AgentDto }>().agent.id;
      expect((await config()).available).toBe(true);
      await call('PATCH', '/api/agent/me', { status: 'away' });
      expect(await config()).toMatchObject({ agents_online: 1, available: false, next_available_at: null });
      expect(named('AgentStatusChanged')).toEqual([{ name: 'AgentStatusChanged', agentId: adminId, status: 'away' }]);
      expect(named('AvailabilityChanged').at(-1)).toEqual({ name: 'AvailabilityChanged', agentsOnline: 1, available: false, nextAvailableAt: null });

      await call('PATCH', '/api/agent/me', { status: 'online' });
      expect((await config()).available).toBe(true);
      expect(named('AvailabilityChanged').at(-1)).toMatchObject({ available: true });
    });

    it('is available while any one online agent is there', async () => {
      const sam = await newAgent();
      await call('PATCH', '/api/agent/me', { status: 'away' });
      expect(await config()).toMatchObject({ agents_online: 2, available: true });
      await call('PATCH', '/api/agent/me', { status: 'away' }, sam);
      expect((await config()).available).toBe(false);
    });

    it('announces nothing when the status does not change', async () => {
      const res = await call('PATCH', '/api/agent/me', { status: 'online' });
      expect(res.statusCode).toBe(200);
      expect(named('AgentStatusChanged')).toEqual([]);
    });

    it('refuses a bad status (422 naming the field), a missing CSRF token (403) and no session (401)', async () => {
      expectFailure(await call('PATCH', '/api/agent/me', { status: 'busy' }), 422, 'validation_failed', 'status');
      expectFailure(await call('PATCH', '/api/agent/me', {}), 422, 'validation_failed', 'status');
      expectFailure(await call('PATCH', '/api/agent/me', { status: 'away' }, admin, { 'x-csrf-token': 'wrong' }), 403, 'csrf_mismatch');
      expectFailure(await call('PATCH', '/api/agent/me', { status: 'away' }, null), 401, 'unauthenticated');
      expect((await call('GET', '/api/agent/me')).json<{ agent: AgentDto }>().agent.status).toBe('online');
    });
  });

  describe('GET and PATCH /api/agent/settings', () => {
    beforeEach(async () => {
      if (skipEngine(engine)) return;
      admin = await h.loginAs();
    });

    it('answers the defaults to any agent until an admin changes them', async () => {
      const sam = await newAgent();
      const res = await call('GET', '/api/agent/settings', undefined, sam);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ settings: ChatSettingsDto }>().settings).toEqual({
        business_hours: null,
        away_message: "We're away right now. Leave your email and a message, and we'll answer by email.",
        offline_mode: 'form',
        greeting: 'Hello from the shop',
        color: '#112233',
        auto_assign: false,
        max_open_per_agent: 10,
        transcript_on_close: false,
      });
    });

    it('lets only admins change them, with the CSRF token', async () => {
      const sam = await newAgent();
      expectFailure(await call('PATCH', '/api/agent/settings', { greeting: 'Hi' }, sam), 403, 'forbidden');
      expectFailure(await call('PATCH', '/api/agent/settings', { greeting: 'Hi' }, admin, { 'x-csrf-token': 'wrong' }), 403, 'csrf_mismatch');
      expectFailure(await call('GET', '/api/agent/settings', undefined, null), 401, 'unauthenticated');
      expect((await config()).greeting).toBe('Hello from the shop');
    });

    it('changes only the fields sent, and the widget config follows', async () => {
      const changed = await settings({ greeting: 'Welcome!', color: '#abcdef', away_message: 'Back at nine.', offline_mode: 'hide' });
      expect(changed).toMatchObject({ greeting: 'Welcome!', color: '#abcdef', away_message: 'Back at nine.', offline_mode: 'hide', auto_assign: false, max_open_per_agent: 10 });
      const again = await settings({ auto_assign: true, max_open_per_agent: 3 });
      expect(again).toMatchObject({ greeting: 'Welcome!', color: '#abcdef', auto_assign: true, max_open_per_agent: 3 });
      expect((await call('GET', '/api/agent/settings')).json<{ settings: ChatSettingsDto }>().settings).toEqual(again);
      expect(await config()).toMatchObject({ greeting: 'Welcome!', color: '#abcdef', away_message: 'Back at nine.', offline_mode: 'hide' });
    });

    it.each<[string, unknown, string]>([
      ['an unknown time zone', { business_hours: { timezone: 'Mars/Base', days: {} } }, 'business_hours.timezone'],
      ['an unknown day', { business_hours: { timezone: 'UTC', days: { mon: [], funday: [] } } }, 'business_hours.days'],
      ['a range past midnight', { business_hours: { timezone: 'UTC', days: { fri: [['22:00', '02:00']] } } }, 'business_hours.days.fri.0'],
      ['a malformed time', { business_hours: { timezone: 'UTC', days: { mon: [['9am', '17:00']] } } }, 'business_hours.days.mon.0.0'],
      ['a range of three times', { business_hours: { timezone: 'UTC', days: { mon: [['09:00', '12:00', '17:00']] } } }, 'business_hours.days.mon.0'],
      ['a holiday that is no date', { business_hours: { timezone: 'UTC', days: {}, holidays: ['2026-02-30'] } }, 'business_hours.holidays.0'],
      ['hours without a time zone', { business_hours: { days: {} } }, 'business_hours.timezone'],
      ['a long away message', { away_message: 'x'.repeat(501) }, 'away_message'],
      ['an unknown offline mode', { offline_mode: 'ghost' }, 'offline_mode'],
      ['a colour name', { color: 'red' }, 'color'],
      ['a long greeting', { greeting: 'x'.repeat(501) }, 'greeting'],
      ['auto_assign as a string', { auto_assign: 'yes' }, 'auto_assign'],
      ['max_open_per_agent of 0', { max_open_per_agent: 0 }, 'max_open_per_agent'],
      ['max_open_per_agent of 101', { max_open_per_agent: 101 }, 'max_open_per_agent'],
      ['max_open_per_agent of 2.5', { max_open_per_agent: 2.5 }, 'max_open_per_agent'],
      ['an unknown field', { theme: 'dark' }, 'body'],
      ['an array', [1], 'body'],
    ])('refuses %s with 422 naming the field, and changes nothing', async (_name, body, field) => {
      const before = (await call('GET', '/api/agent/settings')).json<{ settings: ChatSettingsDto }>().settings;
      expectFailure(await call('PATCH', '/api/agent/settings', body), 422, 'validation_failed', field);
      expect((await call('GET', '/api/agent/settings')).json<{ settings: ChatSettingsDto }>().settings).toEqual(before);
    });

    it('stores business hours as given (holidays sorted, once each), and null removes them', async () => {
      const hours = { timezone: 'Europe/London', days: { mon: [['09:00', '12:30'], ['13:30', '17:00']] as [string, string][], sat: [['10:00', '24:00']] as [string, string][] }, holidays: ['2026-12-26', '2026-12-25', '2026-12-25'] };
      expect((await settings({ business_hours: hours })).business_hours).toEqual({ ...hours, holidays: ['2026-12-25', '2026-12-26'] });
      expect((await settings({ business_hours: null })).business_hours).toBeNull();
    });
  });

  describe('business hours in GET /api/chat/config', () => {
    beforeEach(async () => {
      if (skipEngine(engine)) return;
      admin = await h.loginAs();
    });

    it('is unavailable outside the hours with an agent online, and says when it opens', async () => {
      // Monday noon UTC is 07:00 in New York: opens at 09:00 EST, 14:00 UTC.
      await settings({ business_hours: { timezone: 'America/New_York', days: { mon: [['09:00', '17:00']] } } });
      expect(await config()).toMatchObject({ agents_online: 1, available: false, next_available_at: '2026-01-05T14:00:00.000Z' });
      expect(named('AvailabilityChanged').at(-1)).toEqual({ name: 'AvailabilityChanged', agentsOnline: 1, available: false, nextAvailableAt: '2026-01-05T14:00:00.000Z' });
    });

    it('is available within the hours, and not on a holiday', async () => {
      await settings({ business_hours: { timezone: 'Europe/London', days: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] } } });
      expect(await config()).toMatchObject({ available: true, next_available_at: null });
      await settings({ business_hours: { timezone: 'Europe/London', days: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] }, holidays: ['2026-01-05'] } });
      expect(await config()).toMatchObject({ available: false, next_available_at: '2026-01-06T09:00:00.000Z' });
    });

    it('gives no next opening within the hours when nobody is online', async () => {
      await settings({ business_hours: { timezone: 'UTC', days: { mon: [['09:00', '17:00']] } } });
      await call('PATCH', '/api/agent/me', { status: 'away' });
      expect(await config()).toMatchObject({ available: false, next_available_at: null });
    });
  });
});
