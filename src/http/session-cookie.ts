/** The agent's session cookie (docs/security.md): HttpOnly, SameSite=Lax, Secure under https. */
export const SESSION_COOKIE = 'parley_session';
