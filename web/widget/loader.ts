import { textOn } from './app/color.js';
import type { WidgetConfig } from '../../src/chat/dto.js';
import { stripLink } from './app/email-link.js';
import { hasStoredChat } from './app/identity.js';
import { hidesLauncher } from './app/offline.js';
import { wasOpen } from './app/panel-memory.js';
import { forgetDevice } from './app/visitor-identity.js';
import { adoptStyles, BUBBLE, CROSS, icon } from './dom-style.js';
import { LAUNCHER_CSS } from './launcher-style.js';
import type { AppHandle, Boot, InitOptions, LiveChatApi, ParleyCommand, VisitorIdentityInput, WidgetEvent, WidgetOptions } from './shared.js';

/** The chat code's content hash, set by scripts/build-widget.mjs: `live-chat-app.js?v=…` is cached for long. */
declare const __APP_VERSION__: string;

/**
 * `live-chat.js`: draws the launcher and defines `window.LiveChat`. The chat code (and with it
 * pusher-js) loads only when the visitor opens the chat, or at once when this browser already
 * has a conversation or unsent messages, when the panel was open on the tab's previous page, when
 * the address carries a follow-up email's link, or when the launcher hides while nobody is
 * available (the chat code then shows it again when someone is). Reads localStorage and
 * sessionStorage; writes them only on `window.Parley('reset')`; takes a follow-up email's link out of the address.
 */
(function loader(win: Window, doc: Document) {
  if (win.LiveChat) return;
  // A follow-up email's link (docs/widget.md): out of the address at once; the chat then loads to open it.
  const link = stripLink(win);
  const script = (doc.currentScript as HTMLScriptElement | null) ?? doc.querySelector<HTMLScriptElement>('script[src*="live-chat.js"]');
  let options = resolve(defaults(script), script ? fromAttributes(script) : {});
  if (win.LiveChatConfig) options = resolve(options, win.LiveChatConfig);

  const listeners: Partial<Record<WidgetEvent, Set<(payload?: unknown) => void>>> = {};
  const emit = (event: WidgetEvent, payload?: unknown) =>
    listeners[event]?.forEach((callback) => {
      try {
        callback(payload);
      } catch (error) {
        console.error('[parley] a LiveChat.on listener threw', error);
      }
    });

  const host = doc.createElement('div');
  host.id = 'parley-widget';
  host.setAttribute('data-transport', 'none');
  // The page's styles must not reach the widget: reset what the host would inherit, and keep it out
  // of the page's flow. Inline !important also beats the page's own !important rules for `div`.
  host.style.cssText = 'all:initial!important;position:fixed!important;top:0!important;left:0!important;width:0!important;height:0!important;z-index:2147483000!important';
  const root = host.attachShadow({ mode: 'open' });
  adoptStyles(root, LAUNCHER_CSS);
  const launcher = doc.createElement('button');
  launcher.className = 'launcher';
  launcher.type = 'button';
  launcher.setAttribute('data-parley', 'launcher');
  launcher.setAttribute('aria-haspopup', 'dialog');
  launcher.setAttribute('aria-expanded', 'false');
  const badge = doc.createElement('span');
  badge.className = 'badge';
  badge.setAttribute('data-parley', 'unread');
  badge.hidden = true;
  launcher.append(icon(doc, 'i-open', BUBBLE, false), icon(doc, 'i-close', CROSS, true), badge);
  root.append(launcher);

  let app: AppHandle | undefined;
  let loading = false;
  let openWhenLoaded = false;
  let config: WidgetConfig | undefined;

  const apply = () => {
    host.setAttribute('data-position', options.position);
    if (options.color) {
      host.style.setProperty('--pa', options.color);
      host.style.setProperty('--pat', textOn(options.color));
    }
    launcher.setAttribute('aria-label', options.strings.openChat || 'Open chat');
  };

  const load = (open: boolean) => {
    if (app) return open ? app.open() : undefined;
    openWhenLoaded ||= open;
    if (loading) return;
    loading = true;
    launcher.setAttribute('aria-busy', 'true');
    const tag = doc.createElement('script');
    tag.src = `${options.server}/js/live-chat-app.js?v=${__APP_VERSION__}`;
    tag.async = true;
    tag.onload = () => {
      launcher.removeAttribute('aria-busy');
      const boot: Boot = { win, options, host, root, launcher, badge, emit, openNow: openWhenLoaded, config, link };
      app = win.ParleyWidgetApp?.mount(boot);
      if (!app) console.error('[parley] the chat code loaded but did not start');
    };
    tag.onerror = () => {
      loading = false;
      launcher.removeAttribute('aria-busy');
      console.error(`[parley] could not load ${tag.src}; is the Parley server reachable?`);
    };
    (doc.head ?? doc.documentElement).appendChild(tag);
  };

  launcher.addEventListener('click', () => (app ? app.toggle() : load(true)));

  const api: LiveChatApi = {
    version: __APP_VERSION__,
    init(input) {
      options = resolve(options, input ?? {});
      apply();
      app?.update(options);
    },
    open: () => load(true),
    close: () => app?.close(),
    on(event, callback) {
      (listeners[event] ??= new Set()).add(callback);
      return () => listeners[event]?.delete(callback);
    },
  };
  win.LiveChat = api;

  // `window.Parley('identify', {id, token, …})` and `window.Parley('reset')` (docs/identity.md);
  // calls queued in `window.Parley.q` by a stub before this script loaded run now, in order.
  const queued = win.Parley?.q ?? [];
  const parley: ParleyCommand = (command, argument) => {
    if (command === 'identify' && typeof argument?.token === 'string') return api.init({ identity: { ...argument, id: String(argument.id ?? '') } });
    if (command !== 'reset') return console.warn(`[parley] unknown command ${String(command)}`);
    options = { ...options, identity: undefined };
    if (app) return app.reset();
    try {
      forgetDevice(win.localStorage);
    } catch {
      // Storage blocked: nothing was stored.
    }
  };
  win.Parley = parley;
  for (const call of Array.from(queued)) parley(call[0] as 'identify' | 'reset', call[1] as VisitorIdentityInput | undefined);

  const start = () => {
    apply();
    doc.body.appendChild(host);
    // eslint-disable-next-line no-console -- data-debug asks for it
    if (options.debug) console.debug('[parley] loader ready', options);
    let stored = false;
    try {
      stored = hasStoredChat(win.localStorage) || wasOpen(win.sessionStorage);
    } catch {
      // Storage blocked: nothing stored; the chat loads when opened (rule 6 applies then).
    }
    if (stored || link !== undefined) return load(false);
    // Only the config says whether the admin hides the launcher while nobody is available: it waits
    // for the answer, but never more than a moment, so a slow server does not cost the chat button.
    launcher.hidden = true;
    const reveal = () => (launcher.hidden = false);
    const slow = setTimeout(reveal, 2000);
    win
      .fetch(`${options.server}/api/chat/config`, { credentials: 'omit' })
      .then((res) => (res.ok ? (res.json() as Promise<WidgetConfig>) : undefined))
      .then((answer) => {
        config = answer;
        // Opened meanwhile (the launcher showed after the wait): the chat code decides from now on.
        if (loading) return;
        launcher.hidden = hidesLauncher(answer, false);
        if (launcher.hidden) load(false);
      })
      .catch(reveal)
      .finally(() => clearTimeout(slow));
  };
  if (doc.body) start();
  else doc.addEventListener('DOMContentLoaded', start);
})(window, document);

