// Per-browser preferences, remembered in localStorage. Everything defaults
// to off: a room full of phones beeping is opt-in.

export interface Prefs {
  sound: boolean;
  vibrate: boolean;
  largeText: boolean;
}

export const defaultPrefs: Prefs = { sound: false, vibrate: false, largeText: false };

const KEY = 'ttx.prefs';

/** Reads the saved preferences; anything unreadable falls back to the defaults. */
export function loadPrefs(storage: Storage | null): Prefs {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return { ...defaultPrefs };
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return { ...defaultPrefs };
    const o = v as Record<string, unknown>;
    return { sound: o.sound === true, vibrate: o.vibrate === true, largeText: o.largeText === true };
  } catch {
    return { ...defaultPrefs };
  }
}

export function savePrefs(storage: Storage | null, p: Prefs): void {
  try {
    storage?.setItem(KEY, JSON.stringify({ sound: p.sound, vibrate: p.vibrate, largeText: p.largeText }));
  } catch {
    // Storage can be full or disabled (private mode); the setting then lasts for the page only.
  }
}

/** The browser's localStorage, or null where it is unavailable. */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
