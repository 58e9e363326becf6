/**
 * Pusher protocol error and close codes (protocol v7). A closed set: `docs/errors.md` lists each,
 * and a test keeps the two equal. pusher-js reads the range: 4000–4099 do not reconnect,
 * 4100–4199 reconnect with back-off, 4200–4299 reconnect at once, 4300+ are errors that do not
 * close the connection (sent as `pusher:error`).
 */
export const PUSHER_CODES = {
  APP_NOT_FOUND: 4001,
  APP_DISABLED: 4003,
  OVER_CONNECTION_QUOTA: 4004,
  PATH_NOT_FOUND: 4005,
  INVALID_VERSION: 4006,
  UNSUPPORTED_PROTOCOL: 4007,
  NO_PROTOCOL_VERSION: 4008,
  UNAUTHORIZED: 4009,
  OVER_CAPACITY: 4100,
  RECONNECT: 4200,
  PONG_NOT_RECEIVED: 4201,
  INACTIVITY: 4202,
  INVALID_MESSAGE: 4300,
  CLIENT_EVENT_RATE_LIMITED: 4301,
  CLIENT_EVENT_REJECTED: 4302,
  SUBSCRIPTION_REJECTED: 4303,
  MESSAGE_TOO_LARGE: 4304,
} as const;

export type PusherCodeName = keyof typeof PUSHER_CODES;
export type PusherCode = (typeof PUSHER_CODES)[PusherCodeName];
