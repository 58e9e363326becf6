import { ApiTokenService } from '../agents/api-tokens.js';
import type { Hasher } from '../security/hashing.js';
import { ApiTokenStore } from '../storage/api-token-store.js';
import type { Storage } from '../storage/database.js';
import type { Clock } from '../time/clock.js';

/** Personal access tokens for the agent API (docs/api.md, "API tokens"). */
export function apiTokensFor(deps: { storage: Pick<Storage, 'db'>; hasher: Hasher; clock: Clock }): ApiTokenService {
  return new ApiTokenService({ store: new ApiTokenStore(deps.storage.db), hasher: deps.hasher, clock: deps.clock });
}
