/** Every text the widget shows; a site overrides any of them with `data-lang` or `strings`. */
export const DEFAULT_STRINGS = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  chat: 'Chat',
  conversation: 'Conversation',
  title: 'Chat with us',
  online: "We're online",
  away: 'Leave a message',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  sending: 'Sending…',
  failed: 'Not sent',
  seen: 'Seen',
  reconnecting: 'Reconnecting…',
  offline: "Offline – messages will be sent when you're back",
  typing: 'Agent is typing…',
  resumePrompt: 'Continue your earlier conversation?',
  resumeYes: 'Continue',
  resumeNo: 'Start new',
  ended: 'This conversation has ended.',
  newConversation: 'Start a new conversation',
  prechatIntro: 'Tell us who you are (optional)',
  name: 'Name',
  email: 'Email',
  invalidEmail: 'Please enter a valid email address.',
  replyAt: 'Expect a reply from {time}.',
  replySoon: "We'll reply as soon as we can.",
  byEmail: "We'll answer by email.",
  yourEmail: 'Your email (required)',
  emailRequired: 'Please enter your email so we can answer you.',
  unread: '{n} unread',
  emailTranscript: 'Email me the transcript',
  transcriptSent: 'Sent to your email.',
  transcriptUnsubscribed: 'Your email address has unsubscribed from our emails, so nothing was sent.',
  transcriptNoEmail: 'We have no email address for this conversation.',
  transcriptFailed: 'The transcript could not be sent. Please try again later.',
  linkExpired: 'This link has expired or was already used. You can start a new conversation here.',
  linkUnreachable: 'We could not reach the chat to open your link. You can start a new conversation here.',
  attach: 'Attach a file',
  download: 'Download {name} ({size})',
  uploading: 'Uploading {name}',
  dropHint: 'Drop files here to send them',
};

export type Strings = typeof DEFAULT_STRINGS;

/** Defaults with the site's overrides; unknown keys and non-string values are ignored. */
export function mergeStrings(overrides: Record<string, unknown> | undefined): Strings {
  const strings = { ...DEFAULT_STRINGS };
  for (const key of Object.keys(strings) as (keyof Strings)[]) {
    const value = overrides?.[key];
    if (typeof value === 'string' && value.trim() !== '') strings[key] = value;
  }
  return strings;
}
