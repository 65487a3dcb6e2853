import { describe, expect, it } from 'vitest';
import { PduFramer, decodePdu, type AssociateAcPdu, type AssociateRqPdu, type PDataTfPdu } from '../../../dicom/net/pdu/index.js';
import {
  ACTIONS,
  EVENTS,
  IDLE,
  STATES,
  TABLE,
  eventForPdu,
  step,
  type ActionId,
  type Evt,
  type Sta,
  type UlEffect,
  type UlEvent,
  type UlState,
} from '../../../dicom/net/ul/index.js';
import { fixture } from './pdu-fixtures.js';

/**
 * PS3.8 (2024) Table 9-10, transcribed by hand from the standard in its own layout (events as
 * rows, states as columns), independently of dicom/net/ul/table.ts. "." is a blank cell.
 */
const STANDARD_TABLE_9_10 = `
         Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10 Sta11 Sta12 Sta13
Evt1     AE-1  .     .     .     .     .     .     .     .     .     .     .     .
Evt2     .     .     .     AE-2  .     .     .     .     .     .     .     .     .
Evt3     .     AA-1  AA-8  .     AE-3  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt4     .     AA-1  AA-8  .     AE-4  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt5     AE-5  .     .     .     .     .     .     .     .     .     .     .     .
Evt6     .     AE-6  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
Evt7     .     .     AE-7  .     .     .     .     .     .     .     .     .     .
Evt8     .     .     AE-8  .     .     .     .     .     .     .     .     .     .
Evt9     .     .     .     .     .     DT-1  .     AR-7  .     .     .     .     .
Evt10    .     AA-1  AA-8  .     AA-8  DT-2  AR-6  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt11    .     .     .     .     .     AR-1  .     .     .     .     .     .     .
Evt12    .     AA-1  AA-8  .     AA-8  AR-2  AR-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt13    .     AA-1  AA-8  .     AA-8  AA-8  AR-3  AA-8  AA-8  AR-10 AR-3  AA-8  AA-6
Evt14    .     .     .     .     .     .     .     AR-4  AR-9  .     .     AR-4  .
Evt15    .     .     AA-1  AA-2  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  .
Evt16    .     AA-2  AA-3  .     AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-2
Evt17    .     AA-5  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AR-5
Evt18    .     AA-2  .     .     .     .     .     .     .     .     .     .     AA-2
Evt19    .     AA-1  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
`;

function parseStandard(): Map<string, string | undefined> {
  const lines = STANDARD_TABLE_9_10.trim().split('\n');
  const cols = lines[0]!.trim().split(/\s+/);
  const cells = new Map<string, string | undefined>();
  for (const line of lines.slice(1)) {
    const [evt, ...vals] = line.trim().split(/\s+/);
    expect(vals).toHaveLength(13);
    vals.forEach((v, i) => cells.set(`${cols[i]}/${evt}`, v === '.' ? undefined : v));
  }
  return cells;
}
const STANDARD = parseStandard();

/** Next states of the actions, PS3.8 Tables 9-6 … 9-9 (two for the conditional ones). */
const NEXT_STATE: Record<ActionId, Sta | readonly Sta[]> = {
  'AE-1': 'Sta4', 'AE-2': 'Sta5', 'AE-3': 'Sta6', 'AE-4': 'Sta1', 'AE-5': 'Sta2', 'AE-6': ['Sta3', 'Sta13'],
  'AE-7': 'Sta6', 'AE-8': 'Sta13', 'DT-1': 'Sta6', 'DT-2': 'Sta6',
  'AR-1': 'Sta7', 'AR-2': 'Sta8', 'AR-3': 'Sta1', 'AR-4': 'Sta13', 'AR-5': 'Sta1', 'AR-6': 'Sta7', 'AR-7': 'Sta8',
  'AR-8': ['Sta9', 'Sta10'], 'AR-9': 'Sta11', 'AR-10': 'Sta12',
  'AA-1': 'Sta13', 'AA-2': 'Sta1', 'AA-3': 'Sta1', 'AA-4': 'Sta1', 'AA-5': 'Sta1', 'AA-6': 'Sta13', 'AA-7': 'Sta13', 'AA-8': 'Sta13',
};

