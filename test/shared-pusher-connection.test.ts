import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../src/chat/dto.js';
import { AGENTS_CHANNEL, AGENTS_PRESENCE_CHANNEL, conversationChannel, STATUS_CHANNEL } from '../src/chat/realtime-contract.js';
import { AGENTS_CHANNEL_NAME, AGENTS_PRESENCE_CHANNEL_NAME, conversationChannelName, STATUS_CHANNEL_NAME } from '../web/shared/channel-names.js';
import { bindEvents, type Bindable, type EventHandlers } from '../web/shared/channel-events.js';
import { pusherOptions } from '../web/shared/pusher-connection.js';

const settings = { key: 'app-key', cluster: null, wsHost: 'chat.example', wsPort: 8080, wssPort: 443, forceTLS: true };

/** A channel that records its bindings and can play events to them. */
function fakeChannel() {
  const handlers = new Map<string, (data: unknown) => void>();
  const channel: Bindable = { bind: (event, callback) => handlers.set(event, callback as (data: unknown) => void) };
  return { channel, events: () => [...handlers.keys()], emit: (event: string, data: unknown) => handlers.get(event)?.(data) };
}

describe('pusher-js connection settings', () => {
  it('connects by WebSocket only, to the configured host, authorising at the given endpoint', () => {
    const options = pusherOptions(settings, { endpoint: '/broadcasting/auth' });
    expect(options).toMatchObject({ cluster: '', wsHost: 'chat.example', wsPort: 8080, wssPort: 443, forceTLS: true, enabledTransports: ['ws', 'wss'] });
    expect(options.channelAuthorization).toEqual({ endpoint: '/broadcasting/auth', transport: 'ajax' });
  });

  it('leaves unset hosts and ports to pusher-js, and sends the headers asked for with each authorisation', () => {
    let token = 'first';
    const options = pusherOptions({ ...settings, wsHost: null, wsPort: null, wssPort: null }, { endpoint: 'https://chat.example/api/chat/broadcasting/auth', headers: () => ({ Authorization: `Bearer ${token}` }) });
    expect([options.wsHost, options.wsPort, options.wssPort]).toEqual([undefined, undefined, undefined]);
    token = 'second';
    const provider = (options.channelAuthorization as { headersProvider?: () => Record<string, string> }).headersProvider;
    expect(provider?.()).toEqual({ Authorization: 'Bearer second' });
  });
});

describe('typed channel binding (the realtime contract)', () => {
  it('binds every event of a channel kind and hands each handler its payload', () => {
    const { channel, events, emit } = fakeChannel();
    const heard: string[] = [];
    bindEvents(channel, 'conversation', {
      MessageSent: (d) => heard.push(`message ${d.message.seq}`),
      MessagesRead: (d) => heard.push(`read ${d.seq} by ${d.reader.type}`),
      ConversationUpdated: (d) => heard.push(`conversation ${d.conversation.status}`),
    });
    expect(events()).toEqual(['MessageSent', 'MessagesRead', 'ConversationUpdated']);
    emit('MessageSent', { message: { seq: 4 } as MessageDto });
    emit('MessagesRead', { conversation_id: 1, seq: 3, reader: { type: 'agent', id: 2, name: 'Ana' } });
    expect(heard).toEqual(['message 4', 'read 3 by agent']);
  });

  it('does not compile a handler map that misses an event of the contract', () => {
    // @ts-expect-error -- `ConversationUpdated` has no handler.
    const partial: EventHandlers<'conversation'> = { MessageSent: () => undefined, MessagesRead: () => undefined };
    expect(Object.keys(partial)).toHaveLength(2);
  });

  it('writes the channel names of the contract', () => {
    expect([STATUS_CHANNEL_NAME, AGENTS_CHANNEL_NAME, AGENTS_PRESENCE_CHANNEL_NAME]).toEqual([STATUS_CHANNEL, AGENTS_CHANNEL, AGENTS_PRESENCE_CHANNEL]);
    expect(conversationChannelName(42)).toBe(conversationChannel(42));
  });
});
