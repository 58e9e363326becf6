import { describe, expect, it } from 'vitest';
import { decideLookup, isResumable } from '../src/chat/resume-policy.js';

const HOUR = 3_600_000;

describe('isResumable (rules 2 and 3)', () => {
  it.each([
    ['open, active a minute ago', 'open', 60_000, true],
    ['open, active exactly at the window edge', 'open', 24 * HOUR, true],
    ['open, idle past the window', 'open', 24 * HOUR + 1, false],
    ['closed, active a minute ago', 'closed', 60_000, false],
  ] as const)('%s → %s', (_label, status, idle, expected) => {
    expect(isResumable({ status, last_activity_at: 1_000_000_000 }, 1_000_000_000 + idle, 24 * HOUR)).toBe(expected);
  });
});

describe('decideLookup (rules 4–6)', () => {
  const visitor = { fingerprintHash: 'fp-A', userAgent: 'UA-1' };
  const conv = (id: number, fp: string | null, ua: string) => ({ id, client_fingerprint: fp, user_agent: ua });

  it('resumes with the transcript only when fingerprint, IP and user agent all match (rule 6)', () => {
    expect(decideLookup(visitor, [conv(7, 'fp-A', 'UA-1')], 'ask')).toEqual({ match: 'device', conversationId: 7 });
  });

  it('prefers the device match over a more recent conversation from the same network', () => {
    expect(decideLookup(visitor, [conv(9, 'fp-B', 'UA-2'), conv(7, 'fp-A', 'UA-1')], 'ask')).toEqual({ match: 'device', conversationId: 7 });
  });

  it('offers the most recent conversation from the same IP with another fingerprint (rule 5)', () => {
    expect(decideLookup(visitor, [conv(9, 'fp-B', 'UA-1'), conv(8, 'fp-C', 'UA-3')], 'ask')).toEqual({ match: 'network', conversationId: 9 });
  });

  it('treats the same fingerprint with another user agent as the same network, not the same device', () => {
    expect(decideLookup(visitor, [conv(9, 'fp-A', 'UA-9')], 'ask')).toEqual({ match: 'network', conversationId: 9 });
  });

  it('offers nothing from the network when CHAT_RESUME_BY_NETWORK=off', () => {
    expect(decideLookup(visitor, [conv(9, 'fp-B', 'UA-1')], 'off')).toEqual({ match: 'none' });
  });

  it('finds nothing when no open conversation comes from this IP (rule 4)', () => {
    expect(decideLookup(visitor, [], 'ask')).toEqual({ match: 'none' });
  });
});