/** What each action does, in our effect vocabulary, read off the same tables. */
const EFFECTS: Record<ActionId, string[]> = {
  'AE-1': ['transport-connect'],
  'AE-2': ['send:A-ASSOCIATE-RQ'],
  'AE-3': ['indicate:A-ASSOCIATE-confirm-accept'],
  'AE-4': ['indicate:A-ASSOCIATE-confirm-reject', 'transport-close'],
  'AE-5': ['transport-accept', 'artim-start'],
  'AE-6': ['artim-stop', 'indicate:A-ASSOCIATE-indication'],
  'AE-7': ['send:A-ASSOCIATE-AC'],
  'AE-8': ['send:A-ASSOCIATE-RJ', 'artim-start'],
  'DT-1': ['send:P-DATA-TF'],
  'DT-2': ['indicate:P-DATA-indication'],
  'AR-1': ['send:A-RELEASE-RQ'],
  'AR-2': ['indicate:A-RELEASE-indication'],
  'AR-3': ['indicate:A-RELEASE-confirm', 'transport-close'],
  'AR-4': ['send:A-RELEASE-RP', 'artim-start'],
  'AR-5': ['artim-stop'],
  'AR-6': ['indicate:P-DATA-indication'],
  'AR-7': ['send:P-DATA-TF'],
  'AR-8': ['indicate:A-RELEASE-indication'],
  'AR-9': ['send:A-RELEASE-RP'],
  'AR-10': ['indicate:A-RELEASE-confirm'],
  'AA-1': ['send:A-ABORT', 'artim-start'],
  'AA-2': ['artim-stop', 'transport-close'],
  'AA-3': ['indicate:A-ABORT-indication', 'transport-close'],
  'AA-4': ['indicate:A-P-ABORT-indication'],
  'AA-5': ['artim-stop'],
  'AA-6': [],
  'AA-7': ['send:A-ABORT'],
  'AA-8': ['send:A-ABORT', 'indicate:A-P-ABORT-indication', 'artim-start'],
};

const sig = (e: UlEffect): string =>
  e.kind === 'send' ? `send:${e.pdu.type}` : e.kind === 'indicate' ? `indicate:${e.indication.primitive}` : e.kind;

const rq = decodePdu(fixture('a-associate-rq')) as AssociateRqPdu;
const ac = decodePdu(fixture('a-associate-ac')) as AssociateAcPdu;
const pdata = decodePdu(fixture('p-data-tf-echo')) as PDataTfPdu;

function sampleEvent(evt: Evt): UlEvent {
  switch (evt) {
    case 'Evt1': return { type: 'Evt1', rq };
    case 'Evt3': return { type: 'Evt3', pdu: ac };
    case 'Evt4': return { type: 'Evt4', pdu: { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 } };
    case 'Evt6': return { type: 'Evt6', pdu: rq };
    case 'Evt7': return { type: 'Evt7', ac };
    case 'Evt8': return { type: 'Evt8', rj: { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 3 } };
    case 'Evt9': return { type: 'Evt9', pdu: pdata };
    case 'Evt10': return { type: 'Evt10', pdu: pdata };
    case 'Evt16': return { type: 'Evt16', pdu: { type: 'A-ABORT', source: 0, reason: 0 } };
    case 'Evt19': return { type: 'Evt19', reason: 1 };
    default: return { type: evt } as UlEvent;
  }
}

const stateFor = (sta: Sta, role: 'requestor' | 'acceptor' = 'requestor'): UlState =>
  sta === 'Sta4' ? { sta, role, pendingRq: rq } : { sta, role };

describe('TABLE matches PS3.8 Table 9-10 cell by cell', () => {
  it('covers the standard vocabulary', () => {
    expect(STATES).toHaveLength(13);
    expect(EVENTS).toHaveLength(19);
    expect(ACTIONS).toHaveLength(28);
    expect(STANDARD.size).toBe(13 * 19);
  });

  for (const sta of STATES) {
    for (const evt of EVENTS) {
      const want = STANDARD.get(`${sta}/${evt}`);
      it(`${sta} × ${evt} → ${want ?? 'blank'}`, () => {
        expect(TABLE[sta][evt]).toBe(want);
        const event = sampleEvent(evt);
        const r = step(stateFor(sta), event);
        expect(r.action).toBe(want);
        if (want !== undefined) {
          const action = want as ActionId;
          const next = NEXT_STATE[action];
          if (typeof next === 'string') expect(r.next.sta).toBe(next);
          else expect(next).toContain(r.next.sta);
          const effects = r.effects.map(sig);
          // AA-3 reports the peer's user abort as A-ABORT; the sample Evt16 is a user abort.
          expect(effects).toEqual(EFFECTS[action]);
        } else {
          // A blank cell: a protocol error, then what the machine does about it.
          expect(r.effects[0]).toMatchObject({ kind: 'protocol-error', state: sta, event: evt });
          const rest = r.effects.slice(1).map(sig);
          if (sta === 'Sta1') {
            expect(r.next.sta).toBe('Sta1');
            expect(rest).toEqual([]);
          } else if (sta === 'Sta4') {
            expect(r.next.sta).toBe('Sta1');
            expect(rest).toEqual(['transport-close', 'indicate:A-P-ABORT-indication']);
          } else if (sta === 'Sta13') {
            expect(r.next.sta).toBe('Sta13');
            expect(rest).toEqual([]);
          } else {
            expect(r.next.sta).toBe('Sta13');
            expect(rest).toEqual(EFFECTS['AA-8']);
          }
        }
      });
    }
  }
});

