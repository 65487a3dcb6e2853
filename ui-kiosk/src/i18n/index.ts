/**
 * Message catalogs and the current language as a signal, so that switching language at run time
 * re-renders every component that read a message.
 */
import { signal } from '@preact/signals';
import { en, type Catalog, type MessageKey } from './en.js';
import { ja } from './ja.js';
import { zh } from './zh.js';

export type Lang = 'en' | 'ja' | 'zh';
export const LANGS: readonly Lang[] = ['ja', 'en', 'zh'];
const CATALOGS: Readonly<Record<Lang, Catalog>> = { en, ja, zh };
const HTML_LANG: Readonly<Record<Lang, string>> = { en: 'en', ja: 'ja', zh: 'zh-CN' };

function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem('sonicart.lang');
  return saved === 'en' || saved === 'ja' || saved === 'zh' ? saved : 'en';
}

export const lang = signal<Lang>(initialLang());

export function setLang(l: Lang): void {
  lang.value = l;
  globalThis.localStorage?.setItem('sonicart.lang', l);
  // The lang attribute picks the right CJK glyph variants (Japanese vs Simplified Chinese forms).
  document.documentElement.lang = HTML_LANG[l];
}

/** The message for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, vars: Readonly<Record<string, string | number>> = {}): string {
  const text = CATALOGS[lang.value][key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function catalogName(l: Lang): string {
  return CATALOGS[l]['lang.name'];
}

/** A duration in the current language: "45 s", "3 min", "2 h". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return t('common.seconds', { n: s });
  const m = Math.round(s / 60);
  if (m < 90) return t('common.minutes', { n: m });
  return t('common.hours', { n: Math.round(m / 60) });
}

export type { MessageKey };
