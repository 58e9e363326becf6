import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../../time/clock.js';
import type { RealtimeServer } from '../server/realtime-server.js';
import { ApiError } from './api-error.js';
import { channelInfo, channelUsers, listChannels, type ChannelState } from './channel-handlers.js';
import { terminateConnections, triggerBatch, triggerEvent, type Publisher } from './event-handlers.js';
import { signatureHook, signedRequest } from './request-signature.js';
import { API_LIMITS } from './schemas.js';

/** What the Pusher HTTP API needs: the apps and the publisher, and the channel state to answer queries. */
export interface RealtimeApiDeps {
  server: Publisher & Pick<RealtimeServer, 'apps'>;
  bus: ChannelState;
  /** For the `auth_timestamp` window; the system clock unless a test sets one. */
  clock?: Clock;
}

type ChannelParams = { appId: string; channelName: string };

/**
 * The Pusher HTTP API under `/apps/{app_id}/…` for the embedded realtime server: an encapsulated
 * plugin with its own body parser (the raw body is signed through `body_md5`) and its own error
 * answers, `{"error": "message"}` with the status, instead of the chat API's error shape.
 */
export function realtimeRoutes(deps: RealtimeApiDeps): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    // Keep bodies as strings whatever their content type: the signature covers the exact bytes.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: API_LIMITS.bodyBytes }, (_request, body, done) => done(null, body));
    app.setErrorHandler(answerError);

    await app.register(
      async (api) => {
        api.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'No such endpoint of the Pusher HTTP API' }));
        const signed = { preHandler: signatureHook(deps.server.apps, deps.clock ?? systemClock) };

        api.post('/:appId/events', signed, (request) => triggerEvent(deps.server, deps.bus, signedRequest(request)));
        api.post('/:appId/batch_events', signed, (request) => triggerBatch(deps.server, deps.bus, signedRequest(request)));
        api.get('/:appId/channels', signed, (request) => listChannels(deps.bus, signedRequest(request)));
        api.get<{ Params: ChannelParams }>('/:appId/channels/:channelName', signed, (request) =>
          channelInfo(deps.bus, signedRequest(request), request.params.channelName),
        );
        api.get<{ Params: ChannelParams }>('/:appId/channels/:channelName/users', signed, (request) =>
          channelUsers(deps.bus, signedRequest(request), request.params.channelName),
        );
        api.post<{ Params: { appId: string; userId: string } }>('/:appId/users/:userId/terminate_connections', signed, (request) => {
          if (request.params.userId === '') throw new ApiError(400, 'user_id: must not be empty');
          return terminateConnections(deps.server, signedRequest(request), request.params.userId);
        });
      },
      { prefix: '/apps' },
    );
  };
}

/** Every refusal as `{"error": "message"}` with its status; anything unexpected is logged and answers 500. */
function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) return reply.code(error.status).send({ error: error.message });
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply.code(413).send({ error: `The request body is over ${API_LIMITS.bodyBytes} bytes` });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return reply.code(status).send({ error: error.message });
  request.log.error({ err: error, method: request.method, url: request.url.split('?')[0] }, 'Pusher HTTP API request failed');
  return reply.code(500).send({ error: 'Internal error; it has been logged' });
}
