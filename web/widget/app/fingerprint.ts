import { newId } from './ids.js';
import { fingerprintSource, type DeviceTraits } from './identity.js';
import { sha256Hex } from './sha256.js';
import type { KeyValueStore } from '../../shared/key-value-store.js';
import { KEYS } from './storage.js';

/** Reads the device traits docs/widget.md names ("Storage and privacy"). Called only once the visitor opens the chat. */
export function deviceTraits(win: Window): DeviceTraits {
  const { screen, navigator } = win;
  let timezone = '';
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
  } catch {
    // Very old engines: the offset is the next best thing.
    timezone = String(new Date().getTimezoneOffset());
  }
  return {
    canvas: canvasSignature(win.document),
    screen: `${screen.width}x${screen.height}`,
    colorDepth: screen.colorDepth,
    timezone,
    language: navigator.language ?? '',
    platform: navigator.platform ?? '',
  };
}

/** The canvas rendering signature: the same drawing differs subtly between GPUs, fonts and engines. */
function canvasSignature(doc: Document): string {
  try {
    const canvas = doc.createElement('canvas');
    canvas.width = 240;
    canvas.height = 60;
    const ctx = canvas.getContext('2d');
    if (!ctx) return 'no-canvas';
    ctx.textBaseline = 'top';
    ctx.font = '16px Arial';
    ctx.fillStyle = '#f60';
    ctx.fillRect(100, 1, 62, 20);
    ctx.fillStyle = '#069';
    ctx.fillText('Parley, chat 😃 ≠ 1.0', 2, 15);
    ctx.fillStyle = 'rgba(102, 204, 0, 0.7)';
    ctx.arc(50, 40, 18, 0, Math.PI * 2);
    ctx.fill();
    return canvas.toDataURL();
  } catch {
    return 'canvas-blocked';
  }
}

/** SHA-256 hex of the traits: `crypto.subtle` where the page is a secure context, else plain JS. */
export async function computeFingerprint(win: Window): Promise<string> {
  const source = fingerprintSource(deviceTraits(win));
  const subtle = win.crypto?.subtle;
  if (subtle) {
    try {
      const digest = await subtle.digest('SHA-256', new TextEncoder().encode(source));
      return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
    } catch {
      // Fall through to the JS hash.
    }
  }
  return sha256Hex(source);
}

/**
 * This browser's fingerprint and client id: read from storage when a conversation was stored,
 * computed and written only when first needed (the visitor opened the chat).
 */
export class DeviceIdentity {
  private fingerprint: string | undefined;

  constructor(
    private readonly win: Window,
    private readonly store: KeyValueStore,
  ) {
    this.fingerprint = store.getItem(KEYS.fingerprint) ?? undefined;
  }

  /** For `X-Client-Fingerprint`: undefined until known. */
  get value(): string | undefined {
    return this.fingerprint;
  }

  async ensure(): Promise<string> {
    if (!this.store.getItem(KEYS.clientId)) this.store.setItem(KEYS.clientId, newId(this.win));
    if (!this.fingerprint) {
      this.fingerprint = await computeFingerprint(this.win);
      this.store.setItem(KEYS.fingerprint, this.fingerprint);
    }
    return this.fingerprint;
  }
}