describe('actions that depend on data', () => {
  it('AR-8: the release collision goes to Sta9 for the requestor, Sta10 for the acceptor', () => {
    expect(step(stateFor('Sta7', 'requestor'), { type: 'Evt12' }).next.sta).toBe('Sta9');
    expect(step(stateFor('Sta7', 'acceptor'), { type: 'Evt12' }).next.sta).toBe('Sta10');
    expect(step(stateFor('Sta7', 'acceptor'), { type: 'Evt12' }).effects).toEqual([
      { kind: 'indicate', indication: { primitive: 'A-RELEASE-indication', collision: true } },
    ]);
  });

  it('AE-6: an RQ the provider cannot accept is answered with A-ASSOCIATE-RJ, then Sta13', () => {
    const rj = { type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 2 } as const;
    const r = step(stateFor('Sta2', 'acceptor'), { type: 'Evt6', pdu: undefined, providerReject: rj });
    expect(r.next.sta).toBe('Sta13');
    expect(r.effects).toEqual([{ kind: 'artim-stop' }, { kind: 'send', pdu: rj }, { kind: 'artim-start' }]);
  });

  it('AA-3: a provider-source A-ABORT is indicated as A-P-ABORT', () => {
    const pdu = { type: 'A-ABORT', source: 2, reason: 1 } as const;
    const r = step(stateFor('Sta6'), { type: 'Evt16', pdu });
    expect(r.effects[0]).toEqual({ kind: 'indicate', indication: { primitive: 'A-P-ABORT-indication', cause: 'peer-provider', pdu } });
  });

  it('AA-8 and AA-7 send a provider A-ABORT with the reason of the event', () => {
    const r = step(stateFor('Sta6'), { type: 'Evt19', reason: 6 });
    expect(r.effects[0]).toEqual({ kind: 'send', pdu: { type: 'A-ABORT', source: 2, reason: 6 } });
    const unexpected = step(stateFor('Sta5'), { type: 'Evt10', pdu: pdata });
    expect(unexpected.effects[0]).toEqual({ kind: 'send', pdu: { type: 'A-ABORT', source: 2, reason: 2 } });
    const s13 = step(stateFor('Sta13'), { type: 'Evt6', pdu: rq });
    expect(s13.effects).toEqual([{ kind: 'send', pdu: { type: 'A-ABORT', source: 2, reason: 2 } }]);
  });

  it('AA-1 sends a service-user A-ABORT', () => {
    expect(step(stateFor('Sta6'), { type: 'Evt15' }).effects[0]).toEqual({ kind: 'send', pdu: { type: 'A-ABORT', source: 0, reason: 0 } });
  });
});