function defaults(script: HTMLScriptElement | null): WidgetOptions {
  let server = location.origin;
  try {
    if (script?.src) server = new URL(script.src, location.href).origin;
  } catch {
    // Keep the page's origin.
  }
  return { server, position: 'right', debug: false, prechat: false, sound: false, echo: true, strings: {} };
}

function fromAttributes(script: HTMLScriptElement): InitOptions {
  const data = script.dataset;
  const options: InitOptions = {};
  if (data.server) options.server = data.server;
  if (data.color) options.color = data.color;
  if (data.position) options.position = data.position as WidgetOptions['position'];
  if (data.greeting) options.greeting = data.greeting;
  if (data.debug !== undefined) options.debug = data.debug;
  if (data.prechat !== undefined) options.prechat = data.prechat;
  if (data.sound !== undefined) options.sound = data.sound;
  if (data.echo !== undefined) options.echo = data.echo;
  // A verified visitor (docs/identity.md): the host site's user id and the token it signed.
  if (data.identityToken) options.identity = { id: data.userId ?? '', token: data.identityToken };
  if (data.lang) {
    try {
      options.strings = JSON.parse(data.lang) as Record<string, string>;
    } catch {
      console.warn('[parley] data-lang is not valid JSON; using the default texts');
    }
  }
  return options;
}

/** Later options win; flags accept true or "true". */
function resolve(base: WidgetOptions, input: InitOptions): WidgetOptions {
  const flag = (value: boolean | string | undefined, fallback: boolean) => (value === undefined ? fallback : value === true || value === 'true' || value === '');
  const next: WidgetOptions = {
    ...base,
    position: input.position === undefined ? base.position : input.position === 'left' ? 'left' : 'right',
    debug: flag(input.debug, base.debug),
    prechat: flag(input.prechat, base.prechat),
    sound: flag(input.sound, base.sound),
    echo: flag(input.echo, base.echo),
    strings: { ...base.strings, ...input.strings },
  };
  if (input.server) next.server = input.server.replace(/\/+$/, '');
  if (input.color) next.color = input.color;
  if (input.greeting) next.greeting = input.greeting;
  if (input.identity) next.identity = input.identity;
  return next;
}
