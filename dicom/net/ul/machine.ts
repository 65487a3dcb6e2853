/**
 * The pure upper-layer state machine: step(state, event) → { next, effects }. The table
 * (table.ts) picks the action; the actions below (PS3.8 Tables 9-6…9-9) produce the next
 * state and the effects as data. No sockets, no timers: the I/O layer runs the effects.
 */
import type { AbortPdu, AssociateRjPdu, Pdu } from '../pdu/types.js';
import { STATE_TEXT, EVENT_TEXT, type ActionId, type Evt, type Sta } from './definitions.js';
import { ABORT_REASON, ABORT_SOURCE, type StepResult, type UlEffect, type UlEvent, type UlState } from './events.js';
import { actionFor } from './table.js';
import { DicomError } from '../../core/errors.js';

type Action = (state: UlState, event: UlEvent) => { next: UlState; effects: UlEffect[] };

const to = (state: UlState, sta: Sta, extra: Partial<UlState> = {}): UlState => ({ sta, role: state.role, ...extra });
const send = (pdu: Pdu): UlEffect => ({ kind: 'send', pdu });
const abortPdu = (source: number, reason: number): AbortPdu => ({ type: 'A-ABORT', source, reason });
const ARTIM_START: UlEffect = { kind: 'artim-start' };
const ARTIM_STOP: UlEffect = { kind: 'artim-stop' };
const CLOSE: UlEffect = { kind: 'transport-close' };

function expect<T extends UlEvent['type']>(event: UlEvent, ...types: T[]): Extract<UlEvent, { type: T }> {
  if (!(types as string[]).includes(event.type)) {
    throw new DicomError('UL_BAD_TRANSITION', `action given ${event.type}, expects ${types.join('/')}`);
  }
  return event as Extract<UlEvent, { type: T }>;
}

/** The A-ABORT reason a provider abort (AA-7, AA-8) reports for this event. */
function providerAbortReason(event: UlEvent): number {
  return event.type === 'Evt19' ? event.reason : ABORT_REASON.UNEXPECTED_PDU;
}

const ACTIONS: Readonly<Record<ActionId, Action>> = {
  'AE-1': (s, e) => {
    const { rq } = expect(e, 'Evt1');
    return { next: { sta: 'Sta4', role: 'requestor', pendingRq: rq }, effects: [{ kind: 'transport-connect', rq }] };
  },
  'AE-2': (s) => {
    if (s.pendingRq === undefined) throw new DicomError('UL_BAD_TRANSITION', 'AE-2 without the A-ASSOCIATE-RQ given with Evt1');
    return { next: to(s, 'Sta5'), effects: [send(s.pendingRq)] };
  },
  'AE-3': (s, e) => ({
    next: to(s, 'Sta6'),
    effects: [{ kind: 'indicate', indication: { primitive: 'A-ASSOCIATE-confirm-accept', ac: expect(e, 'Evt3').pdu } }],
  }),
  'AE-4': (s, e) => ({
    next: to(s, 'Sta1'),
    effects: [{ kind: 'indicate', indication: { primitive: 'A-ASSOCIATE-confirm-reject', rj: expect(e, 'Evt4').pdu } }, CLOSE],
  }),
  'AE-5': () => ({ next: { sta: 'Sta2', role: 'acceptor' }, effects: [{ kind: 'transport-accept' }, ARTIM_START] }),
  'AE-6': (s, e) => {
    const ev = expect(e, 'Evt6');
    if (ev.providerReject !== undefined || ev.pdu === undefined) {
      const rj: AssociateRjPdu = ev.providerReject ?? { type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 1 };
      return { next: to(s, 'Sta13'), effects: [ARTIM_STOP, send(rj), ARTIM_START] };
    }
    return { next: to(s, 'Sta3'), effects: [ARTIM_STOP, { kind: 'indicate', indication: { primitive: 'A-ASSOCIATE-indication', rq: ev.pdu } }] };
  },
  'AE-7': (s, e) => ({ next: to(s, 'Sta6'), effects: [send(expect(e, 'Evt7').ac)] }),
  'AE-8': (s, e) => ({ next: to(s, 'Sta13'), effects: [send(expect(e, 'Evt8').rj), ARTIM_START] }),

  'DT-1': (s, e) => ({ next: to(s, 'Sta6'), effects: [send(expect(e, 'Evt9').pdu)] }),
  'DT-2': (s, e) => ({ next: to(s, 'Sta6'), effects: [{ kind: 'indicate', indication: { primitive: 'P-DATA-indication', pdu: expect(e, 'Evt10').pdu } }] }),

  'AR-1': (s) => ({ next: to(s, 'Sta7'), effects: [send({ type: 'A-RELEASE-RQ' })] }),
  'AR-2': (s) => ({ next: to(s, 'Sta8'), effects: [{ kind: 'indicate', indication: { primitive: 'A-RELEASE-indication', collision: false } }] }),
  'AR-3': (s) => ({ next: to(s, 'Sta1'), effects: [{ kind: 'indicate', indication: { primitive: 'A-RELEASE-confirm' } }, CLOSE] }),
  'AR-4': (s) => ({ next: to(s, 'Sta13'), effects: [send({ type: 'A-RELEASE-RP' }), ARTIM_START] }),
  'AR-5': (s) => ({ next: to(s, 'Sta1'), effects: [ARTIM_STOP] }),
  'AR-6': (s, e) => ({ next: to(s, 'Sta7'), effects: [{ kind: 'indicate', indication: { primitive: 'P-DATA-indication', pdu: expect(e, 'Evt10').pdu } }] }),
  'AR-7': (s, e) => ({ next: to(s, 'Sta8'), effects: [send(expect(e, 'Evt9').pdu)] }),
  'AR-8': (s) => {
    if (s.role === undefined) throw new DicomError('UL_BAD_TRANSITION', 'AR-8 needs to know whether we are the association-requestor');
    return {
      next: to(s, s.role === 'requestor' ? 'Sta9' : 'Sta10'),
      effects: [{ kind: 'indicate', indication: { primitive: 'A-RELEASE-indication', collision: true } }],
    };
  },
  'AR-9': (s) => ({ next: to(s, 'Sta11'), effects: [send({ type: 'A-RELEASE-RP' })] }),
  'AR-10': (s) => ({ next: to(s, 'Sta12'), effects: [{ kind: 'indicate', indication: { primitive: 'A-RELEASE-confirm' } }] }),

  // PS3.8 says "service-user source" for AA-1 even where it answers a PDU in Sta2.
  'AA-1': (s) => ({ next: to(s, 'Sta13'), effects: [send(abortPdu(ABORT_SOURCE.SERVICE_USER, 0)), ARTIM_START] }),
  'AA-2': (s) => ({ next: to(s, 'Sta1'), effects: [ARTIM_STOP, CLOSE] }),
  'AA-3': (s, e) => {
    const { pdu } = expect(e, 'Evt16');
    const indication =
      pdu.source === ABORT_SOURCE.SERVICE_USER
        ? ({ primitive: 'A-ABORT-indication', pdu } as const)
        : ({ primitive: 'A-P-ABORT-indication', cause: 'peer-provider', pdu } as const);
    return { next: to(s, 'Sta1'), effects: [{ kind: 'indicate', indication }, CLOSE] };
  },
  'AA-4': (s) => ({ next: to(s, 'Sta1'), effects: [{ kind: 'indicate', indication: { primitive: 'A-P-ABORT-indication', cause: 'transport-closed' } }] }),
  'AA-5': (s) => ({ next: to(s, 'Sta1'), effects: [ARTIM_STOP] }),
  'AA-6': (s) => ({ next: to(s, 'Sta13'), effects: [] }),
  'AA-7': (s, e) => ({ next: to(s, 'Sta13'), effects: [send(abortPdu(ABORT_SOURCE.SERVICE_PROVIDER, providerAbortReason(e)))] }),
  'AA-8': (s, e) => {
    const reason = providerAbortReason(e);
    return {
      next: to(s, 'Sta13'),
      effects: [
        send(abortPdu(ABORT_SOURCE.SERVICE_PROVIDER, reason)),
        { kind: 'indicate', indication: { primitive: 'A-P-ABORT-indication', cause: 'local-provider', reason } },
        ARTIM_START,
      ],
    };
  },
};

