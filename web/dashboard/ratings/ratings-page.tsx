import { useEffect, useState } from 'preact/hooks';
import type { RatingReport } from '../../../src/chat/rating-report.js';
import { api } from '../api.js';
import { trend, weekCell } from './rating-format.js';

const WEEKS = 12;

/** `/stratus/ratings` (admins): per agent and ISO week, how many ratings, their average and its trend (docs/dashboard.md, "Ratings"). */
export function RatingsPage() {
  const [report, setReport] = useState<RatingReport | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void api<RatingReport>('GET', `/api/agent/reports/ratings?weeks=${WEEKS}`).then((res) => (res.ok ? setReport(res.data) : setError(res.error.message)));
  }, []);

  return (
    <main class="page ratings-page" id="main" aria-labelledby="ratings-title">
      <h1 id="ratings-title">Ratings</h1>
      <p class="muted">Visitors rate a conversation after it closes. Weeks are ISO weeks (UTC); each cell is the average score and, in brackets, how many ratings.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {report === null ? (
        !error && <p class="muted">Loading…</p>
      ) : report.agents.length === 0 ? (
        <p class="muted" data-parley="ratings-empty">No ratings in the last {WEEKS} weeks.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="ratings-caption">
          <table class="ratings-table" data-parley="ratings-report">
            <caption id="ratings-caption">Average rating per agent and week, last {WEEKS} weeks</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">All weeks</th>
                {report.weeks.map((w) => (
                  <th scope="col" key={w}>{w}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.agents.map((a) => (
                <tr key={String(a.agent_id)} data-parley="ratings-agent">
                  <th scope="row">{a.name ?? 'Nobody (unanswered)'}</th>
                  <td>{weekCell(a.average, a.count)}</td>
                  {a.weeks.map((w) => (
                    <td key={w.week}>
                      {weekCell(w.average, w.count)}
                      {w.change !== null && <span class={`trend ${w.change > 0 ? 'up' : w.change < 0 ? 'down' : ''}`}> {trend(w.change)}</span>}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
