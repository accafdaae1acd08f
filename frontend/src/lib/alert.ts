// The optional "new inject" signal: a short beep synthesised with Web Audio
// (no sound file to fetch) and a short vibration. Both follow the user's
// preferences, which are off by default.

import type { Prefs } from './prefs';

interface AudioLike {
  currentTime: number;
  destination: AudioNode;
  state: string;
  resume(): Promise<void>;
  createOscillator(): OscillatorNode;
  createGain(): GainNode;
}

export interface Alerter {
  signal(prefs: Prefs): void;
}

export function createAlerter(win: Window & typeof globalThis): Alerter {
  let ctx: AudioLike | null = null;
  const audio = (): AudioLike | null => {
    if (ctx) return ctx;
    const Ctor = win.AudioContext ?? (win as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return null;
    try {
      ctx = new Ctor();
    } catch {
      return null;
    }
    return ctx;
  };

  return {
    signal(prefs) {
      if (prefs.vibrate && typeof win.navigator.vibrate === 'function') {
        win.navigator.vibrate([120, 60, 120]);
      }
      if (!prefs.sound) return;
      const a = audio();
      if (!a) return;
      if (a.state === 'suspended') void a.resume().catch(() => undefined);
      const t = a.currentTime;
      const osc = a.createOscillator();
      const gain = a.createGain();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(880, t);
      osc.frequency.setValueAtTime(660, t + 0.12);
      // A quick fade in and out avoids the click of a hard start and stop.
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.28);
      osc.connect(gain).connect(a.destination);
      osc.start(t);
      osc.stop(t + 0.3);
    },
  };
}
