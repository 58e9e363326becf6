import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageDto } from '../src/chat/dto.js';
import { buildRealtimeApp } from '../src/compose/realtime-app.js';
import { realtimeNodeFor } from '../src/compose/realtime-node-for.js';
import { startHarness, TEST_SECRETS, testConfig, type Harness } from './support/harness.js';
import { PusherClients } from './support/pusher-clients.js';

let fingerprints = 0;
const newFingerprint = (): string => `fp${String(++fingerprints).padStart(14, '0')}0ddba11`;

/** The two ways Parley publishes to a realtime server it does not run: the seed's "external Reverb" and "Pusher". */
const DRIVERS: [string, (port: number) => Record<string, string>, 'reverb' | 'pusher'][] = [
  [
    'BROADCAST_DRIVER=reverb with REVERB_SERVER=external',
    (port) => ({ BROADCAST_DRIVER: 'reverb', REVERB_SERVER: 'external', REVERB_HOST: '127.0.0.1', REVERB_PORT: String(port), REVERB_SCHEME: 'http' }),
    'reverb',
  ],
  [
    'BROADCAST_DRIVER=pusher with PUSHER_HOST',
    (port) => ({
      BROADCAST_DRIVER: 'pusher',
      PUSHER_APP_ID: TEST_SECRETS.REVERB_APP_ID,
      PUSHER_APP_KEY: TEST_SECRETS.REVERB_APP_KEY,
      PUSHER_APP_SECRET: TEST_SECRETS.REVERB_APP_SECRET,
      PUSHER_HOST: '127.0.0.1',
      PUSHER_PORT: String(port),
      PUSHER_SCHEME: 'http',
    }),
    'pusher',
  ],
];

/**
 * A standalone realtime node (what `parley realtime:start` runs) and a Parley that publishes to
 * it over the Pusher HTTP API with the `pusher` server SDK, as a Laravel app would.
 */
describe.each(DRIVERS)('%s', (_name, driverEnv, broadcaster) => {
  let realtime: FastifyInstance;
  let realtimePort: number;
  let h: Harness;
  let parleyPort: number;
  let clients: PusherClients;

  beforeEach(async () => {
    const logger = pino({ level: 'silent' });
    realtime = await buildRealtimeApp(realtimeNodeFor(testConfig(), logger), logger);
    await realtime.listen({ port: 0, host: '127.0.0.1' });
    realtimePort = (realtime.server.address() as AddressInfo).port;
    clients = new PusherClients({ port: realtimePort, key: TEST_SECRETS.REVERB_APP_KEY });

    h = await startHarness('sqlite', driverEnv(realtimePort), { broadcast: 'configured' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    parleyPort = (h.app.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    clients?.closeAll();
    await h?.close();
    await realtime?.close();
  });

  const startChat = async (): Promise<{ id: number; token: string }> => {
    const res = await h.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: newFingerprint() } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ conversation: { id: number }; visitor_token: string }>();
    return { id: body.conversation.id, token: body.visitor_token };
  };

  const send = (chat: { id: number; token: string }, body: string) =>
    h.request({ method: 'POST', url: `/api/chat/${chat.id}/messages`, json: { body }, headers: { authorization: `Bearer ${chat.token}` } });

  it('delivers MessageSent to a pusher-js client of the external server, authorised by Parley', async () => {
    const chat = await startChat();
    const visitor = await clients.connect({
      channelAuthorization: { endpoint: `http://127.0.0.1:${parleyPort}/broadcasting/auth`, transport: 'ajax', headers: { Authorization: `Bearer ${chat.token}` } },
    });
    const channel = `private-conversation.${chat.id}`;
    await visitor.subscribe(channel);

    const delivered = visitor.nextEvent<{ message: MessageDto }>(channel, 'MessageSent');
    const res = await send(chat, 'Over the HTTP API');
    expect(res.statusCode, res.body).toBe(201);
    expect((await delivered).message).toMatchObject({ conversation_id: chat.id, sender: 'visitor', body: 'Over the HTTP API' });
  });

  it('tells the widget to connect to the external server', async () => {
    const config = (await h.request({ method: 'GET', url: '/api/chat/config' })).json<Record<string, unknown>>();
    expect(config).toMatchObject({ broadcaster, key: TEST_SECRETS.REVERB_APP_KEY, wsHost: '127.0.0.1', wsPort: realtimePort, wssPort: realtimePort, forceTLS: false });
  });

  it('serves neither WebSockets nor the Pusher HTTP API itself', async () => {
    expect((await h.request({ method: 'GET', url: `/apps/${TEST_SECRETS.REVERB_APP_ID}/channels` })).statusCode).toBe(404);
  });

  it('still stores and answers messages while the external server is down; clients catch up by polling', async () => {
    const chat = await startChat();
    await realtime.close();
    const res = await send(chat, 'Nobody is listening');
    expect(res.statusCode, res.body).toBe(201);
    const polled = await h.request({ method: 'GET', url: `/api/chat/${chat.id}/messages?after=0`, headers: { authorization: `Bearer ${chat.token}` } });
    expect(polled.json<{ messages: MessageDto[] }>().messages.map((m) => m.body)).toEqual(['Nobody is listening']);
  });
});
