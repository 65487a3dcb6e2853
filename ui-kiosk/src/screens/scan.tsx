/**
 * Scan: the live image with freeze, store still / cine / screen, the clip length, a recording
 * indicator and the end of the exam. Every store answers only once the service made the file
 * durable, so "Stored" here means on disk and in the database.
 */
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { EndExamResponse, ExamState, FreezeResponse, StoreCineRequest, StoreCineResponse, StoreInstanceResponse } from '../../../device/web/api-types.js';
import { api, describeFailure } from '../api/client.js';
import { deviceState } from '../api/events.js';
import { connectLive, liveStats } from '../api/live.js';
import { Notice } from '../components/notice.js';
import { t } from '../i18n/index.js';
import { screen } from '../store.js';

const CLIP_LENGTHS = [3, 5, 10] as const;
/** Above this frame age (ms) the screen says the image lags. */
const LAG_WARNING_MS = 250;
const ACTIVE_STATES: ReadonlySet<ExamState> = new Set(['patient-selected', 'live', 'frozen', 'storing-live', 'storing-frozen', 'review']);

export function ScanScreen() {
  const canvas = useRef<HTMLCanvasElement>(null);
  const busy = useSignal<string | null>(null);
  const message = useSignal<{ kind: 'error' | 'info'; text: string } | null>(null);
  const clip = useSignal<number>(5);
  const mode = useSignal<StoreCineRequest['mode']>('retrospective');

  useEffect(() => (canvas.current ? connectLive(canvas.current) : undefined), []);

  const exam = deviceState.value?.exam ?? null;
  const capture = deviceState.value?.capture;
  const active = exam !== null && ACTIVE_STATES.has(exam.state);
  const stats = liveStats.value;
  const noSignal = stats.frames === 0 || Date.now() - stats.lastFrameAt > 2000;

  const run = async (label: string, fn: () => Promise<string | null>): Promise<void> => {
    busy.value = label;
    message.value = null;
    try {
      const done = await fn();
      if (done) message.value = { kind: 'info', text: done };
    } catch (e) {
      message.value = { kind: 'error', text: describeFailure(e) };
    } finally {
      busy.value = null;
    }
  };
  const storedText = (): string => t('scan.stored', { count: (deviceState.value?.exam?.instances.length ?? 0) });

  if (!exam || !active) {
    return (
      <section class="screen scan" data-screen="scan">
        <div class="live-wrap">
          <canvas ref={canvas} class="live" data-testid="live" />
        </div>
        <Notice kind="info">{t('scan.noExam')}</Notice>
        <button class="btn big" onClick={() => (screen.value = 'worklist')}>
          {t('nav.worklist')}
        </button>
      </section>
    );
  }

  const frozen = exam.state === 'frozen' || exam.state === 'storing-frozen' || capture?.frozen === true;
  const recording = capture?.recording !== undefined;
  return (
    <section class="screen scan" data-screen="scan">
      <div class="live-wrap">
        <canvas ref={canvas} class="live" data-testid="live" />
        <div class="live-overlay">
          <span class={`badge ${frozen ? 'frozen' : 'live'}`} data-testid="live-state">
            {frozen ? t('scan.frozen') : t('scan.live')}
          </span>
          {recording ? (
            <span class="badge recording" data-testid="recording">
              ● {t('scan.recording', { n: clip.value })}
            </span>
          ) : null}
          {noSignal ? <span class="badge warn">{t('scan.noSignal')}</span> : null}
          {!noSignal && stats.ageP95 > LAG_WARNING_MS ? (
            <span class="badge warn" data-testid="lag">
              {t('scan.lag', { ms: Math.round(stats.ageP95) })}
            </span>
          ) : null}
          <span class="badge dim" data-testid="fps">
            {t('scan.fps', { fps: stats.fps.toFixed(0) })}
          </span>
        </div>
      </div>
      <div class="controls">
        <button
          class={`btn big ${frozen ? 'selected' : ''}`}
          data-action="freeze"
          disabled={busy.value !== null || recording}
          onClick={() =>
            void run('freeze', async () => {
              await api.post<FreezeResponse>(`/api/exams/current/${frozen ? 'unfreeze' : 'freeze'}`);
              return null;
            })
          }
        >
          {frozen ? t('scan.unfreeze') : t('scan.freeze')}
        </button>
        <button
          class="btn big primary"
          data-action="still"
          disabled={busy.value !== null || recording}
          onClick={() =>
            void run('still', async () => {
              await api.post<StoreInstanceResponse>('/api/exams/current/stills');
              return storedText();
            })
          }
        >
          {t('scan.still')}
        </button>
        <div class="cine-group">
          <span class="label">{t('scan.clipLength')}</span>
          <div class="segmented">
            {CLIP_LENGTHS.map((n) => (
              // A retrospective clip longer than the ring can hold (its memory budget) cannot be taken: not offered.
              <button
                key={n}
                class={`btn ${clip.value === n ? 'selected' : ''}`}
                data-clip={n}
                disabled={mode.value === 'retrospective' && capture?.ring !== undefined && n > capture.ring.capacitySeconds + 0.05}
                onClick={() => (clip.value = n)}
              >
                {t('common.seconds', { n })}
              </button>
            ))}
          </div>
          <div class="segmented">
            {(['retrospective', 'prospective'] as const).map((m) => (
              <button key={m} class={`btn ${mode.value === m ? 'selected' : ''}`} data-mode={m} onClick={() => (mode.value = m)}>
                {m === 'retrospective' ? t('scan.retrospective', { n: clip.value }) : t('scan.prospective', { n: clip.value })}
              </button>
            ))}
          </div>
          <button
            class="btn big primary"
            data-action="cine"
            disabled={busy.value !== null || recording}
            onClick={() =>
              void run('cine', async () => {
                const body: StoreCineRequest = { seconds: clip.value, mode: mode.value };
                await api.post<StoreCineResponse>('/api/exams/current/cines', body);
                return storedText();
              })
            }
          >
            {t('scan.cine')}
          </button>
        </div>
        <button
          class="btn big"
          data-action="screen"
          disabled={busy.value !== null || recording}
          onClick={() =>
            void run('screen', async () => {
              await api.post<StoreInstanceResponse>('/api/exams/current/screens');
              return storedText();
            })
          }
        >
          {t('scan.screen')}
        </button>
        <div class="spacer" />
        <button
          class="btn big end"
          data-action="end"
          disabled={busy.value !== null || recording}
          onClick={() =>
            void run('end', async () => {
              await api.post<EndExamResponse>('/api/exams/current/end');
              screen.value = 'sending';
              return null;
            })
          }
        >
          {t('scan.end')}
        </button>
        <button
          class="btn"
          data-action="cancel-exam"
          disabled={busy.value !== null}
          onClick={() =>
            void run('cancel', async () => {
              await api.post('/api/exams/current/cancel');
              screen.value = 'worklist';
              return null;
            })
          }
        >
          {t('scan.cancelExam')}
        </button>
      </div>
      {busy.value ? <Notice kind="progress">{t('scan.storing')}</Notice> : null}
      {message.value ? (
        <Notice kind={message.value.kind}>
          <span data-testid="scan-message">{message.value.text}</span>
        </Notice>
      ) : null}
    </section>
  );
}
