/**
 * Pusher protocol error and close codes (protocol v7). A closed set: `docs/errors.md` lists each,
 * and a test keeps the two equal. pusher-js reads the range: 4000–4099 do not reconnect,
 * 4100–4199 reconnect with back-off, 4200–4299 reconnect at once, 4300+ are errors that do not
 * close the connection (sent as `pusher:error`).
 */
export const PUSHER_CLOSE_CODES = {
  APP_NOT_FOUND: 4001,
  APP_DISABLED: 4003,
  OVER_CONNECTION_QUOTA: 4004,
  PATH_NOT_FOUND: 4005,
  INVALID_VERSION: 4006,
  UNSUPPORTED_PROTOCOL: 4007,
  NO_PROTOCOL_VERSION: 4008,
  UNAUTHORIZED: 4009,
  OVER_CAPACITY: 4100,
  FRAME_RATE_EXCEEDED: 4101,
  TOO_MANY_CONNECTIONS_FROM_IP: 4102,
  FRAME_QUEUE_FULL: 4103,
  RECONNECT: 4200,
  PONG_NOT_RECEIVED: 4201,
  INACTIVITY: 4202,
} as const;

/** The 4300+ codes: refusals of one frame that leave the connection open. */
export const PUSHER_ERROR_CODES = {
  INVALID_MESSAGE: 4300,
  CLIENT_EVENT_RATE_LIMITED: 4301,
  CLIENT_EVENT_REJECTED: 4302,
  SUBSCRIPTION_REJECTED: 4303,
  MESSAGE_TOO_LARGE: 4304,
  TOO_MANY_CHANNELS: 4305,
} as const;

/** Every Pusher code, the one registry the server names codes by. */
export const PUSHER_CODES = { ...PUSHER_CLOSE_CODES, ...PUSHER_ERROR_CODES } as const;

export type PusherCodeName = keyof typeof PUSHER_CODES;
/** A code a `pusher:error` frame may carry. */
export type PusherCode = (typeof PUSHER_CODES)[PusherCodeName];
/** A code the server may close a connection with (4000–4299): pusher-js decides from it whether to reconnect. */
export type CloseCode = (typeof PUSHER_CLOSE_CODES)[keyof typeof PUSHER_CLOSE_CODES];

/**
 * Close codes the WebSocket layer itself sends (RFC 6455), outside the Pusher set: the frame never
 * reaches the protocol code. `docs/errors.md` lists them too.
 */
export const WEBSOCKET_CLOSE_CODES = {
  /** A frame that breaks RFC 6455 (unknown opcode, reserved bits, an unmasked client frame). */
  PROTOCOL_ERROR: 1002,
  /** A text frame that is not valid UTF-8. */
  INVALID_PAYLOAD: 1007,
  /** A frame larger than the app's `max_message_size`, cut off before it is buffered. */
  MESSAGE_TOO_BIG: 1009,
} as const;
