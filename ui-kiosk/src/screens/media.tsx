/**
 * Media: the USB sticks and SD cards inserted, export of the current (or last) exam with
 * progress, and eject with a clear "safe to remove" once the service has flushed and unmounted.
 */
import { useSignal } from '@preact/signals';
import type { EjectResponse, ExportJobView, ExportResponse, ListExamsResponse, VolumeView } from '../../../device/web/api-types.js';
import { api, describeError, describeFailure } from '../api/client.js';
import { deviceState } from '../api/events.js';
import { Notice, ProgressBar } from '../components/notice.js';
import { t } from '../i18n/index.js';

export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

async function examToExport(): Promise<string | null> {
  const current = deviceState.value?.exam;
  if (current) return current.examId;
  const r = await api.get<ListExamsResponse>('/api/exams?state=ended&limit=1');
  return r.exams[0]?.examId ?? null;
}

function ExportLine({ job }: { job: ExportJobView }) {
  const p = job.progress;
  return (
    <div class={`export export-${job.state}`} data-export={job.jobId} data-state={job.state}>
      {job.state === 'running' || job.state === 'queued' ? (
        <>
          <span>{t('media.progress', { done: p.filesDone, total: p.filesTotal })}</span>
          <ProgressBar done={p.bytesDone} total={p.bytesTotal} />
          <button class="btn" data-action="cancel-export" onClick={() => void api.post(`/api/media/jobs/${encodeURIComponent(job.jobId)}/cancel`)}>
            {t('common.cancel')}
          </button>
        </>
      ) : job.state === 'completed' ? (
        <Notice kind="info">{t('media.done', { count: job.report?.files ?? p.filesDone })}</Notice>
      ) : (
        <Notice kind="error">{t('media.failed', { reason: job.error ? describeError(job.error) : job.state })}</Notice>
      )}
    </div>
  );
}

export function MediaScreen() {
  const error = useSignal<string | null>(null);
  const ejected = useSignal<Readonly<Record<string, EjectResponse>>>({});
  const media = deviceState.value?.media;

  const exportTo = async (v: VolumeView): Promise<void> => {
    error.value = null;
    try {
      const examId = await examToExport();
      if (!examId) {
        error.value = t('media.noExam');
        return;
      }
      await api.post<ExportResponse>(`/api/media/${encodeURIComponent(v.id)}/export`, { examIds: [examId] });
    } catch (e) {
      error.value = describeFailure(e);
    }
  };
  const eject = async (v: VolumeView): Promise<void> => {
    error.value = null;
    try {
      const r = await api.post<EjectResponse>(`/api/media/${encodeURIComponent(v.id)}/eject`);
      ejected.value = { ...ejected.value, [v.id]: r };
    } catch (e) {
      error.value = describeFailure(e);
    }
  };

  const volumes = media?.volumes ?? [];
  const gone = Object.values(ejected.value).filter((r) => r.mayRemove && !volumes.some((v) => v.id === r.volumeId));
  return (
    <section class="screen media" data-screen="media">
      <h2>{t('media.title')}</h2>
      {error.value ? <Notice kind="error">{error.value}</Notice> : null}
      {volumes.length === 0 ? <div class="empty">{t('media.none')}</div> : null}
      {gone.map((r) => (
        <Notice key={r.volumeId} kind="info">
          <span data-testid="safe-to-remove">{t('media.safe')}</span>
        </Notice>
      ))}
      {volumes.map((v) => {
        const jobsHere = (media?.exports ?? []).filter((j) => j.volumeId === v.id).slice(0, 3);
        const ej = ejected.value[v.id];
        return (
          <div class="volume" key={v.id} data-volume={v.id}>
            <div class="volume-head">
              <strong>{v.label || v.id}</strong>
              <span>{v.fsType}</span>
              <span>{t('media.free', { free: bytes(v.free), size: bytes(v.size) })}</span>
              {v.hasFileSet ? <span class="badge dim">{t('media.hasFileSet')}</span> : null}
              {v.busy ? <span class="badge warn">{t('media.busy')}</span> : ej?.mayRemove ? <span class="badge ok" data-testid="safe-to-remove">{t('media.safe')}</span> : null}
            </div>
            <div class="actions">
              <button class="btn big primary" data-action="export" disabled={v.busy} onClick={() => void exportTo(v)}>
                {t('media.export')}
              </button>
              <button class="btn big" data-action="eject" disabled={v.busy} onClick={() => void eject(v)}>
                {t('media.eject')}
              </button>
            </div>
            {jobsHere.map((j) => (
              <ExportLine key={j.jobId} job={j} />
            ))}
          </div>
        );
      })}
    </section>
  );
}
