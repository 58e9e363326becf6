import type { FastifyInstance } from 'fastify';
import type { ChatSettings } from '../../chat/chat-settings.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { settingsPatchBody } from '../settings-schema.js';
import { validate } from '../validation.js';

export interface SettingsRouteDeps {
  settings: ChatSettings;
}

/**
 * `GET`/`PATCH /api/agent/settings` (docs/api.md, "Chat settings"): every agent reads them (the
 * dashboard shows the hours), admins change them. Registered inside the agent API's session and
 * CSRF checks, which set `request.agentAuth`.
 */
export async function settingsRoutes(app: FastifyInstance, deps: SettingsRouteDeps): Promise<void> {
  app.get('/api/agent/settings', async () => ({ settings: await deps.settings.get() }));

  app.patch('/api/agent/settings', async (request, reply) => {
    if (request.agentAuth?.agent.role !== 'admin') throw new HttpFailure('forbidden', 'Only admins can change the chat settings.');
    const input = validate(settingsPatchBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const patch = Object.fromEntries(Object.entries(input.value).filter(([, value]) => value !== undefined));
    return { settings: await deps.settings.update(patch) };
  });
}
