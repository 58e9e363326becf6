import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { textOn } from '../web/widget/app/color.js';
import { decideLookup, decideStatus, fingerprintSource, forgetConversation, hasStoredChat, saveConversation, storedConversation } from '../web/widget/app/identity.js';
import { sha256Hex } from '../web/widget/app/sha256.js';
import { MemoryStore, type KeyValueStore } from '../web/shared/key-value-store.js';
import { KEYS, SafeStore } from '../web/widget/app/storage.js';
import { mergeStrings } from '../web/widget/app/strings.js';
import type { ConversationStatus } from '../web/widget/app/types.js';

const status = (over: Partial<ConversationStatus>): ConversationStatus => ({
  id: 1,
  status: 'open',
  resumable: true,
  last_seq: 3,
  last_activity_at: '2026-01-01T12:00:00.000Z',
  ...over,
});

describe('widget identity decisions (docs/api.md, "Session persistence")', () => {
  it('rule 2: an open conversation within the window resumes', () => {
    expect(decideStatus(200, status({}))).toBe('resume');
  });

  it('rule 3: closed, or idle past the window, is not resumed', () => {
    expect(decideStatus(200, status({ status: 'closed', resumable: false }))).toBe('closed');
    expect(decideStatus(200, status({ resumable: false }))).toBe('expired');
  });

  it('forgets a conversation the token no longer opens, and keeps it when the server did not answer', () => {
    expect(decideStatus(404, undefined)).toBe('gone');
    for (const code of [0, 429, 500, 503]) expect(decideStatus(code, undefined)).toBe('retry');
  });

  it('rules 4–6: lookup resumes a device match, asks on a network match, else starts new', () => {
    const joined = { conversation: { id: 3, status: 'open' as const, last_seq: 1 }, visitor_token: 't'.repeat(43), messages: [] };
    expect(decideLookup({ match: 'device', ...joined })).toEqual({ kind: 'join', joined: { match: 'device', ...joined } });
    expect(decideLookup({ match: 'network', resume_ticket: 'ticket' })).toEqual({ kind: 'ask', ticket: 'ticket' });
    expect(decideLookup({ match: 'none' })).toEqual({ kind: 'new' });
    expect(decideLookup(undefined)).toEqual({ kind: 'new' });
  });

  it('stores and forgets the conversation under the documented keys', () => {
    const store = new MemoryStore();
    expect(storedConversation(store)).toBeUndefined();
    saveConversation(store, { conversation: { id: 7, status: 'open', last_seq: 0 }, visitor_token: 'token-123' });
    expect(store.getItem(KEYS.conversationId)).toBe('7');
    expect(store.getItem(KEYS.token)).toBe('token-123');
    expect(storedConversation(store)).toEqual({ id: 7, token: 'token-123' });
    forgetConversation(store);
    expect(storedConversation(store)).toBeUndefined();
  });

  it('ignores a damaged stored id', () => {
    const store = new MemoryStore();
    store.setItem(KEYS.conversationId, 'abc');
    store.setItem(KEYS.token, 'token');
    expect(storedConversation(store)).toBeUndefined();
  });

  it('loads the chat code with the page only for a stored conversation or unsent messages', () => {
    const store = new MemoryStore();
    expect(hasStoredChat(store)).toBe(false);
    store.setItem(KEYS.fingerprint, 'f'.repeat(64));
    expect(hasStoredChat(store)).toBe(false);
    store.setItem(KEYS.outbox, '[{}]');
    expect(hasStoredChat(store)).toBe(true);
    store.removeItem(KEYS.outbox);
    store.setItem(KEYS.conversationId, '1');
    expect(hasStoredChat(store)).toBe(true);
  });

  it('hashes every device trait into the fingerprint source', () => {
    const traits = { canvas: 'data:image/png;base64,AAA', screen: '1280x800', colorDepth: 24, timezone: 'Europe/London', language: 'en-GB', platform: 'Linux x86_64' };
    const base = fingerprintSource(traits);
    for (const [key, value] of Object.entries({ canvas: 'other', screen: '390x844', colorDepth: 30, timezone: 'Asia/Tokyo', language: 'fr-FR', platform: 'iPhone' })) {
      expect(fingerprintSource({ ...traits, [key]: value })).not.toBe(base);
    }
  });
});

describe('widget SHA-256 fallback', () => {
  it('matches node:crypto for empty, short, multi-block and non-ASCII input', () => {
    for (const text of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'x'.repeat(1000), 'Zürich 東京 😃\n1920x1080']) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});

describe('widget storage without localStorage (rule 6)', () => {
  const throwing: KeyValueStore = {
    getItem: () => {
      throw new Error('SecurityError');
    },
    setItem: () => {
      throw new Error('SecurityError');
    },
    removeItem: () => {
      throw new Error('SecurityError');
    },
  };

  it('keeps state in memory when storage access throws', () => {
    const store = new SafeStore(() => throwing);
    expect(store.persistent).toBe(false);
    store.setItem(KEYS.conversationId, '5');
    expect(store.getItem(KEYS.conversationId)).toBe('5');
    store.removeItem(KEYS.conversationId);
    expect(store.getItem(KEYS.conversationId)).toBeNull();
  });

  it('keeps state in memory when there is no storage at all', () => {
    const store = new SafeStore(() => null);
    expect(store.persistent).toBe(false);
    store.setItem(KEYS.token, 't');
    expect(store.getItem(KEYS.token)).toBe('t');
  });

  it('writes through to working storage, and survives it breaking later (quota)', () => {
    const backing = new MemoryStore();
    let broken = false;
    const flaky: KeyValueStore = {
      getItem: (k) => backing.getItem(k),
      setItem: (k, v) => {
        if (broken) throw new Error('QuotaExceededError');
        backing.setItem(k, v);
      },
      removeItem: (k) => backing.removeItem(k),
    };
    const store = new SafeStore(() => flaky);
    expect(store.persistent).toBe(true);
    store.setItem(KEYS.conversationId, '1');
    expect(backing.getItem(KEYS.conversationId)).toBe('1');
    broken = true;
    store.setItem(KEYS.outbox, '[]');
    expect(store.persistent).toBe(false);
    expect(store.getItem(KEYS.outbox)).toBe('[]');
    expect(store.getItem(KEYS.conversationId)).toBe('1');
  });

  it('writes nothing when only read (privacy before the chat is opened)', () => {
    const backing = new MemoryStore();
    const writes: string[] = [];
    const store = new SafeStore(() => ({ ...backing, getItem: (k) => backing.getItem(k), setItem: (k) => writes.push(k), removeItem: (k) => writes.push(k) }));
    store.getItem(KEYS.conversationId);
    expect(writes).toEqual([]);
  });
});

describe('widget texts and colours', () => {
  it('overrides only known texts with non-empty strings', () => {
    const strings = mergeStrings({ send: 'Senden', unknown: 'x', title: '', online: 42 });
    expect(strings.send).toBe('Senden');
    expect(strings.title).toBe('Chat with us');
    expect(strings.online).toBe("We're online");
    expect('unknown' in strings).toBe(false);
  });

  it('picks white text on dark accents and black on light ones', () => {
    expect(textOn('#2563eb')).toBe('#fff');
    expect(textOn('#000')).toBe('#fff');
    expect(textOn('#fde047')).toBe('#000');
    expect(textOn('#ffffff')).toBe('#000');
    expect(textOn('rebeccapurple')).toBe('#fff');
  });
});
