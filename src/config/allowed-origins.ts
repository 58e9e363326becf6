import type { Problems } from './config-error.js';

/** `CHAT_ALLOWED_ORIGINS`: `*`, or the bare origins of the sites that embed the widget. */
export function parseOrigins(value: string, problems: Problems): '*' | string[] {
  if (value.trim() === '*') return '*';
  const origins: string[] = [];
  const bad: string[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const origin = originOf(item);
    if (origin === undefined) bad.push(item);
    else origins.push(origin);
  }
  if (bad.length > 0) problems.add('CHAT_ALLOWED_ORIGINS', `must be * or origins like https://shop.example (bad: ${bad.join(', ')})`);
  return origins;
}

function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    return (url.protocol === 'http:' || url.protocol === 'https:') && bare ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
