import type { ChatRealtime } from '../chat/chat-realtime.js';
import type { AgentDto } from '../chat/dto.js';
import { fail, ok, type Result } from '../errors/error-codes.js';
import type { Clock } from '../time/clock.js';
import { randomToken, safeEqual, type Hasher } from '../security/hashing.js';
import { isUniqueViolation } from '../storage/unique-violation.js';
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
    status: a.status,
    notify_email: a.notify_email === 1,
    notify_unanswered: a.notify_unanswered === 1,
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

/** An agent's email preferences; each left out keeps its value. */
export interface NotificationPrefs {
  notify_email?: boolean | undefined;
  notify_unanswered?: boolean | undefined;
}

export interface AuthenticatedAgent {
  agent: AgentRow;
  csrfToken: string;
}

const SESSION = 'agent-session';
const CSRF = 'csrf';
const CONNECTION_TAG = 'agent-connection';
/** `last_seen_at` is written at most once a minute per agent. */
const SEEN_RESOLUTION_MS = 60_000;

/** Agent accounts, password login and cookie sessions with their CSRF tokens. */
export class AgentService {
  constructor(
    private readonly deps: {
      agents: AgentStore;
      hasher: Hasher;
      clock: Clock;
      /** Idle lifetime: a session unused this long ends; one used in its second half is extended. */
      sessionLifetimeMs: number;
      /** Absolute lifetime: no session outlives its login by more than this, however much it is used. */
      sessionAbsoluteLifetimeMs?: number;
      /**
       * The realtime service: told which agent and session authorised each connection, so that
       * when sessions end (deactivated, password changed or reset, log out everywhere) the
       * connections they authorised end too, but those of a kept session (named by `sessionTag`).
       */
      realtime?: Pick<ChatRealtime, 'connectionAuthorised' | 'endAgentConnections'>;
    },
  ) {}

  private get absoluteLifetimeMs(): number {
    return this.deps.sessionAbsoluteLifetimeMs ?? Number.POSITIVE_INFINITY;
  }

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
      expires_at: now + Math.min(sessionLifetimeMs, this.absoluteLifetimeMs),
      ip: ctx.ip,
      user_agent: ctx.userAgent,
    });
    const seen = (await agents.update(agent.id, { last_seen_at: now })) ?? agent;
    return ok({ agent: seen, sessionToken, csrfToken: this.csrfFor(sessionToken) });
  }

  /**
   * The agent behind a session cookie. Sliding expiry: a session used in its second half is
   * extended, but never past its absolute lifetime from login.
   */
  async authenticate(sessionToken: string): Promise<AuthenticatedAgent | undefined> {
    const { agents, hasher, clock, sessionLifetimeMs } = this.deps;
    const now = clock.now();
    const tokenHash = hasher.hash(SESSION, sessionToken);
    const found = await agents.sessionAgent(tokenHash, now);
    if (!found) return undefined;
    const extended = Math.min(now + sessionLifetimeMs, found.startedAt + this.absoluteLifetimeMs);
    if (found.expiresAt - now < sessionLifetimeMs / 2 && extended > found.expiresAt) await agents.extendSession(tokenHash, extended);
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

  /** Names a session in realtime tags without revealing its token or its stored hash. */
  sessionTag(sessionToken: string): string {
    return this.deps.hasher.hash(CONNECTION_TAG, sessionToken).slice(0, 32);
  }

  /** "Log out everywhere": ends every session of the agent, this one included, and the connections they authorised. */
  async logoutEverywhere(agentId: number): Promise<void> {
    await this.endSessions(agentId);
  }

  /** Ends an agent's sessions, but `keepToken`'s, and the realtime connections the ended ones authorised. */
  private async endSessions(agentId: number, keepToken?: string): Promise<void> {
    await this.deps.agents.deleteSessionsOf(agentId, keepToken === undefined ? undefined : this.deps.hasher.hash(SESSION, keepToken));
    this.deps.realtime?.endAgentConnections(agentId, keepToken === undefined ? undefined : this.sessionTag(keepToken));
  }

  /**
   * An agent changes their own password: the current one must be right. Every other session ends
   * with the connections it authorised; `sessionToken`'s session and its dashboard stay.
   */
  async changeOwnPassword(agentId: number, sessionToken: string, currentPassword: string, password: string): Promise<Result<AgentRow>> {
    const { agents } = this.deps;
    const agent = await agents.get(agentId);
    if (!agent || !(await verifyPassword(agent.password_hash, currentPassword))) {
      return fail('validation_failed', 'The current password is wrong.', { current_password: 'is wrong' });
    }
    const row = await agents.update(agentId, { password_hash: await hashPassword(password) });
    await this.endSessions(agentId, sessionToken);
    return row ? ok(row) : fail('not_found', 'Agent not found.');
  }

  /**
   * Called by channel and user authorisation before answering an agent: tags `socketId` with the
   * agent and session, then checks the session again. A deactivation or reset that ran in between
   * either sees the tag (its termination follows the tag on the bus) or fails this check, so no
   * signature outlives the session that asked for it.
   */
  async authoriseConnection(sessionToken: string, agentId: number, socketId: string): Promise<boolean> {
    const { agents, hasher, clock } = this.deps;
    await this.deps.realtime?.connectionAuthorised(socketId, agentId, this.sessionTag(sessionToken));
    const found = await agents.sessionAgent(hasher.hash(SESSION, sessionToken), clock.now());
    return found?.agent.id === agentId;
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
    const { agents, clock } = this.deps;
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
      // Someone resetting their own password keeps this session, and the dashboard it drives.
      await this.endSessions(id, actor.id === id ? currentSession : undefined);
    }
    return row ? ok(row) : fail('not_found', 'Agent not found.');
  }

  /**
   * The agent's own email preferences (`PATCH /api/agent/me`, docs/email.md, "What is sent when"):
   * new conversations and conversations left unanswered. Only the given ones change, in one update.
   */
  async setNotifications(agent: AgentRow, prefs: NotificationPrefs): Promise<AgentRow> {
    const changes: { notify_email?: number; notify_unanswered?: number } = {};
    for (const key of ['notify_email', 'notify_unanswered'] as const) {
      const wanted = prefs[key];
      if (wanted !== undefined && (wanted ? 1 : 0) !== agent[key]) changes[key] = wanted ? 1 : 0;
    }
    if (Object.keys(changes).length === 0) return agent;
    return (await this.deps.agents.update(agent.id, changes)) ?? { ...agent, ...changes };
  }

  /** Active agents for the team roster every agent sees (`GET /api/agent/team`). */
  async team(): Promise<AgentRow[]> {
    return (await this.deps.agents.list()).filter((a) => a.deactivated_at === null);
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
