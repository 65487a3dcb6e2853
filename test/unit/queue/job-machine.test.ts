import { describe, expect, it } from 'vitest';
import { JOB_EVENTS, JOB_STATES, TERMINAL, step, type JobEvent, type JobState } from '../../../device/queue/index.js';

/**
 * The table transcribed independently, one line per state: event → next state (absent = not
 * taken), so that every one of the 6 × 15 cells is checked.
 */
const EXPECTED: Record<JobState, Partial<Record<JobEvent, JobState>>> = {
  scheduled: { pick: 'in-progress', 'destination-paused': 'retry', 'cancel-requested': 'failed', 'retry-requested': 'scheduled', 'service-restarted': 'scheduled' },
  'in-progress': {
    stored: 'completed',
    'stored-with-warning': 'warning',
    refused: 'retry',
    rejected: 'failed',
    unsendable: 'failed',
    'transient-failure': 'retry',
    'attempts-exhausted': 'failed',
    deferred: 'scheduled',
    'service-restarted': 'scheduled',
    'report-timeout': 'retry',
  },
  completed: { 'resend-requested': 'scheduled' },
  warning: { 'retry-requested': 'scheduled', 'resend-requested': 'scheduled' },
  failed: { 'retry-requested': 'scheduled' },
  retry: { pick: 'in-progress', 'destination-paused': 'retry', 'retry-requested': 'scheduled', 'cancel-requested': 'failed', 'service-restarted': 'retry' },
};

describe('job state table', () => {
  for (const s of JOB_STATES) {
    for (const e of JOB_EVENTS) {
      const want = EXPECTED[s][e];
      it(`${s} × ${e} → ${want ?? 'not taken'}`, () => {
        const r = step(s, e);
        if (want === undefined) {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.why).toContain(`a ${s} job does not take '${e}'`);
        } else {
          expect(r.ok).toBe(true);
          if (r.ok) expect(r.transition.next).toBe(want);
        }
      });
    }
  }

  it('a try that reached the peer counts an attempt; one that did not (deferred, pause, restart) does not', () => {
    const counted = (s: JobState, e: JobEvent) => {
      const r = step(s, e);
      return r.ok && r.transition.effects.includes('count-attempt');
    };
    for (const e of ['stored', 'stored-with-warning', 'refused', 'rejected', 'transient-failure', 'attempts-exhausted'] as const) expect(counted('in-progress', e)).toBe(true);
    for (const e of ['deferred', 'unsendable', 'service-restarted'] as const) expect(counted('in-progress', e)).toBe(false);
  });

  it('A7xx releases the association and pauses the destination; a network failure pauses it', () => {
    const fx = (e: JobEvent) => {
      const r = step('in-progress', e);
      return r.ok ? r.transition.effects : [];
    };
    expect(fx('refused')).toEqual(expect.arrayContaining(['release-association', 'pause-destination', 'set-next-try', 'record-status']));
    expect(fx('transient-failure')).toEqual(expect.arrayContaining(['pause-destination', 'set-next-try']));
    expect(fx('rejected')).not.toContain('pause-destination');
    // The archive answered the N-ACTION, only its report is late: the store jobs go on.
    expect(fx('report-timeout')).not.toContain('pause-destination');
    expect(fx('report-timeout')).toEqual(expect.arrayContaining(['count-attempt', 'set-next-try']));
  });

  it('terminal states leave only by a user retry or a commitment failure\'s re-send, never by a send event', () => {
    for (const s of TERMINAL) {
      for (const e of JOB_EVENTS) {
        const r = step(s, e);
        if (r.ok) expect(['retry-requested', 'resend-requested']).toContain(e);
      }
    }
  });
});
