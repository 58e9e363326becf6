import { fail, ok, type Result } from '../errors/error-codes.js';
import { randomToken, type Hasher } from '../security/hashing.js';
import type { ApiTokenListed, ApiTokenRow, ApiTokenStore } from '../storage/api-token-store.js';
import type { AgentRow } from '../storage/schema.js';
import type { Clock } from '../time/clock.js';

/** Every token starts with this, so secret scanners and the agent API recognise one. */
export const API_TOKEN_PREFIX = 'parley_pat_';
/** The hashing domain of API tokens: a token's hash never matches a session's or a fingerprint's. */
export const API_TOKEN = 'api-token';

export const API_TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** `last_used_at` is written at most once a minute per token. */
const USED_RESOLUTION_MS = 60_000;

/** An API token as the agent API answers it (docs/api.md, "API tokens"): never the token itself. */
export interface ApiTokenDto {
  id: number;
  name: string;
  scopes: ApiTokenScope[];
  agent: { id: number; name: string };
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

/** A request authenticated by a token: its owner and the widest scope it grants. */
export interface TokenAuth {
  agent: AgentRow;
  tokenId: number;
  scope: ApiTokenScope;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function parseScopes(stored: string): ApiTokenScope[] {
  return API_TOKEN_SCOPES.filter((s) => stored.split(',').includes(s));
}

export function toApiTokenDto(t: ApiTokenListed): ApiTokenDto {
  return {
    id: t.id,
    name: t.name,
    scopes: parseScopes(t.scopes),
    agent: { id: t.agent_id, name: t.agent_name },
    created_at: iso(t.created_at) as string,
    expires_at: iso(t.expires_at),
    last_used_at: iso(t.last_used_at),
  };
}

/** Personal access tokens: created by admins, shown once, stored as a keyed hash (docs/security.md). */
export class ApiTokenService {
  constructor(private readonly deps: { store: ApiTokenStore; hasher: Hasher; clock: Clock }) {}

  async create(owner: AgentRow, input: { name: string; scopes: ApiTokenScope[]; expires_at?: number | null | undefined }): Promise<Result<{ token: string; api_token: ApiTokenDto }>> {
    const now = this.deps.clock.now();
    const expiresAt = input.expires_at ?? null;
    if (expiresAt !== null && expiresAt <= now) return fail('validation_failed', 'The request is invalid: expires_at must be in the future.', { expires_at: 'must be in the future' });
    const token = API_TOKEN_PREFIX + randomToken(32);
    const row = await this.deps.store.create({
      agent_id: owner.id,
      name: input.name,
      token_hash: this.deps.hasher.hash(API_TOKEN, token),
      scopes: API_TOKEN_SCOPES.filter((s) => input.scopes.includes(s)).join(','),
      created_at: now,
      expires_at: expiresAt,
    });
    return ok({ token, api_token: toApiTokenDto(row) });
  }

  async list(): Promise<ApiTokenDto[]> {
    return (await this.deps.store.listActive()).map(toApiTokenDto);
  }

  async revoke(id: number): Promise<Result<true>> {
    return (await this.deps.store.revoke(id, this.deps.clock.now())) ? ok(true) : fail('not_found', 'API token not found.');
  }

  /**
   * The owner and scope of a presented token, or undefined when it is unknown, revoked, expired or
   * its owner is deactivated. Found by its hash, so comparing takes no time that depends on the secret.
   */
  async authenticate(token: string): Promise<TokenAuth | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return undefined;
    const now = this.deps.clock.now();
    const found = await this.deps.store.byHash(this.deps.hasher.hash(API_TOKEN, token));
    if (!found || !usable(found.token, now) || found.agent.deactivated_at !== null) return undefined;
    if (found.token.last_used_at === null || now - found.token.last_used_at >= USED_RESOLUTION_MS) await this.deps.store.touch(found.token.id, now);
    const scopes = parseScopes(found.token.scopes);
    const scope = scopes.includes('admin') ? 'admin' : scopes.includes('write') ? 'write' : 'read';
    return { agent: found.agent, tokenId: found.token.id, scope };
  }
}

function usable(token: ApiTokenRow, now: number): boolean {
  return token.revoked_at === null && (token.expires_at === null || token.expires_at > now);
}
