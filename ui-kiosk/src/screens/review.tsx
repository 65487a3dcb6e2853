/**
 * Review: thumbnails of the exam's images; a cine plays frame by frame from the service at its
 * frame rate (frames fetched as JPEG one at a time, so a long cine is never held whole in the
 * page either).
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { ExamView, InstanceView, ListExamsResponse } from '../../../device/web/api-types.js';
import { api, describeFailure } from '../api/client.js';
import { deviceState, revision } from '../api/events.js';
import { Notice } from '../components/notice.js';
import { PersonName } from '../components/person-name.js';
import { t } from '../i18n/index.js';

const PLAYBACK_FPS = 25;

export function ReviewScreen() {
  const last = useSignal<ExamView | null>(null);
  const error = useSignal<string | null>(null);
  const open = useSignal<InstanceView | null>(null);
  const current = deviceState.value?.exam ?? null;

  useEffect(() => {
    if (current) return;
    api
      .get<ListExamsResponse>('/api/exams?limit=1')
      .then((r) => (last.value = r.exams[0] ?? null))
      .catch((e: unknown) => (error.value = describeFailure(e)));
  }, [current?.examId, revision.value]);

  const exam = current ?? last.value;
  return (
    <section class="screen review" data-screen="review">
      <h2>
        {t('review.title')}
        {exam ? (
          <>
            {' — '}
            <PersonName value={exam.patient.name} />
          </>
        ) : null}
      </h2>
      {error.value ? <Notice kind="error">{error.value}</Notice> : null}
      {!exam || exam.instances.length === 0 ? <div class="empty">{t('review.empty')}</div> : null}
      <div class="thumbs">
        {exam?.instances.map((i) => (
          <button key={i.sopInstanceUid} class="thumb" data-uid={i.sopInstanceUid} data-kind={i.kind} onClick={() => (open.value = i)}>
            <img src={`/api/instances/${encodeURIComponent(i.sopInstanceUid)}/thumbnail`} alt="" loading="lazy" />
            <span class="thumb-label">
              {i.seriesNumber}-{i.instanceNumber} {i.frames > 1 ? t('review.frames', { n: i.frames }) : ''}
            </span>
          </button>
        ))}
      </div>
      {open.value ? <Viewer instance={open.value} onClose={() => (open.value = null)} /> : null}
    </section>
  );
}

function Viewer({ instance, onClose }: { instance: InstanceView; onClose: () => void }) {
  const frame = useSignal(0);
  const playing = useSignal(instance.frames > 1);
  useEffect(() => {
    if (!playing.value || instance.frames <= 1) return;
    const h = setInterval(() => (frame.value = (frame.value + 1) % instance.frames), 1000 / PLAYBACK_FPS);
    return () => clearInterval(h);
  }, [playing.value, instance.sopInstanceUid]);
  const uid = encodeURIComponent(instance.sopInstanceUid);
  const src = instance.frames > 1 ? `/api/instances/${uid}/frames/${frame.value}` : `/api/instances/${uid}/frames/0`;
  return (
    <div class="dialog viewer" role="dialog">
      <img class="viewer-image" src={src} alt="" data-testid="viewer-image" />
      <div class="actions">
        {instance.frames > 1 ? (
          <>
            <span class="label" data-testid="frame-no">
              {frame.value + 1} / {instance.frames}
            </span>
            <button class="btn" data-action="play" onClick={() => (playing.value = !playing.value)}>
              {playing.value ? t('review.pause') : t('review.play')}
            </button>
          </>
        ) : null}
        <button class="btn" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </div>
  );
}
