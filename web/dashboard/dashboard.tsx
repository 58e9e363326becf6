import { useEffect, useMemo, useState } from 'preact/hooks';
import { AccountPage } from './account-page.js';
import { savePreferences } from './agent-api.js';
import { AgentsPage } from './agents-page.js';
import { CannedContext } from './canned/canned-context.js';
import { CannedPage } from './canned/canned-page.js';
import { useCannedContext } from './canned/use-canned-context.js';
import { browserSession } from './browser-session.js';
import { ConversationView } from './conversation.js';
import { InboxList } from './inbox.js';
import { LabelsPage } from './labels/labels-page.js';
import { SettingsNav, isSettingsPage } from './layout/settings-nav.js';
import { PrivacyPage } from './privacy/privacy-page.js';
import { TokensPage } from './tokens/tokens-page.js';
import { WebhooksPage } from './webhooks/webhooks-page.js';
import { RatingsPage } from './ratings/ratings-page.js';
import { totalUnread, visibleRows } from './inbox-state.js';
import { EmailPreferences } from './preferences/email-preferences.js';
import { paneOf } from './layout/pane.js';
import { usePaneFocus } from './layout/use-pane-focus.js';
import { isConnected } from './session/session-state.js';
import { SearchPage } from './search/search-page.js';
import { SettingsPage } from './settings/settings-page.js';
import { TopBar, type PageName } from './top-bar.js';
import type { Agent } from './types.js';
import { useSessionState } from './use-session.js';
import { AttachmentTray } from './attachments/tray.js';

interface Props {
  agent: Agent;
  path: string;
  onLoggedOut(): void;
}

// A conversation's address, or its visitor info on a phone (docs/dashboard.md, "On a phone").
const selectedFrom = (path: string): number | null => paneOf(path).conversationId;

const PAGES: Record<string, PageName> = { '/stratus/agents': 'agents', '/stratus/settings': 'settings', '/stratus/account': 'account', '/stratus/canned': 'canned', '/stratus/labels': 'labels', '/stratus/privacy': 'privacy', '/stratus/tokens': 'tokens', '/stratus/webhooks': 'webhooks', '/stratus/ratings': 'ratings', '/stratus/search': 'search' };
const pageOf = (path: string): PageName => PAGES[path] ?? 'inbox';

/** The logged-in dashboard: a view of its session (header, inbox, open conversation, admin pages). */
export function Dashboard({ agent, path, onLoggedOut }: Props) {
  const selected = selectedFrom(path);
  const [session] = useState(() => {
    const created = browserSession(agent);
    created.open(selected);
    return created;
  });
  const state = useSessionState(session);
  // Kept across page changes: the account page shows what was saved, not the login's copy.
  const [prefs] = useState(() => new EmailPreferences(agent, savePreferences));
  // Files picked but not sent yet, per conversation (docs/dashboard.md, "Attachments").
  const [tray] = useState(() => new AttachmentTray());
  // Canned responses: one list per logged-in agent, their variables filled from the open conversation.
  const canned = useCannedContext(agent, state);

  useEffect(() => {
    session.start();
    return () => session.stop();
  }, [session]);

  useEffect(() => session.open(selected), [session, selected]);

  // Tab title: the unread count.
  const unread = totalUnread(state.inbox);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
  }, [unread]);

  const rows = useMemo(() => visibleRows(state.inbox, state.filter, agent.id), [state.inbox, state.filter, agent.id]);
  const connected = isConnected(state);
  const page = pageOf(path);
  usePaneFocus(paneOf(path));
  const loggedOut = () => {
    session.stop();
    onLoggedOut();
  };

  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to conversation</a>
      <TopBar
        agent={agent}
        page={page}
        agentsOnline={state.agentsOnline}
        status={state.status}
        statusError={state.statusError}
        onStatus={(status) => void session.setStatus(status)}
        notify={state.notify}
        onNotify={(next) => void session.setNotify(next)}
        onLogout={() => void session.logout().then(onLoggedOut)}
      />
      {!connected && (
        <div class="banner" data-parley="connection-banner" role="status">
          {state.link === 'polling' ? 'Live updates are off: checking for new messages every few seconds.' : 'Reconnecting…'}
        </div>
      )}
      {agent.role === 'admin' && isSettingsPage(page) && <SettingsNav here={page} />}
      {page === 'agents' ? (
        <AgentsPage self={agent} />
      ) : page === 'settings' ? (
        <SettingsPage self={agent} />
      ) : page === 'canned' ? (
        <CannedPage self={agent} library={canned.library} />
      ) : page === 'labels' ? (
        <LabelsPage self={agent} />
      ) : page === 'webhooks' && agent.role === 'admin' ? (
        <WebhooksPage />
      ) : page === 'tokens' && agent.role === 'admin' ? (
        <TokensPage />
      ) : page === 'privacy' && agent.role === 'admin' ? (
        <PrivacyPage />
      ) : page === 'ratings' && agent.role === 'admin' ? (
        <RatingsPage />
      ) : page === 'search' ? (
        <SearchPage />
      ) : page === 'account' ? (
        <AccountPage self={agent} prefs={prefs} onLoggedOutEverywhere={loggedOut} />
      ) : (
        <div class={`${state.selected === null ? 'columns' : 'columns has-selection'} pane-${paneOf(path).name}`}>
          <InboxList
            rows={rows}
            filter={state.filter}
            onFilter={(filter) => session.setFilter(filter)}
            selected={state.selected}
            canLoadMore={state.nextCursor !== null}
            onLoadMore={() => session.loadMore()}
          />
          <CannedContext.Provider value={canned}>
            <ConversationView key={state.selected ?? 'none'} agent={agent} state={state} actions={session} tray={tray} />
          </CannedContext.Provider>
        </div>
      )}
    </div>
  );
}
