/** Shortest `REVERB_APP_SECRET` accepted outside `NODE_ENV=development`: it signs every HTTP API call and private channel. */
export const MIN_SECRET_LENGTH = 32;

/** `APP_KEY` in Laravel's `base64:` form, or a long string used as it is. */
export function decodeAppKey(value: string): Buffer {
  return value.startsWith('base64:') ? Buffer.from(value.slice(7), 'base64') : Buffer.from(value, 'utf8');
}
