import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { availabilityChanged, availabilityOf, awayNotice, hidesLauncher, isEmail, needsEmail, openingTime, type Availability } from '../web/widget/app/offline.js';
import { PANEL_KEYS, PanelMemory, wasOpen } from '../web/widget/app/panel-memory.js';

/** The widget's decisions while nobody is available (docs/widget.md, "When nobody is available"), and what it remembers per tab. */

const NOW = Date.parse('2026-12-04T18:30:00Z'); // a Friday evening
const MONDAY_9_LONDON = '2026-12-07T09:00:00.000Z';

const away = (mode: Availability['offline_mode'] = 'form', next: string | null = null): Availability => ({
  available: false,
  next_available_at: next,
  away_message: 'We are away for the weekend.',
  offline_mode: mode,
});
const here: Availability = { ...away(), available: true };

describe('availability from the config and from AvailabilityChanged', () => {
  it('takes the four fields of GET /api/chat/config', () => {
    const config = { available: false, next_available_at: MONDAY_9_LONDON, away_message: 'Back Monday', offline_mode: 'hide' as const, agents_online: 0, greeting: 'Hi' };
    expect(availabilityOf(config)).toEqual({ available: false, next_available_at: MONDAY_9_LONDON, away_message: 'Back Monday', offline_mode: 'hide' });
  });

  it('a live change updates who can answer and keeps the admin message and mode', () => {
    expect(availabilityChanged(away('hide', MONDAY_9_LONDON), { agents_online: 1, available: true, next_available_at: null })).toEqual({
      available: true,
      next_available_at: null,
      away_message: 'We are away for the weekend.',
      offline_mode: 'hide',
    });
  });
});

describe('asking for an email before the first message', () => {
  it.each([
    ['nobody available, no conversation yet', away(), false, true],
    ['nobody available, a conversation exists (it is answered there)', away(), true, false],
    ['someone available', here, false, false],
    ['the config has not answered yet', undefined, false, false],
  ])('%s → %s', (_case, availability, hasConversation, expected) => {
    expect(needsEmail(availability, hasConversation)).toBe(expected);
  });

  it.each([
    ['ada@example.com', true],
    ['ada.lovelace+shop@mail.example.co.uk', true],
    ['', false],
    ['ada', false],
    ['ada@example', false],
    ['ada @example.com', false],
    [`${'a'.repeat(250)}@x.io`, false],
  ])('%j is an email: %s', (text, expected) => {
    expect(isEmail(text)).toBe(expected);
  });
});

describe('hiding the launcher', () => {
  it.each([
    ['hide mode, nobody available, nothing stored', away('hide'), false, true],
    ['hide mode, nobody available, a conversation stored (the visitor can still open it)', away('hide'), true, false],
    ['hide mode, someone available again', { ...here, offline_mode: 'hide' as const }, false, false],
    ['form mode, nobody available', away('form'), false, false],
    ['config unknown', undefined, false, false],
  ])('%s → hidden: %s', (_case, availability, hasConversation, expected) => {
    expect(hidesLauncher(availability, hasConversation)).toBe(expected);
  });
});

describe('when to expect a reply', () => {
  it("says the next opening in the visitor's language and time zone", () => {
    expect(openingTime(MONDAY_9_LONDON, NOW, { locale: 'en-GB', timeZone: 'Europe/London' })).toBe('Monday 7 December at 9:00');
    expect(openingTime(MONDAY_9_LONDON, NOW, { locale: 'en-US', timeZone: 'America/New_York' })).toBe('Monday, December 7 at 4:00 AM');
    expect(openingTime(MONDAY_9_LONDON, NOW, { locale: 'de-DE', timeZone: 'Europe/Berlin' })).toBe('Montag, 7. Dezember um 10:00');
  });

  it.each([
    ['unknown', null],
    ['already past', '2026-12-04T09:00:00Z'],
    ['not a date', 'soon'],
  ])('has no time to show when the opening is %s ("as soon as we can")', (_case, next) => {
    expect(openingTime(next, NOW, { locale: 'en-GB', timeZone: 'Europe/London' })).toBeUndefined();
  });

  it('the away card: the admin message, the opening, and the email only before a conversation exists', () => {
    const locale = { locale: 'en-GB', timeZone: 'Europe/London' };
    expect(awayNotice(away('form', MONDAY_9_LONDON), false, NOW, locale)).toEqual({ message: 'We are away for the weekend.', opening: 'Monday 7 December at 9:00', askEmail: true });
    expect(awayNotice(away(), true, NOW, locale)).toEqual({ message: 'We are away for the weekend.', opening: undefined, askEmail: false });
    expect(awayNotice(here, false, NOW, locale)).toBeUndefined();
    expect(awayNotice(undefined, false, NOW, locale)).toBeUndefined();
  });
});

describe('what the panel remembers from page to page (sessionStorage)', () => {
  it('remembers whether it was open, for the loader to read', () => {
    const store = new MemoryStore();
    const memory = new PanelMemory(store);
    expect(memory.open).toBe(false);
    memory.open = true;
    expect(wasOpen(store)).toBe(true);
    expect(store.getItem(PANEL_KEYS.open)).toBe('1');
    memory.open = false;
    expect(wasOpen(store)).toBe(false);
    expect(store.getItem(PANEL_KEYS.open)).toBeNull();
  });

  it('keeps the unsent draft, and nothing once it is sent or blank', () => {
    const store = new MemoryStore();
    const memory = new PanelMemory(store);
    memory.draft = 'Do you ship to\nIreland?';
    expect(new PanelMemory(store).draft).toBe('Do you ship to\nIreland?');
    memory.draft = '   ';
    expect(store.getItem(PANEL_KEYS.draft)).toBeNull();
    memory.draft = 'again';
    memory.draft = '';
    expect(new PanelMemory(store).draft).toBe('');
  });
});
