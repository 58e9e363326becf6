type AudioContextClass = typeof AudioContext;

let context: AudioContext | undefined;

/** A short, quiet two-tone beep (WebAudio; no file to download). Silently does nothing where blocked. */
export function beep(win: Window): void {
  try {
    const audio = win as unknown as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass };
    const Ctor = audio.AudioContext ?? audio.webkitAudioContext;
    if (!Ctor) return;
    context ??= new Ctor();
    const now = context.currentTime;
    const gain = context.createGain();
    gain.connect(context.destination);
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.08, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.3);
    const tone = context.createOscillator();
    tone.type = 'sine';
    tone.frequency.setValueAtTime(880, now);
    tone.frequency.setValueAtTime(1320, now + 0.12);
    tone.connect(gain);
    tone.start(now);
    tone.stop(now + 0.32);
  } catch {
    // Autoplay policy or no audio device: a missing beep is fine.
  }
}
