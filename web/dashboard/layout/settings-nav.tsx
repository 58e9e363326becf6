import { onLinkClick } from '../router.js';

/**
 * The admin's settings pages: the top bar's one "Settings" link (so the desktop bar fits on one
 * line at 1280 px) opens them, and this line moves between them.
 */
const SETTINGS_PAGES: [page: string, name: string, path: string][] = [
  ['settings', 'Chat', '/stratus/settings'],
  ['webhooks', 'Webhooks', '/stratus/webhooks'],
  ['tokens', 'API tokens', '/stratus/tokens'],
  ['privacy', 'Privacy', '/stratus/privacy'],
];

/** Whether `page` is one of the settings pages (the top bar's "Settings" link is current on each). */
export const isSettingsPage = (page: string): boolean => SETTINGS_PAGES.some(([p]) => p === page);

/** The settings pages' own navigation (docs/dashboard.md, "Pages"), shown above each of them to admins. */
export function SettingsNav({ here }: { here: string }) {
  return (
    <nav aria-label="Settings pages" class="subnav" data-parley="settings-nav">
      {SETTINGS_PAGES.map(([page, name, path]) => (
        <a key={page} href={path} aria-current={page === here ? 'page' : undefined} onClick={(e) => onLinkClick(e, path)}>
          {name}
        </a>
      ))}
    </nav>
  );
}
