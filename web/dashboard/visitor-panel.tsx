import { conversationPath } from './layout/pane.js';
import { PaneBack } from './layout/pane-controls.js';
import { onLinkClick } from './router.js';
import { LabelEditor } from './labels/label-editor.js';
import type { Conversation, Message } from './types.js';
import { previewText } from './attachments/attachment-text.js';
import { FilesPanel } from './attachments/files-panel.js';
import { parseUserAgent } from './ua.js';

const dash = '—';

/** Who the visitor is, as far as the widget knows: shown beside the transcript. */
export function VisitorPanel({ conversation, earlier, messages = [] }: { conversation: Conversation; earlier: Conversation[]; messages?: readonly Message[] }) {
  const { browser, os } = parseUserAgent(conversation.user_agent);
  const rows: [string, string | preact.JSX.Element][] = [
    [
      'Name',
      conversation.identity_verified ? (
        <>
          {conversation.visitor_name || dash}{' '}
          <span class="verified-badge" data-parley="verified" title="Signed in on your site: name, email and user id come from it">
            Verified
          </span>
        </>
      ) : (
        conversation.visitor_name || dash
      ),
    ],
    ...(conversation.visitor_user_id ? ([['User id', conversation.visitor_user_id]] as [string, string][]) : []),
    ['Email', conversation.visitor_email ? <a href={`mailto:${conversation.visitor_email}`}>{conversation.visitor_email}</a> : dash],
    ['Page', conversation.page_url ? <a href={conversation.page_url} target="_blank" rel="noopener noreferrer">{conversation.page_url}</a> : dash],
    ['Referrer', conversation.referrer || dash],
    ['Browser', browser],
    ['OS', os],
    ['IP', conversation.client_ip || dash],
    ['Device', conversation.fingerprint_short || dash],
    ['First seen', new Date(conversation.created_at).toLocaleString()],
  ];
  return (
    <aside class="visitor-panel" data-parley="visitor-panel" aria-label="Visitor">
      <PaneBack to={conversationPath(conversation.id)} where="conversation" />
      <h2>Visitor</h2>
      <dl>
        {rows.map(([term, value]) => (
          <div class="pair" key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <LabelEditor conversation={conversation} />
      <FilesPanel messages={messages} visitorName={conversation.visitor_name || `Visitor #${conversation.id}`} />
      <h3>Earlier conversations</h3>
      {earlier.length === 0 ? (
        <p class="muted">None from this device.</p>
      ) : (
        <ul class="earlier">
          {earlier.map((c) => {
            const href = `/stratus/conversations/${c.id}`;
            return (
              <li key={c.id}>
                <a href={href} onClick={(e) => onLinkClick(e, href)}>
                  #{c.id} · {new Date(c.created_at).toLocaleDateString()} · {c.status === 'open' ? 'Open' : 'Closed'}
                </a>
                {c.last_message && <span class="muted earlier-preview">{previewText(c.last_message)}</span>}
              </li>
            );
          })}
        </ul>
      )}
    </aside>
  );
}