describe('lifecycles', () => {
  function run(events: UlEvent[], start: UlState = IDLE): { states: Sta[]; effects: string[] } {
    let s = start;
    const states: Sta[] = [];
    const effects: string[] = [];
    for (const e of events) {
      const r = step(s, e);
      s = r.next;
      states.push(s.sta);
      effects.push(...r.effects.map(sig));
    }
    return { states, effects };
  }

  it('requestor: associate, data, release', () => {
    const { states, effects } = run([
      { type: 'Evt1', rq },
      { type: 'Evt2' },
      { type: 'Evt3', pdu: ac },
      { type: 'Evt9', pdu: pdata },
      { type: 'Evt10', pdu: pdata },
      { type: 'Evt11' },
      { type: 'Evt13' },
    ]);
    expect(states).toEqual(['Sta4', 'Sta5', 'Sta6', 'Sta6', 'Sta6', 'Sta7', 'Sta1']);
    expect(effects).toEqual([
      'transport-connect',
      'send:A-ASSOCIATE-RQ',
      'indicate:A-ASSOCIATE-confirm-accept',
      'send:P-DATA-TF',
      'indicate:P-DATA-indication',
      'send:A-RELEASE-RQ',
      'indicate:A-RELEASE-confirm',
      'transport-close',
    ]);
  });

  it('acceptor: associate, release, transport closed by the requestor', () => {
    const { states } = run([{ type: 'Evt5' }, { type: 'Evt6', pdu: rq }, { type: 'Evt7', ac }, { type: 'Evt12' }, { type: 'Evt14' }, { type: 'Evt17' }]);
    expect(states).toEqual(['Sta2', 'Sta3', 'Sta6', 'Sta8', 'Sta13', 'Sta1']);
  });

  it('release collision, requestor side: Sta7 → Sta9 → Sta11 → Sta1', () => {
    const { states } = run([{ type: 'Evt1', rq }, { type: 'Evt2' }, { type: 'Evt3', pdu: ac }, { type: 'Evt11' }, { type: 'Evt12' }, { type: 'Evt14' }, { type: 'Evt13' }]);
    expect(states).toEqual(['Sta4', 'Sta5', 'Sta6', 'Sta7', 'Sta9', 'Sta11', 'Sta1']);
  });

  it('release collision, acceptor side: Sta7 → Sta10 → Sta12 → Sta13', () => {
    const { states } = run([{ type: 'Evt5' }, { type: 'Evt6', pdu: rq }, { type: 'Evt7', ac }, { type: 'Evt11' }, { type: 'Evt12' }, { type: 'Evt13' }, { type: 'Evt14' }, { type: 'Evt17' }]);
    expect(states).toEqual(['Sta2', 'Sta3', 'Sta6', 'Sta7', 'Sta10', 'Sta12', 'Sta13', 'Sta1']);
  });

  it('ARTIM expiry after a reject closes the transport', () => {
    const { states, effects } = run([{ type: 'Evt5' }, { type: 'Evt6', pdu: rq }, { type: 'Evt8', rj: { type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 } }, { type: 'Evt18' }]);
    expect(states).toEqual(['Sta2', 'Sta3', 'Sta13', 'Sta1']);
    expect(effects.slice(-2)).toEqual(['artim-stop', 'transport-close']);
  });

  it('the state is plain data: role and pending RQ do not leak past the association', () => {
    const r1 = step(IDLE, { type: 'Evt1', rq });
    expect(r1.next).toEqual({ sta: 'Sta4', role: 'requestor', pendingRq: rq });
    const r2 = step(r1.next, { type: 'Evt2' });
    expect(r2.next).toEqual({ sta: 'Sta5', role: 'requestor' });
    expect(step(r2.next, { type: 'Evt17' }).next).toEqual(IDLE);
  });
});

describe('eventForPdu', () => {
  it('maps every PDU to its Table 9-10 event', () => {
    const f = new PduFramer({ maxPdataLength: 65536 });
    const names = ['a-associate-rq', 'a-associate-ac', 'a-associate-rj', 'p-data-tf-echo', 'a-release-rq', 'a-release-rp', 'a-abort-user', 'unknown-pdu'];
    const events = names.flatMap((n) => f.push(fixture(n))).map((p) => eventForPdu(p).type);
    expect(events).toEqual(['Evt6', 'Evt3', 'Evt4', 'Evt10', 'Evt12', 'Evt13', 'Evt16', 'Evt19']);
  });

  it('a malformed PDU is Evt19 with invalid-PDU-parameter; a bad protocol version is a provider reject', () => {
    const f = new PduFramer({ maxPdataLength: 65536 });
    const pdv = Uint8Array.of(4, 0, 0, 0, 0, 7, 0, 0, 0, 3, 2, 3, 0);
    expect(eventForPdu(f.push(pdv)[0]!)).toMatchObject({ type: 'Evt19', reason: 6 });
    const rqBytes = fixture('a-associate-rq').slice();
    rqBytes[7] = 2;
    const e = eventForPdu(f.push(rqBytes)[0]!);
    expect(e).toEqual({ type: 'Evt6', pdu: undefined, providerReject: { type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 2 } });
    expect(step({ sta: 'Sta2', role: 'acceptor' }, e).next.sta).toBe('Sta13');
  });
});
