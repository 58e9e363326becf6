import type { RatingDto } from '../../../src/chat/dto.js';
import { stars } from './rating-format.js';

/** The visitor's rating of this conversation, shown to agents once given (text only). */
export function RatingSummary({ rating }: { rating: RatingDto | null }) {
  if (rating === null) return null;
  return (
    <p class="rating-summary" data-parley="rating">
      <span class="rating-stars" aria-hidden="true">{'★'.repeat(rating.score)}{'☆'.repeat(5 - rating.score)}</span>
      <span class="sr-only">Rated </span>
      <span class="rating-score">{stars(rating.score)}</span>
      {rating.comment && <span class="rating-comment">: “{rating.comment}”</span>}
    </p>
  );
}
