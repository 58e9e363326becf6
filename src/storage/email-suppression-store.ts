import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Addresses compare case-insensitively: `Ann@Shop.example` unsubscribed means `ann@shop.example` too. */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** Addresses that unsubscribed (docs/email.md, "Unsubscribe"): the queue never sends to them. */
export class EmailSuppressionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records the address; doing it twice is harmless (one-click clients may POST more than once). */
  async suppress(address: string, now: number): Promise<void> {
    await this.db
      .insertInto('email_suppressions')
      .values({ email: normalizeAddress(address), created_at: now })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
  }

  async isSuppressed(address: string): Promise<boolean> {
    const row = await this.db.selectFrom('email_suppressions').select('email').where('email', '=', normalizeAddress(address)).executeTakeFirst();
    return row !== undefined;
  }
}
