/**
 * The exam workflow as data: TABLE[state][event] → next state + the effects to perform, in the
 * style of dicom/net/ul/table.ts. A cell that is absent is a refusal (machine.ts turns it into
 * a typed ExamRefusal); nothing here runs code. One state per block so a reviewer can read the
 * workflow a state at a time; the test checks every cell, present and absent.
 *
 * Storing has two states so that the exam returns where it was: a still taken while live goes
 * back to live, one taken from a frozen image back to frozen. A prospective cine records live
 * frames, so it is only possible while live.
 */
import type { ExamState } from '../device.js';

export const EXAM_STATES: readonly ExamState[] = ['idle', 'patient-selected', 'live', 'frozen', 'storing-live', 'storing-frozen', 'review', 'ended', 'cancelled'];

export type ExamEventName =
  | 'select'
  | 'start'
  | 'freeze'
  | 'unfreeze'
  | 'store-still'
  | 'store-cine-prospective'
  | 'store-cine-retrospective'
  | 'store-screen'
  | 'stored'
  | 'store-failed'
  | 'review'
  | 'end'
  | 'cancel';

export const EXAM_EVENTS: readonly ExamEventName[] = [
  'select', 'start', 'freeze', 'unfreeze', 'store-still', 'store-cine-prospective', 'store-cine-retrospective', 'store-screen',
  'stored', 'store-failed', 'review', 'end', 'cancel',
];

/**
 * What the runner (exam-service.ts) does, in order:
 * - open-exam: build the exam context (worklist mapping or unscheduled patient, new Study UID) and its row;
 * - capture-live / capture-freeze / capture-stop: the frame source and the ring;
 * - store-instance: write the file and its row (durable), then feed `stored` or `store-failed`;
 * - close-exam: mark the exam ended or cancelled in the database;
 * - enqueue-sends: one job per instance × `store` destination; export-if-configured: the media job;
 * - mpps-in-progress / mpps-completed / mpps-discontinued: the MPPS message (N-CREATE at the first
 *   live image, N-SET COMPLETED at the end, N-SET DISCONTINUED on cancel) to every `mpps`
 *   destination (procedure-steps.ts). A cancel before the start has no step to discontinue.
 */
export type EffectKind =
  | 'open-exam'
  | 'capture-live'
  | 'capture-freeze'
  | 'capture-stop'
  | 'store-instance'
  | 'close-exam'
  | 'enqueue-sends'
  | 'export-if-configured'
  | 'mpps-in-progress'
  | 'mpps-completed'
  | 'mpps-discontinued';

export interface Cell {
  readonly next: ExamState;
  readonly effects: readonly EffectKind[];
}

type Row = Partial<Record<ExamEventName, Cell>>;

const SELECT: Row = { select: { next: 'patient-selected', effects: ['open-exam'] } };
const END: Cell = { next: 'ended', effects: ['capture-stop', 'close-exam', 'enqueue-sends', 'mpps-completed', 'export-if-configured'] };
const CANCEL: Cell = { next: 'cancelled', effects: ['capture-stop', 'close-exam', 'mpps-discontinued'] };
const STORE = (from: 'storing-live' | 'storing-frozen'): Cell => ({ next: from, effects: ['store-instance'] });

export const TABLE: Readonly<Record<ExamState, Readonly<Row>>> = {
  idle: { ...SELECT },
  'patient-selected': {
    start: { next: 'live', effects: ['capture-live', 'mpps-in-progress'] },
    cancel: { next: 'cancelled', effects: ['close-exam'] },
  },
  live: {
    freeze: { next: 'frozen', effects: ['capture-freeze'] },
    'store-still': STORE('storing-live'),
    'store-cine-prospective': STORE('storing-live'),
    'store-cine-retrospective': STORE('storing-live'),
    'store-screen': STORE('storing-live'),
    review: { next: 'review', effects: ['capture-freeze'] },
    end: END,
    cancel: CANCEL,
  },
  frozen: {
    unfreeze: { next: 'live', effects: ['capture-live'] },
    'store-still': STORE('storing-frozen'),
    'store-cine-retrospective': STORE('storing-frozen'),
    'store-screen': STORE('storing-frozen'),
    review: { next: 'review', effects: [] },
    end: END,
    cancel: CANCEL,
  },
  'storing-live': {
    stored: { next: 'live', effects: [] },
    'store-failed': { next: 'live', effects: [] },
  },
  'storing-frozen': {
    stored: { next: 'frozen', effects: [] },
    'store-failed': { next: 'frozen', effects: [] },
  },
  review: {
    unfreeze: { next: 'live', effects: ['capture-live'] },
    freeze: { next: 'frozen', effects: [] },
    end: END,
    cancel: CANCEL,
  },
  // A closed exam: the next patient may be selected straight away.
  ended: { ...SELECT },
  cancelled: { ...SELECT },
};

export function cellFor(state: ExamState, event: ExamEventName): Cell | undefined {
  return TABLE[state][event];
}
