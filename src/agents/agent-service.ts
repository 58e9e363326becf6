import type { AgentDto } from '../chat/dto.js';
import { fail, ok, type Result } from '../errors/error-codes.js';
import type { Clock } from '../chat/clock.js';
import { randomToken, safeEqual, type Hasher } from '../security/hashing.js';
import { isUniqueViolation } from '../storage/conversation-store.js';
import type { AgentStore } from '../storage/agent-store.js';
import type { AgentRow } from '../storage/schema.js';
import { hashPassword, verifyPassword } from './passwords.js';

export type { AgentDto };

export function toAgentDto(a: AgentRow): AgentDto {
  return {
    id: a.id,
    email: a.email,
    name: a.name,
    role: a.role,
    active: a.deactivated_at === null,
    created_at: new Date(a.created_at).toISOString(),
    last_seen_at: a.last_seen_at === null ? null : new Date(a.last_seen_at).toISOString(),
  };
}

export interface NewAgent {
  email: string;
  name: string;
  password: string;
  role: 'admin' | 'agent';
}

export interface AgentPatch {
  name?: string | undefined;
  role?: 'admin' | 'agent' | undefined;
  password?: string | undefined;
  active?: boolean | undefined;
}

export interface AuthenticatedAgent {
  agent: AgentRow;
  csrfToken: string;
}

const SESSION = 'agent-session';
const CSRF = 'csrf';
/** `last_seen_at` is written at most once a minute per agent. */
const SEEN_RESOLUTION_MS = 60_000;

/** Agent accounts, password login and cookie sessions with their CSRF tokens. */
export class AgentService {
  constructor(
    private readonly deps: {
      agents: AgentStore;
      hasher: Hasher;
      clock: Clock;
      sessionLifetimeMs: number;
      /** Called when an agent's other sessions were ended (deactivated, password reset): their live connections must end too. */
      sessionsEnded?: (agentId: number) => void;
    },
  ) {}

  async login(email: string, password: string, ctx: { ip: string; userAgent: string }): Promise<Result<AuthenticatedAgent & { sessionToken: string }>> {
    const { agents, hasher, clock, sessionLifetimeMs } = this.deps;
    const agent = await agents.byEmail(email);
    const valid = await verifyPassword(agent?.password_hash, password);
    if (!agent || !valid || agent.deactivated_at !== null) return fail('invalid_credentials', 'The email or password is wrong.');
    const now = clock.now();
    const sessionToken = randomToken();
    await agents.createSession({
      token_hash: hasher.hash(SESSION, sessionToken),
      agent_id: agent.id,
      created_at: now,
      expires_at: now + sessionLifetimeMs,
      ip: ctx.ip,
      user_agent: ctx.userAgent,
    });
    const seen = (await agents.update(agent.id, { last_seen_at: now })) ?? agent;
    return ok({ agent: seen, sessionToken, csrfToken: this.csrfFor(sessionToken) });
  }

  /** The agent behind a session cookie; sliding expiry: a session used in its second half is extended. */
  async authenticate(sessionToken: string): Promise<AuthenticatedAgent | undefined> {
    const { agents, hasher, clock, sessionLifetimeMs } = this.deps;
    const now = clock.now();
    const tokenHash = hasher.hash(SESSION, sessionToken);
    const found = await agents.sessionAgent(tokenHash, now);
    if (!found) return undefined;
    if (found.expiresAt - now < sessionLifetimeMs / 2) await agents.extendSession(tokenHash, now + sessionLifetimeMs);
    if (found.agent.last_seen_at === null || now - found.agent.last_seen_at > SEEN_RESOLUTION_MS) {
      await agents.update(found.agent.id, { last_seen_at: now });
    }
    return { agent: found.agent, csrfToken: this.csrfFor(sessionToken) };
  }

  /** The CSRF token is derived from the session, so nothing more is stored and logout voids it. */
  csrfFor(sessionToken: string): string {
    return this.deps.hasher.hash(CSRF, sessionToken);
  }

  checkCsrf(sessionToken: string, header: string | undefined): boolean {
    return header !== undefined && safeEqual(this.csrfFor(sessionToken), header);
  }

  async logout(sessionToken: string): Promise<void> {
    await this.deps.agents.deleteSession(this.deps.hasher.hash(SESSION, sessionToken));
  }

  async create(input: NewAgent): Promise<Result<AgentRow>> {
    try {
      const row = await this.deps.agents.create({
        email: input.email.toLowerCase(),
        name: input.name,
        password_hash: await hashPassword(input.password),
        role: input.role,
        created_at: this.deps.clock.now(),
        last_seen_at: null,
        deactivated_at: null,
      });
      return ok(row);
    } catch (error) {
      if (isUniqueViolation(error)) return fail('email_taken', 'An agent with this email already exists.', { email: 'is already taken' });
      throw error;
    }
  }

  /**
   * Admin changes: rename, change role, reset password or (de)activate. A password reset or a
   * deactivation ends the agent's sessions, except `currentSession` when admins change their own password.
   */
  async update(actor: AgentRow, id: number, patch: AgentPatch, currentSession?: string): Promise<Result<AgentRow>> {
    const { agents, clock, hasher } = this.deps;
    const target = await agents.get(id);
    if (!target) return fail('not_found', 'Agent not found.');
    if (actor.id === id && (patch.active === false || patch.role === 'agent')) {
      return fail('validation_failed', 'You cannot deactivate or demote yourself.', patch.active === false ? { active: 'cannot deactivate yourself' } : { role: 'cannot demote yourself' });
    }
    const changes = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
      ...(patch.active !== undefined ? { deactivated_at: patch.active ? null : (target.deactivated_at ?? clock.now()) } : {}),
    };
    // An empty PATCH is a no-op, not an UPDATE without a SET clause.
    if (Object.keys(changes).length === 0) return ok(target);
    const row = await agents.update(id, changes);
    if (patch.password !== undefined || patch.active === false) {
      const keep = actor.id === id && currentSession !== undefined ? hasher.hash(SESSION, currentSession) : undefined;
      await agents.deleteSessionsOf(id, keep);
      // Someone resetting their own password keeps this session, and the dashboard it drives.
      if (keep === undefined) this.deps.sessionsEnded?.(id);
    }
    return row ? ok(row) : fail('not_found', 'Agent not found.');
  }

  async list(): Promise<AgentRow[]> {
    return this.deps.agents.list();
  }

  async isActive(id: number): Promise<boolean> {
    const agent = await this.deps.agents.get(id);
    return agent !== undefined && agent.deactivated_at === null;
  }

  /**
   * On an empty agents table, creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD, or with a
   * generated password that the caller prints once. Answers nothing when agents already exist.
   */
  async ensureFirstAdmin(email: string | undefined, password: string | undefined): Promise<{ email: string; password: string | undefined } | undefined> {
    if ((await this.deps.agents.count()) > 0) return undefined;
    const chosenEmail = (email ?? 'admin@parley.local').toLowerCase();
    const generated = password === undefined ? randomToken(12) : undefined;
    const created = await this.create({ email: chosenEmail, name: 'Admin', password: password ?? (generated as string), role: 'admin' });
    if (!created.ok) return undefined;
    return { email: chosenEmail, password: generated };
  }
}
