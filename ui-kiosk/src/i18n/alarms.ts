/**
 * An alarm in the kiosk's language: the catalog's text for its code, filled with its parameters.
 * The service's English `message` is for logs and other API clients; the screen never shows it.
 */
import type { Alarm, AlarmCode } from '../../../device/web/api-types.js';
import { lang, t, type MessageKey } from './index.js';

type AlarmKey = `alarm.${AlarmCode}`;
/** Compile-time: every alarm code of the API contract has a text in the catalogs. */
type MissingAlarmTexts = Exclude<AlarmKey, MessageKey>;
const everyAlarmHasText: [MissingAlarmTexts] extends [never] ? true : MissingAlarmTexts = true;
void everyAlarmHasText;

export function alarmText(a: Alarm): string {
  const key: AlarmKey & MessageKey = `alarm.${a.code}`;
  if (a.code === 'DESTINATION_PAUSED') return t(key, { ...a.params, until: clockTime(a.params.until) });
  return t(key, a.params);
}

/** "14:05:09": a retry is seconds to minutes away, and the screen may not re-render until then. */
function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(lang.value === 'zh' ? 'zh-CN' : lang.value, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
