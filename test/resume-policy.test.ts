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
  const SITE = 'https://shop.example';
  const visitor = { fingerprintHash: 'fp-A', userAgent: 'UA-1', origin: SITE };
  const conv = (id: number, fp: string | null, ua: string, origin: string | null = SITE) => ({ id, client_fingerprint: fp, user_agent: ua, origin });

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

  describe('guards on rules 5 and 6', () => {
    const OTHER = 'https://evil.example';
    it.each([
      // label, request origin, candidates, byNetwork, expected
      ['another site gets neither the device match nor the network offer', OTHER, [conv(7, 'fp-A', 'UA-1')], 'ask', { match: 'none' }],
      ['a request without Origin matches nothing, even an exact device', undefined, [conv(7, 'fp-A', 'UA-1')], 'ask', { match: 'none' }],
      ['a conversation started without Origin is never matched', SITE, [conv(7, 'fp-A', 'UA-1', null)], 'ask', { match: 'none' }],
      ['an origin differing only in scheme is another site', 'http://shop.example', [conv(7, 'fp-A', 'UA-1')], 'ask', { match: 'none' }],
      ['an origin differing only in port is another site', 'https://shop.example:8443', [conv(7, 'fp-A', 'UA-1')], 'ask', { match: 'none' }],
      ['the device match is found past newer conversations of other sites', SITE, [conv(9, 'fp-A', 'UA-1', OTHER), conv(7, 'fp-A', 'UA-1')], 'ask', { match: 'device', conversationId: 7 }],
      ['the network offer points at the newest conversation of the same site', SITE, [conv(9, 'fp-B', 'UA-2', OTHER), conv(8, 'fp-C', 'UA-3')], 'ask', { match: 'network', conversationId: 8 }],
      ['two exact matches are rule 5: an offer for the newest, no transcript', SITE, [conv(9, 'fp-A', 'UA-1'), conv(7, 'fp-A', 'UA-1')], 'ask', { match: 'network', conversationId: 9 }],
      ['three exact matches are rule 5 as well', SITE, [conv(9, 'fp-A', 'UA-1'), conv(8, 'fp-A', 'UA-1'), conv(7, 'fp-A', 'UA-1')], 'ask', { match: 'network', conversationId: 9 }],
      ['two exact matches with CHAT_RESUME_BY_NETWORK=off offer nothing', SITE, [conv(9, 'fp-A', 'UA-1'), conv(7, 'fp-A', 'UA-1')], 'off', { match: 'none' }],
      ['one exact match on this site and one on another site is still exactly one', SITE, [conv(9, 'fp-A', 'UA-1', OTHER), conv(7, 'fp-A', 'UA-1')], 'off', { match: 'device', conversationId: 7 }],
    ] as const)('%s', (_label, origin, candidates, byNetwork, expected) => {
      expect(decideLookup({ ...visitor, origin }, [...candidates], byNetwork)).toEqual(expected);
    });
  });
});