/** Where the transport is open and an A-ABORT can still be sent. */
const CONNECTED: ReadonlySet<Sta> = new Set<Sta>(['Sta2', 'Sta3', 'Sta5', 'Sta6', 'Sta7', 'Sta8', 'Sta9', 'Sta10', 'Sta11', 'Sta12']);

/**
 * A blank cell of Table 9-10. PS3.8 §9.2.3 does not define these transitions; we treat them
 * the way the table treats an unexpected PDU: with the transport open, AA-8 (provider abort,
 * A-P-ABORT indication, ARTIM); in Sta13 the event is ignored (as AA-6); in Sta4 the
 * half-open transport is closed (as AA-2 plus an A-P-ABORT indication); in Sta1 nothing
 * exists to abort. A protocol-error effect always comes first so the I/O layer can log it
 * (a local primitive in the wrong state is a bug in our own code).
 */
function blankCell(state: UlState, event: UlEvent): StepResult {
  const sta = state.sta;
  const evt = event.type as Evt;
  const error: UlEffect = {
    kind: 'protocol-error',
    state: sta,
    event: evt,
    message: `${evt} (${EVENT_TEXT[evt]}) is not expected in ${sta} (${STATE_TEXT[sta]})`,
  };
  if (CONNECTED.has(sta)) {
    const r = ACTIONS['AA-8'](state, event);
    return { next: r.next, effects: [error, ...r.effects], action: undefined };
  }
  if (sta === 'Sta4') {
    return {
      next: to(state, 'Sta1'),
      effects: [error, CLOSE, { kind: 'indicate', indication: { primitive: 'A-P-ABORT-indication', cause: 'local-provider' } }],
      action: undefined,
    };
  }
  return { next: state, effects: [error], action: undefined };
}

export function step(state: UlState, event: UlEvent): StepResult {
  const action = actionFor(state.sta, event.type);
  if (action === undefined) return blankCell(state, event);
  const { next, effects } = ACTIONS[action](state, event);
  // The RQ is only needed until AE-2 sends it; role survives until the association ends.
  const cleaned: UlState = next.sta === 'Sta1' ? { sta: 'Sta1', role: undefined } : next.sta === 'Sta4' ? next : { sta: next.sta, role: next.role };
  return { next: cleaned, effects, action };
}
