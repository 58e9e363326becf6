import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgentService } from '../../agents/agent-service.js';
import { agentUserData, grantChannel, type AgentIdentity } from '../../chat/channel-access.js';
import type { ChannelSigning } from '../../chat/chat-realtime.js';
import { parseChatChannel } from '../../chat/realtime-contract.js';
import type { ChatService } from '../../chat/chat-service.js';
import type { Rate } from '../../config/rate.js';
import { channelAuth, userAuth } from '../../realtime/protocol/signatures.js';
import { sendFailure } from '../../errors/http-failure.js';
import { perIpLimit } from '../per-ip-limit.js';
import { validate } from '../validation.js';
import { identityHeader, type IdentityKey } from '../visitor-identity.js';
import { SESSION_COOKIE } from './agent-routes.js';
import { bearer } from './chat-routes.js';

export interface BroadcastingAuthDeps {
  chat: ChatService;
  agents: AgentService;
  /** The key and secret of the app browsers connect to. */
  signing: ChannelSigning;
  /** Per client IP (IPv6 per /64), for each of the two routes: `BROADCAST_RATE_LIMIT_AUTH`. */
  rate: Rate;
  /** A verified visitor's conversation needs their `X-Parley-Identity` too (docs/identity.md). */
  identity: IdentityKey;
}

const socketId = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .regex(/^\d{1,20}\.\d{1,20}$/, 'must be a Pusher socket id like 1234.5678');
const channelAuthBody = z.object({
  socket_id: socketId,
  channel_name: z
    .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'must not be blank')
    .max(200, 'must be at most 200 characters'),
});
const userAuthBody = z.object({ socket_id: socketId });

const FORBIDDEN = 'forbidden';

/**
 * `POST /broadcasting/auth` and `POST /broadcasting/user-auth`: Pusher/Echo channel and user
 * authorisation, form-encoded (pusher-js) or JSON. Visitors prove a conversation with their bearer
 * token, agents with their session cookie.
 *
 * No CSRF token here: these routes change no state (beyond the session's sliding expiry), and an
 * answer is only worth something to the connection that owns `socket_id`. The agent cookie is
 * SameSite=Lax (not sent on cross-site POSTs) and CORS never allows credentials, so another site
 * can neither use an agent's session nor read the answer.
 */
export async function broadcastingAuthRoutes(app: FastifyInstance, deps: BroadcastingAuthDeps): Promise<void> {
  const { chat, agents, signing } = deps;

  // pusher-js posts `socket_id=…&channel_name=…`; repeated fields keep their first value.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const fields: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(body as string)) fields[name] ??= value;
    done(null, fields);
  });

  /** The agent behind the session cookie, if any. */
  const agentOf = async (request: FastifyRequest): Promise<AgentIdentity | undefined> => {
    const token = request.cookies[SESSION_COOKIE];
    const auth = token === undefined ? undefined : await agents.authenticate(token);
    return auth ? { id: auth.agent.id, name: auth.agent.name, role: auth.agent.role } : undefined;
  };

  /** Tags `socketId` with the agent's session (deactivation and resets close it) and checks the session still stands. */
  const agentConfirmed = async (request: FastifyRequest, agent: AgentIdentity, socketId: string): Promise<boolean> => {
    const token = request.cookies[SESSION_COOKIE];
    return token !== undefined && (await agents.authoriseConnection(token, agent.id, socketId));
  };
  const SESSION_ENDED = 'Your agent session has ended: log in again.';

  const refuse = (reply: FastifyReply, message: string) => sendFailure(reply.header('cache-control', 'no-store'), { code: FORBIDDEN, message });

  app.post('/broadcasting/auth', { config: perIpLimit('broadcast-auth', deps.rate) }, async (request, reply) => {
    const input = validate(channelAuthBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const { socket_id, channel_name } = input.value;
    const channel = parseChatChannel(channel_name);
    const agent = await agentOf(request);
    const token = bearer(request);
    const visitorConversationId =
      !agent && channel?.kind === 'conversation' && token !== undefined && (await chat.authorize(channel.conversationId, token, await identityHeader(request, deps.identity)))
        ? channel.conversationId
        : undefined;

    const grant = grantChannel(channel, { agent, visitorConversationId }, { signSender: signing.signsSender });
    if (!grant.ok) return refuse(reply, grant.reason);
    if (agent && !(await agentConfirmed(request, agent, socket_id))) return refuse(reply, SESSION_ENDED);
    reply.header('cache-control', 'no-store');
    if (grant.channelData === undefined) return { auth: channelAuth(signing.key, signing.secret, socket_id, channel_name) };
    return { auth: channelAuth(signing.key, signing.secret, socket_id, channel_name, grant.channelData), channel_data: grant.channelData };
  });

  app.post('/broadcasting/user-auth', { config: perIpLimit('broadcast-user-auth', deps.rate) }, async (request, reply) => {
    const input = validate(userAuthBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const agent = await agentOf(request);
    if (!agent) return refuse(reply, 'Only agents sign in to the realtime server: log in first.');
    if (!(await agentConfirmed(request, agent, input.value.socket_id))) return refuse(reply, SESSION_ENDED);
    const userData = agentUserData(agent);
    reply.header('cache-control', 'no-store');
    return { auth: userAuth(signing.key, signing.secret, input.value.socket_id, userData), user_data: userData };
  });
}
