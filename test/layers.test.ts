import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rules of docs/architecture.md ("Layers"), as `npm run lint` enforces them.

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['src/chat/example.ts', "export { buildApp } from '../http/app.js';", 'src/chat may import only src/storage, src/errors, src/security, src/time'],
    ['src/realtime/server/example.ts', "export type { ChatRealtime } from '../../chat/chat-realtime.js';", 'src/realtime may import only'],
    ['src/scaling/example.ts', "export { RealtimeServer } from '../realtime/server/realtime-server.js';", 'src/scaling may import only src/time'],
    ['src/storage/example.ts', "export { ChatService } from '../chat/chat-service.js';", 'src/storage may import only'],
    ['src/http/example.ts', "export { createParley } from '../main.js';", 'src/http may import only'],
    ['src/broadcasting/example.ts', "export { chatRealtimeFor } from '../compose/chat-realtime-for.js';", 'src/broadcasting may import only'],
    ['web/dashboard/example.ts', "export { viewMessages } from '../widget/app/view-messages.js';", 'web/dashboard must not import another browser app'],
    ['web/shared/example.ts', "export { Outbox } from '../../src/chat/dto.js';", 'Browser code imports server modules type-only'],
  ])('refuses a wrong-way import in %s', async (file, code, message) => {
    expect(await restrictedImports(file, code)).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['src/http/example.ts', "export { ChatService } from '../chat/chat-service.js';"],
    ['src/broadcasting/example.ts', "export { RealtimeServer } from '../realtime/server/realtime-server.js';"],
    ['src/compose/example.ts', "export { buildApp } from '../http/app.js';"],
    ['web/widget/app/example.ts', "export type { MessageDto } from '../../../src/chat/dto.js';\nexport { splitLinks } from '../../shared/links.js';"],
  ])('allows the imports its layer may make in %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});
