import { useEffect, useState } from 'preact/hooks';
import { MenuButton } from './layout/menu-button.js';
import { isSettingsPage } from './layout/settings-nav.js';
import type { NotifySettings } from './notify-settings.js';
import { onLinkClick } from './router.js';
import type { OnlineAgent } from './session/agent-roster.js';
import { SearchBox } from './search/search-box.js';
import { StatusSwitch } from './status-switch.js';
import type { Agent, AgentStatus } from './types.js';

/** The dashboard's pages, as the address names them. */
export type PageName = 'inbox' | 'agents' | 'settings' | 'account' | 'canned' | 'labels' | 'tokens' | 'webhooks' | 'ratings' | 'search' | 'privacy';

interface Props {
  agent: Agent;
  page: PageName;
  agentsOnline: OnlineAgent[];
  status: AgentStatus;
  statusError: string;
  onStatus(status: AgentStatus): void;
  notify: NotifySettings;
  onNotify(next: NotifySettings): void;
  onLogout(): void;
}

const current = (yes: boolean) => (yes ? 'page' : undefined);
const label = (a: OnlineAgent) => (a.status === 'away' ? `${a.name} (away)` : a.name);

/**
 * A top-bar link to one of the dashboard's pages. `short` is the text shown where the full name is
 * long (so the desktop bar fits on one line at 1280 px); the link keeps `name` as its accessible name.
 */
function PageLink({ page, name, short, path, here }: { page: PageName; name: string; short?: string; path: string; here: PageName }) {
  const full = short === undefined ? {} : { 'aria-label': name, title: name };
  return (
    <a href={path} aria-current={current(page === here)} onClick={(e) => onLinkClick(e, path)} {...full}>
      {short ?? name}
    </a>
  );
}

/** The header: pages, the agent's own status, who is online (and away), the notification switches, and logout. */
export function TopBar({ agent, page, agentsOnline, status, statusError, onStatus, notify, onNotify, onLogout }: Props) {
  const admin = agent.role === 'admin';
  // On a phone the pages, switches and logout fold behind Menu (docs/dashboard.md, "On a phone").
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [page]);
  return (
    <header class={menuOpen ? 'topbar menu-open' : 'topbar'}>
      <a class="brand" href="/stratus" onClick={(e) => onLinkClick(e, '/stratus')}>Parley</a>
      <MenuButton open={menuOpen} onToggle={() => setMenuOpen(!menuOpen)} />
      <nav aria-label="Pages" class="pages">
        <PageLink page="inbox" name="Inbox" path="/stratus" here={page} />
        <PageLink page="canned" name="Canned responses" short="Canned" path="/stratus/canned" here={page} />
        {admin && <PageLink page="agents" name="Agents" path="/stratus/agents" here={page} />}
        {admin && <PageLink page="settings" name="Chat settings" short="Settings" path="/stratus/settings" here={isSettingsPage(page) ? 'settings' : page} />}
        <PageLink page="labels" name="Labels" path="/stratus/labels" here={page} />
        {admin && <PageLink page="ratings" name="Ratings" path="/stratus/ratings" here={page} />}
        <PageLink page="account" name="Account" path="/stratus/account" here={page} />
      </nav>
      <SearchBox />
      <StatusSwitch status={status} error={statusError} onStatus={onStatus} />
      <p class="online" data-parley="agents-online" title={agentsOnline.map(label).join(', ')}>
        <span class="dot" aria-hidden="true" />
        Agents online: {agentsOnline.length}
        {agentsOnline.length > 0 && (
          <span class="names">
            {' — '}
            {agentsOnline.map((a, i) => (
              <span key={a.id} data-parley="online-agent" data-agent-id={String(a.id)} data-status={a.status}>
                {i > 0 && ', '}
                {label(a)}
              </span>
            ))}
          </span>
        )}
      </p>
      <div class="toggles">
        <label><input type="checkbox" checked={notify.sound} onChange={(e) => onNotify({ ...notify, sound: e.currentTarget.checked })} /> Sound</label>
        <label title="Desktop notifications"><input type="checkbox" aria-label="Desktop notifications" checked={notify.desktop} onChange={(e) => onNotify({ ...notify, desktop: e.currentTarget.checked })} /> Desktop</label>
      </div>
      <span class="me">{agent.name}</span>
      <button type="button" class="ghost logout" onClick={onLogout}>Log out</button>
    </header>
  );
}
