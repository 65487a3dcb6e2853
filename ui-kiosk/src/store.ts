/** UI-only state: which screen is shown and whether the service screen is unlocked. */
import { signal } from '@preact/signals';

export type Screen = 'worklist' | 'scan' | 'review' | 'sending' | 'media' | 'service';
export const SCREENS: readonly Screen[] = ['worklist', 'scan', 'review', 'sending', 'media', 'service'];

export const screen = signal<Screen>('worklist');
export const serviceUnlocked = signal(false);
