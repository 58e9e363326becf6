import { setImmediate as nextTurn } from 'node:timers/promises';

/** Rows one purge statement deletes at most (docs/deployment.md, "Retention"). */
export const PURGE_BATCH_SIZE = 500;

/** What one batch did: how many rows it picked, and how many of those it deleted. */
export interface BatchOutcome {
  picked: number;
  deleted: number;
}

/**
 * Runs `batch(limit)` until a batch picks fewer than `size` rows, with a turn of the event loop
 * between batches: SQLite runs on the main thread, so one delete of a million rows would stall
 * every request and WebSocket for as long as it takes. Answers the rows deleted in total.
 */
export async function deleteInBatches(batch: (limit: number) => Promise<BatchOutcome>, size = PURGE_BATCH_SIZE): Promise<number> {
  let total = 0;
  for (;;) {
    const { picked, deleted } = await batch(size);
    total += deleted;
    if (picked < size) return total;
    await nextTurn();
  }
}
