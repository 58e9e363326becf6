import type { ApiResult } from '../../shared/api-result.js';
import type { Retries } from '../../shared/retries.js';
import type { ChatApi } from './api.js';
import type { ChatSession } from './session.js';
import type { Strings } from './strings.js';
import type { Joined } from './types.js';

/** The fragment part a follow-up email's link carries (docs/widget.md, "Links from follow-up emails"). */
const KEY = 'parley-link=';
/** 32 random bytes, base64url without padding. */
const TOKEN = /^[\w-]{43}$/;
/** Redemptions tried while the chat cannot be reached, 5 seconds apart (the widget's `Retries`). */
const TRIES = 3;

/**
 * Finds `parley-link=<token>` among the `&`-separated parts of a fragment (percent-encoded too)
 * and removes every such part, keeping the rest as it was. `token` is the first well-formed one,
 * or '' when none is (a link cut short by a mail program). Undefined when the fragment has none.
 */
export function takeLink(hash: string): { token: string; hash: string } | undefined {
  let token: string | undefined;
  const rest = hash
    .replace(/^#/, '')
    .split('&')
    .filter((part) => {
      // A link part is short: longer parts are never decoded (a hostile, huge fragment costs nothing).
      const text = part.length <= 200 ? decode(part) : '';
      if (!text.startsWith(KEY)) return true;
      const value = text.slice(KEY.length);
      if (!token) token = TOKEN.test(value) ? value : '';
      return false;
    });
  return token === undefined ? undefined : { token, hash: rest.join('&') };
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

interface AddressBar {
  location: { hash: string; pathname: string; search: string };
  history: { state: unknown; replaceState(state: unknown, unused: string, url: string): void };
}

/**
 * Takes a follow-up email's link out of the address at once (nothing reloads, the rest of the URL
 * stays), so the token is not bookmarked, shared or left in the history. Returns it, if any.
 */
export function stripLink(win: AddressBar): string | undefined {
  const link = takeLink(win.location.hash);
  if (!link) return undefined;
  const { pathname, search } = win.location;
  try {
    win.history.replaceState(win.history.state, '', pathname + search + (link.hash ? `#${link.hash}` : ''));
  } catch {
    // A sandboxed frame may refuse: the link still opens the chat.
  }
  return link.token;
}

/** What redeeming a link came to: its conversation, a link that opens nothing (used, expired, unknown, malformed), or no answer. */
export type LinkOutcome = { kind: 'opened'; joined: Joined } | { kind: 'expired' } | { kind: 'unreachable' };

/** `POST /api/chat/link`'s answer: no answer, 429 and 5xx are worth another try; any other refusal is final. */
export function decideLink(res: ApiResult<Joined>): LinkOutcome {
  if (res.ok) return { kind: 'opened', joined: res.data };
  return res.status === 0 || res.status === 429 || res.status >= 500 ? { kind: 'unreachable' } : { kind: 'expired' };
}

export interface LinkDeps {
  api: Pick<ChatApi, 'link'>;
  retries: Pick<Retries, 'later'>;
  fingerprint(): Promise<string>;
}

/** Redeems a link, trying again later (or at once when the browser is back online) while the chat cannot be reached. */
export async function redeemLink(token: string, deps: LinkDeps, tries = TRIES): Promise<LinkOutcome> {
  if (!TOKEN.test(token)) return { kind: 'expired' };
  for (let attempt = 1; ; attempt++) {
    const outcome = decideLink(await deps.api.link(token, await deps.fingerprint()));
    if (outcome.kind !== 'unreachable' || attempt >= tries) return outcome;
    await new Promise<void>((resolve) => deps.retries.later('link', resolve));
  }
}

export interface FollowDeps extends LinkDeps {
  session: Pick<ChatSession, 'follow' | 'lookup'>;
  view: { setNotice(text: string): void };
  host: { setAttribute(name: string, value: string): void };
  strings: Pick<Strings, 'linkExpired' | 'linkUnreachable'>;
  /** Opens the panel without moving the focus. */
  open(): void;
  /** The usual check of a stored conversation, for a link that opened nothing. */
  checkStored(): Promise<void>;
}

/**
 * On boot with a link: the panel opens on its conversation (which replaces any other on this
 * device), or says why not and the visitor goes on as usual. `data-link` on the host tells tests
 * where it stands: `pending`, then `opened`, `expired` or `unreachable`.
 */
export async function followLink(token: string, deps: FollowDeps): Promise<void> {
  let outcome = { kind: 'unreachable' } as LinkOutcome;
  deps.host.setAttribute('data-link', 'pending');
  const opening = deps.session.follow(async () => {
    outcome = await redeemLink(token, deps);
    return outcome.kind === 'opened' ? outcome.joined : undefined;
  });
  deps.open();
  const opened = await opening;
  deps.host.setAttribute('data-link', outcome.kind);
  if (opened) return;
  deps.view.setNotice(outcome.kind === 'expired' ? deps.strings.linkExpired : deps.strings.linkUnreachable);
  await deps.checkStored();
  await deps.session.lookup();
}
