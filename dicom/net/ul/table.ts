/**
 * PS3.8 Table 9-10, "DICOM Upper Layer Protocol State Transition Table", as data:
 * TABLE[state][event] → action. A cell the standard leaves blank is absent here; step()
 * treats it as a protocol error (see machine.ts).
 *
 * Written one state (column of Table 9-10) per line so that a reviewer can hold it next to
 * the standard's column. The test transcribes the standard's rows independently and checks
 * all 13 × 19 cells against this.
 */
import type { ActionId, Evt, Sta } from './definitions.js';

type Row = Partial<Record<Evt, ActionId>>;

/** The PDU-arrival events other than A-ABORT: unexpected in most states (→ AA-8). */
const UNEXPECTED_PDUS: Row = {
  Evt3: 'AA-8', Evt4: 'AA-8', Evt6: 'AA-8', Evt10: 'AA-8', Evt12: 'AA-8', Evt13: 'AA-8', Evt19: 'AA-8',
};

/** While an association exists: local abort → AA-1, peer's A-ABORT → AA-3, transport lost → AA-4. */
const ABORTS: Row = { Evt15: 'AA-1', Evt16: 'AA-3', Evt17: 'AA-4' };

export const TABLE: Readonly<Record<Sta, Readonly<Row>>> = {
  Sta1: { Evt1: 'AE-1', Evt5: 'AE-5' },
  Sta2: {
    Evt3: 'AA-1', Evt4: 'AA-1', Evt6: 'AE-6', Evt10: 'AA-1', Evt12: 'AA-1', Evt13: 'AA-1',
    Evt16: 'AA-2', Evt17: 'AA-5', Evt18: 'AA-2', Evt19: 'AA-1',
  },
  Sta3: { ...UNEXPECTED_PDUS, ...ABORTS, Evt7: 'AE-7', Evt8: 'AE-8' },
  Sta4: { Evt2: 'AE-2', Evt15: 'AA-2', Evt17: 'AA-4' },
  Sta5: { ...UNEXPECTED_PDUS, ...ABORTS, Evt3: 'AE-3', Evt4: 'AE-4' },
  Sta6: { ...UNEXPECTED_PDUS, ...ABORTS, Evt9: 'DT-1', Evt10: 'DT-2', Evt11: 'AR-1', Evt12: 'AR-2' },
  Sta7: { ...UNEXPECTED_PDUS, ...ABORTS, Evt10: 'AR-6', Evt12: 'AR-8', Evt13: 'AR-3' },
  Sta8: { ...UNEXPECTED_PDUS, ...ABORTS, Evt9: 'AR-7', Evt14: 'AR-4' },
  Sta9: { ...UNEXPECTED_PDUS, ...ABORTS, Evt14: 'AR-9' },
  Sta10: { ...UNEXPECTED_PDUS, ...ABORTS, Evt13: 'AR-10' },
  Sta11: { ...UNEXPECTED_PDUS, ...ABORTS, Evt13: 'AR-3' },
  Sta12: { ...UNEXPECTED_PDUS, ...ABORTS, Evt14: 'AR-4' },
  Sta13: {
    Evt3: 'AA-6', Evt4: 'AA-6', Evt6: 'AA-7', Evt10: 'AA-6', Evt12: 'AA-6', Evt13: 'AA-6',
    Evt16: 'AA-2', Evt17: 'AR-5', Evt18: 'AA-2', Evt19: 'AA-7',
  },
};

export function actionFor(state: Sta, event: Evt): ActionId | undefined {
  return TABLE[state][event];
}
