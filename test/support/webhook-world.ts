import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { expect } from 'vitest';
import { RecordingBroadcaster } from '../../src/broadcasting/null-broadcaster.js';
import type { WebhookDeliveryDto, WebhookDto } from '../../src/chat/webhooks/webhook-service.js';
import type { WebhookWorkerOptions } from '../../src/chat/webhooks/webhook-worker.js';
import { createParley, type Parley } from '../../src/main.js';
import type { Storage } from '../../src/storage/database.js';
import { ManualClock } from '../../src/time/clock.js';
import { ManualTimers } from '../../src/time/timers.js';
import { ADMIN, testConfig, VISITOR_UA } from './harness.js';

let fingerprints = 0;
let clientIds = 0;

/** One Parley node over `storage` (kept open when the node closes), its time moved by hand. */
export class WebhookNode {
  private headers: Record<string, string> = {};

  private constructor(
    readonly parley: Parley,
    readonly timers: ManualTimers,
  ) {}

  static async start(storage: Storage, opts: { clock?: ManualClock; nodeId: string; env?: Record<string, string>; options?: Partial<WebhookWorkerOptions> }): Promise<WebhookNode> {
    const clock = opts.clock ?? new ManualClock(Date.now());
    const timers = new ManualTimers(clock);
    const kept: Storage = { ...storage, close: async () => undefined };
    const parley = await createParley(testConfig(opts.env ?? {}), pino({ level: 'silent' }), {
      clock,
      timers,
      storage: kept,
      broadcaster: new RecordingBroadcaster(),
      webhooks: { nodeId: opts.nodeId, ...(opts.options ? { options: opts.options } : {}) },
    });
    await parley.agents.ensureFirstAdmin(ADMIN.email, ADMIN.password);
    await parley.app.ready();
    const node = new WebhookNode(parley, timers);
    await node.login();
    return node;
  }

  /** Logs the admin in (again: a session ends after a day of moved time). */
  async login(): Promise<void> {
    const login = await this.request('POST', '/api/agent/login', { email: ADMIN.email, password: ADMIN.password }, null);
    const cookie = login.cookies.find((c) => c.name === 'parley_session');
    this.headers = { cookie: `parley_session=${cookie?.value}`, 'x-csrf-token': login.json<{ csrf_token: string }>().csrf_token };
  }

  get clock(): ManualClock {
    return this.timers.clock;
  }

  /** A request as the admin (`null`: nobody logged in). */
  request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, json?: unknown, headers: Record<string, string> | null = this.headers, bearer?: string): Promise<LightMyRequestResponse> {
    return this.parley.app.inject({
      method,
      url,
      remoteAddress: '203.0.113.10',
      headers: { 'user-agent': VISITOR_UA, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(headers ?? {}), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      ...(json !== undefined ? { payload: JSON.stringify(json) } : {}),
    });
  }

  async register(events: string[], url: string, includeNotes = false): Promise<WebhookDto> {
    const res = await this.request('POST', '/api/agent/webhooks', { url, events, include_notes: includeNotes });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ webhook: WebhookDto }>().webhook;
  }

  async deliveries(id: number): Promise<WebhookDeliveryDto[]> {
    const res = await this.request('GET', `/api/agent/webhooks/${id}/deliveries`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ deliveries: WebhookDeliveryDto[] }>().deliveries;
  }

  /** A visitor starts a conversation with a first message; answers its id and the visitor's token. */
  async startChat(message = 'Hello, I need help'): Promise<{ id: number; token: string }> {
    const res = await this.request('POST', '/api/chat/start', { message, client_message_id: `v-${++clientIds}`, fingerprint: `fp${String(++fingerprints).padStart(14, '0')}cafebabe`, name: 'Visitor' }, null);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ conversation: { id: number }; visitor_token: string }>();
    return { id: body.conversation.id, token: body.visitor_token };
  }

  async visitorSays(chat: { id: number; token: string }, body: string): Promise<void> {
    const res = await this.request('POST', `/api/chat/${chat.id}/messages`, { body, client_message_id: `v-${++clientIds}` }, null, chat.token);
    expect(res.statusCode, res.body).toBeLessThan(300);
  }

  /** Sends what is due now and waits for the run to end. */
  run(): Promise<unknown> {
    return this.parley.webhooks.worker.runOnce();
  }

  /** Moves time (firing the fetch timeouts and the worker's poll), then sends what is due. */
  async advance(ms: number): Promise<void> {
    this.timers.advance(ms);
    await this.run();
  }

  close(): Promise<void> {
    return this.parley.close();
  }
}
