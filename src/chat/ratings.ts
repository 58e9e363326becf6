import { fail, ok, type Result } from '../errors/error-codes.js';
import type { RatingStore } from '../storage/rating-store.js';
import type { Clock } from '../time/clock.js';
import type { VisitorAccess } from './chat-service.js';
import type { RatingDto } from './dto.js';
import type { ChatEvent } from './events.js';
import { ratingReport, reportSince, type RatingReport } from './rating-report.js';
import type { Views } from './views.js';

/** Visitors' satisfaction ratings (docs/api.md, "Ratings"): once per closed conversation; agents see them and a weekly report. */
export class RatingService {
  constructor(
    private readonly deps: {
      ratings: RatingStore;
      views: Views;
      publish: (event: ChatEvent) => Promise<void>;
      clock: Clock;
    },
  ) {}

  /** The visitor rates their closed conversation; credited to the assignee, else to the agent who replied last. */
  async rate(access: VisitorAccess, score: number, comment: string | null): Promise<Result<RatingDto>> {
    const row = access.conversation;
    if (row.status === 'open') return fail('conversation_open', 'A conversation can be rated once it is closed.');
    const agentId = row.assigned_agent_id ?? (await this.deps.ratings.lastReplier(row.id));
    const now = this.deps.clock.now();
    const created = await this.deps.ratings.create({ conversation_id: row.id, score, comment, agent_id: agentId, created_at: now });
    if (!created) return fail('already_rated', 'This conversation has already been rated.');
    await this.deps.publish({ name: 'ConversationUpdated', conversation: await this.deps.views.forAgent(row) });
    return ok({ score, comment, created_at: new Date(now).toISOString() });
  }

  /** Per agent and per ISO week (UTC) over the last `weeks` weeks, this one included. */
  async report(weeks: number): Promise<RatingReport> {
    const now = this.deps.clock.now();
    return ratingReport(await this.deps.ratings.since(reportSince(now, weeks)), now, weeks);
  }
}
