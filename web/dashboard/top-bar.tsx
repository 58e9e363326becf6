import type { NotifySettings } from './notify-settings.js';
import { onLinkClick } from './router.js';
import type { Agent } from './types.js';

interface Props {
  agent: Agent;
  page: 'inbox' | 'agents' | 'account';
  agentsOnline: string[];
  notify: NotifySettings;
  onNotify(next: NotifySettings): void;
  onLogout(): void;
}

const current = (yes: boolean) => (yes ? 'page' : undefined);

/** The header: pages, who is online, the notification switches, and logout. */
export function TopBar({ agent, page, agentsOnline, notify, onNotify, onLogout }: Props) {
  return (
    <header class="topbar">
      <a class="brand" href="/stratus" onClick={(e) => onLinkClick(e, '/stratus')}>Parley</a>
      <nav aria-label="Pages" class="pages">
        <a href="/stratus" aria-current={current(page === 'inbox')} onClick={(e) => onLinkClick(e, '/stratus')}>Inbox</a>
        {agent.role === 'admin' && (
          <a href="/stratus/agents" aria-current={current(page === 'agents')} onClick={(e) => onLinkClick(e, '/stratus/agents')}>Agents</a>
        )}
        <a href="/stratus/account" aria-current={current(page === 'account')} onClick={(e) => onLinkClick(e, '/stratus/account')}>Account</a>
      </nav>
      <p class="online" data-parley="agents-online" title={agentsOnline.join(', ')}>
        <span class="dot" aria-hidden="true" />
        Agents online: {agentsOnline.length}
        {agentsOnline.length > 0 && <span class="names"> ({agentsOnline.join(', ')})</span>}
      </p>
      <div class="toggles">
        <label><input type="checkbox" checked={notify.sound} onChange={(e) => onNotify({ ...notify, sound: e.currentTarget.checked })} /> Sound</label>
        <label><input type="checkbox" checked={notify.desktop} onChange={(e) => onNotify({ ...notify, desktop: e.currentTarget.checked })} /> Desktop notifications</label>
      </div>
      <span class="me">{agent.name}</span>
      <button type="button" class="ghost" onClick={onLogout}>Log out</button>
    </header>
  );
}
