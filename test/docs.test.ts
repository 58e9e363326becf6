import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../src/config/env-schema.js';
import { CHANNEL_DOC_NAMES, CHAT_EVENTS } from '../src/chat/realtime-contract.js';
import { ERROR_CODES } from '../src/errors/error-codes.js';
import { PUSHER_CODES, WEBSOCKET_CLOSE_CODES } from '../src/realtime/protocol/codes.js';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** Markdown table rows whose first cell is one backticked name: `[name, other cells…]`. */
function backtickedRows(markdown: string): { name: string; cells: string[] }[] {
  const rows: { name: string; cells: string[] }[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.trimStart().startsWith('|')) continue;
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    const match = /^`([^`]+)`$/.exec(cells[0] ?? '');
    if (match?.[1] !== undefined) rows.push({ name: match[1], cells: cells.slice(1) });
  }
  return rows;
}

const PUSHER_HEADING = '## Pusher protocol codes';
const httpErrors = (): string => read('docs/errors.md').split(PUSHER_HEADING)[0] as string;
const WEBSOCKET_HEADING = '## WebSocket close codes';
const pusherCodes = (): string => (read('docs/errors.md').split(PUSHER_HEADING)[1] ?? '').split(WEBSOCKET_HEADING)[0] as string;
const websocketCodes = (): string => read('docs/errors.md').split(WEBSOCKET_HEADING)[1] ?? '';

describe('documentation', () => {
  it('docs/errors.md lists every error code the API can answer, with its status', () => {
    const rows = backtickedRows(httpErrors());
    const documented = rows.map((row) => row.name);

    expect(new Set(documented)).toEqual(new Set(Object.keys(ERROR_CODES)));
    expect(documented).toHaveLength(new Set(documented).size);
    for (const row of rows) {
      expect({ code: row.name, status: Number(row.cells[0]) }).toEqual({
        code: row.name,
        status: ERROR_CODES[row.name as keyof typeof ERROR_CODES],
      });
    }
  });

  it('docs/realtime.md lists every chat event on every channel the realtime contract sends it on', () => {
    const section = (read('docs/realtime.md').split('## Chat channels and events')[1] ?? '').split('\n## ')[0] as string;
    const documented = backtickedRows(section).map((row) => `${row.name} on ${row.cells[0]}`);
    const contract = Object.entries(CHAT_EVENTS).flatMap(([kind, events]) =>
      events.map((event) => `${event} on \`${CHANNEL_DOC_NAMES[kind as keyof typeof CHAT_EVENTS]}\``),
    );

    expect(documented.sort()).toEqual(contract.sort());
  });

  it('docs/errors.md lists every Pusher protocol code the realtime server sends, with its name', () => {
    const rows = backtickedRows(pusherCodes());
    expect(rows.map((row) => Number(row.name)).sort()).toEqual(Object.values(PUSHER_CODES).sort());
    for (const row of rows) {
      expect(row.cells[0]).toBe(`\`${Object.entries(PUSHER_CODES).find(([, code]) => code === Number(row.name))?.[0]}\``);
    }
  });

  it('docs/errors.md lists every WebSocket close code the transport sends, with its name', () => {
    const rows = backtickedRows(websocketCodes());
    expect(rows.map((row) => Number(row.name)).sort()).toEqual(Object.values(WEBSOCKET_CLOSE_CODES).sort());
    for (const row of rows) {
      expect(row.cells[0]).toBe(`\`${Object.entries(WEBSOCKET_CLOSE_CODES).find(([, code]) => code === Number(row.name))?.[0]}\``);
    }
  });

  it('docs/configuration.md documents every environment variable Parley reads, and no others', () => {
    const documented = backtickedRows(read('docs/configuration.md')).map((row) => row.name);
    const known = Object.keys(envSchema.shape);

    expect(documented.filter((name) => !known.includes(name))).toEqual([]);
    expect(known.filter((name) => !documented.includes(name))).toEqual([]);
    expect(documented).toHaveLength(new Set(documented).size);
  });

  it('README.md gives the quick-start commands `npm install && npm start` and `npm test`', () => {
    const lines = read('README.md')
      .split('\n')
      .map((line) => line.trim());

    expect(lines).toContain('npm install && npm start');
    expect(lines).toContain('npm test');
  });
});
