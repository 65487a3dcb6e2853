/**
 * step(state, event) → the next state and the effects as data, or a typed refusal. Pure: no
 * I/O, no time; exam-service.ts performs the effects.
 */
import type { ExamState } from '../device.js';
import { cellFor, type EffectKind, type ExamEventName } from './table.js';

/** An event the table has no cell for, in this state. Maps to HTTP 409. */
export class ExamRefusal extends Error {
  readonly code = 'EXAM_REFUSED';
  constructor(
    readonly state: ExamState,
    readonly event: ExamEventName,
  ) {
    super(`${WHAT[event]} is not possible ${WHERE[state]}`);
    this.name = 'ExamRefusal';
  }
}

const WHAT: Record<ExamEventName, string> = {
  select: 'selecting a patient',
  start: 'starting the exam',
  freeze: 'freezing',
  unfreeze: 'unfreezing',
  'store-still': 'storing a still',
  'store-cine-prospective': 'recording a prospective cine',
  'store-cine-retrospective': 'storing a retrospective cine',
  'store-screen': 'storing the screen',
  stored: 'completing a store',
  'store-failed': 'failing a store',
  review: 'reviewing',
  end: 'ending the exam',
  cancel: 'cancelling the exam',
};

const WHERE: Record<ExamState, string> = {
  idle: 'without an exam (start one first)',
  'patient-selected': 'before the exam has started',
  live: 'while live',
  frozen: 'while frozen (a prospective cine needs the live image)',
  'storing-live': 'while an image is being stored',
  'storing-frozen': 'while an image is being stored',
  review: 'in review (unfreeze first)',
  ended: 'after the exam ended',
  cancelled: 'after the exam was cancelled',
};

export interface Step {
  readonly from: ExamState;
  readonly next: ExamState;
  readonly effects: readonly EffectKind[];
}

export function step(state: ExamState, event: ExamEventName): Step {
  const cell = cellFor(state, event);
  if (!cell) throw new ExamRefusal(state, event);
  return { from: state, next: cell.next, effects: cell.effects };
}
