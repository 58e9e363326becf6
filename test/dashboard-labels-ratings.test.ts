import { describe, expect, it } from 'vitest';
import { isoWeek, ratingReport, weekStart } from '../src/chat/rating-report.js';
import { chipColors, contrast, luminance, sameLabel, toggled } from '../web/dashboard/labels/label-color.js';
import { stars, trend, weekCell } from '../web/dashboard/ratings/rating-format.js';

// The DOM-free parts of labels and ratings (docs/dashboard.md, "Labels", "Ratings").

describe('label chips', () => {
  it.each(['#ffffff', '#000000', '#b42318', '#2f5bea', '#ffd400', '#157f3b', '#777777', '#808080'])('keep the text on %s at 4.5:1 or more', (color) => {
    const colors = chipColors(color);
    expect(colors?.background).toBe(color);
    const text = luminance(colors?.color ?? '');
    expect(contrast(luminance(color), text)).toBeGreaterThanOrEqual(4.5);
  });

  it('fall back to the neutral chip without a colour, or with one that is not #rrggbb', () => {
    expect(chipColors(null)).toBeNull();
    expect(chipColors('red')).toBeNull();
    expect(chipColors('#fff')).toBeNull();
  });

  it('toggle a name on or off, case-insensitively', () => {
    expect(toggled(['Bug'], 'VIP', true)).toEqual(['Bug', 'VIP']);
    expect(toggled(['Bug', 'VIP'], 'bug', false)).toEqual(['VIP']);
    expect(toggled(['Bug'], 'BUG', true)).toEqual(['BUG']);
    expect(sameLabel('Straße', 'STRASSE')).toBe(false);
    expect(sameLabel('Ärger', 'ärger')).toBe(true);
  });
});

describe('ratings report arithmetic', () => {
  const DAY = 86_400_000;

  it('names ISO weeks by the year of their Thursday', () => {
    expect(isoWeek(weekStart(Date.UTC(2026, 11, 3)))).toBe('2026-W49');
    expect(isoWeek(weekStart(Date.UTC(2021, 0, 1)))).toBe('2020-W53');
    expect(isoWeek(weekStart(Date.UTC(2024, 11, 30)))).toBe('2025-W01');
    expect(new Date(weekStart(Date.UTC(2026, 11, 6, 23))).toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });

  it('averages per agent and week and gives the change from the week before', () => {
    const now = Date.UTC(2026, 11, 3, 12);
    const report = ratingReport(
      [
        { agent_id: 1, agent_name: 'Ann', score: 5, created_at: now - 7 * DAY },
        { agent_id: 1, agent_name: 'Ann', score: 4, created_at: now - 7 * DAY },
        { agent_id: 1, agent_name: 'Ann', score: 3, created_at: now },
        { agent_id: 2, agent_name: 'Bo', score: 1, created_at: now - 30 * DAY },
      ],
      now,
      2,
    );
    expect(report.weeks).toEqual(['2026-W48', '2026-W49']);
    expect(report.agents).toEqual([
      {
        agent_id: 1,
        name: 'Ann',
        count: 3,
        average: 4,
        weeks: [
          { week: '2026-W48', starts_at: '2026-11-23T00:00:00.000Z', count: 2, average: 4.5, change: null },
          { week: '2026-W49', starts_at: '2026-11-30T00:00:00.000Z', count: 1, average: 3, change: -1.5 },
        ],
      },
    ]);
  });

  it('words scores and trends for the table', () => {
    expect([stars(1), stars(4)]).toEqual(['1 star', '4 stars']);
    expect([weekCell(null, 0), weekCell(4.5, 2)]).toEqual(['—', '4.50 (2)']);
    expect([trend(null), trend(0), trend(0.5), trend(-1)]).toEqual(['', 'no change', 'up 0.50', 'down 1.00']);
  });
});
