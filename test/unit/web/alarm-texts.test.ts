/**
 * Every alarm the service can raise has a text in each kiosk language. The codes come from
 * device/alarms.ts ALARMS, whose type makes it hold exactly the codes of the API contract
 * (api-types.ts AlarmParamsByCode); the parameter names from PARAMS below, typed by the same
 * contract, so neither is a list kept by hand. A text may only name parameters its alarm has.
 */
import { describe, expect, it } from 'vitest';
import { ALARM_CODES, ALARMS } from '../../../device/alarms.js';
import type { AlarmCode, AlarmParamsByCode } from '../../../device/web/api-types.js';
import { en } from '../../../ui-kiosk/src/i18n/en.js';
import { ja } from '../../../ui-kiosk/src/i18n/ja.js';
import { zh } from '../../../ui-kiosk/src/i18n/zh.js';

const CATALOGS = { en, ja, zh } as const;

/** One set of parameters per code: the type requires every code and exactly its parameters. */
const PARAMS: { readonly [K in AlarmCode]: AlarmParamsByCode[K] } = {
  DISK_LOW: { freeMb: 812, limitMb: 2048, dataDir: '/var/lib/sonicart' },
  DISK_FULL: { freeMb: 90, limitMb: 512, dataDir: '/var/lib/sonicart' },
  SPOOL_OVER_QUOTA: { storeMb: 20_480, limitMb: 20_000 },
  INSTANCES_MISSING: { count: 3 },
  DESTINATION_PAUSED: { destination: 'PACS', reason: 'connect ECONNREFUSED 10.0.0.5:104', until: '2026-12-03T09:48:20.123Z' },
  WORKLIST_UNREACHABLE: { reason: 'RIS: association rejected' },
  FRAME_SOURCE_STOPPED: { source: 'simulated frame grabber' },
  PANEL_ABSENT: { path: '/dev/sonicart-panel', detail: 'ENOENT' },
  PANEL_GONE: { path: '/dev/sonicart-panel', detail: 'closed' },
  PANEL_SILENT: { path: '/dev/sonicart-panel', detail: 'no heartbeat for 3000 ms' },
  PANEL_GARBAGE: { path: '/dev/sonicart-panel', detail: 'BAD_CHECKSUM' },
  PANEL_VERSION: { path: '/dev/sonicart-panel', detail: 'protocol 2.0' },
  SCP_NOT_LISTENING: { aeTitle: 'US_CART', port: 104, reason: 'cannot listen on 0.0.0.0:104: EADDRINUSE', retryS: 10 },
};

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

describe('alarm texts', () => {
  it('the codes the service raises are the codes of the contract (and there are some)', () => {
    expect([...ALARM_CODES].sort()).toEqual(Object.keys(PARAMS).sort());
    expect(ALARM_CODES).toContain('WORKLIST_UNREACHABLE');
  });

  for (const code of ALARM_CODES) {
    it(`${code}: a text in en, ja and zh naming only its parameters; an English message`, () => {
      const names = Object.keys(PARAMS[code]);
      for (const [lang, catalog] of Object.entries(CATALOGS)) {
        const text = (catalog as Readonly<Record<string, string>>)[`alarm.${code}`];
        expect(text, `${lang} alarm.${code}`).toBeTruthy();
        for (const p of placeholders(text!)) expect(names, `${lang} alarm.${code} names {${p}}`).toContain(p);
        // Japanese has kana; Chinese none (a Japanese text pasted into zh fails here).
        if (lang === 'ja') expect(text).toMatch(/[\u3040-\u30ff]/);
        if (lang === 'zh') {
          expect(text).toMatch(/[\u4e00-\u9fff]/);
          expect(text).not.toMatch(/[\u3040-\u30ff]/);
        }
        if (lang !== 'en') expect(text).not.toBe(en[`alarm.${code}`]);
      }
      const message = (ALARMS[code].message as (p: unknown) => string)(PARAMS[code]);
      expect(message).not.toMatch(/undefined|\[object/);
    });
  }
});
