/**
 * Sending: one line per instance × destination with its state, and for a failure what happened
 * and what happens next ("PACS_A refused the images: out of resources; retrying in 2 min"), with
 * retry and cancel; an instance going out shows the megabytes sent so far (a big cine takes a
 * while). The list follows /api/events; it is refetched (debounced) when jobs change.
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { JobActionResponse, JobView, ListQueueResponse } from '../../../device/web/api-types.js';
import { api, describeFailure } from '../api/client.js';
import { deviceState, jobs, revision } from '../api/events.js';
import { Notice, ProgressBar } from '../components/notice.js';
import { duration, t, type MessageKey } from '../i18n/index.js';

const REFETCH_DEBOUNCE_MS = 300;

const MB = 1_000_000;

export function jobDetail(j: JobView, now: number): string {
  if (j.state === 'in-progress' && j.progress) {
    const { bytesSent, bytesTotal } = j.progress;
    const sent = (bytesSent / MB).toFixed(1);
    return bytesTotal
      ? t('sending.progress', { sent, total: (bytesTotal / MB).toFixed(1), percent: Math.floor((100 * bytesSent) / bytesTotal) })
      : t('sending.progressBytes', { sent });
  }
  const next =
    j.state === 'retry' && j.nextTry
      ? t('sending.retryAt', { in: duration(Date.parse(j.nextTry) - now) })
      : j.state === 'failed'
        ? t('sending.failedHint')
        : '';
  if ((j.state === 'retry' || j.state === 'failed' || j.state === 'warning') && j.reason) {
    return t('sending.refused', { peer: j.destination, reason: `${j.reason}${j.status ? ` [${j.status}]` : ''}`, next });
  }
  return next;
}

export function SendingScreen() {
  const list = useSignal<readonly JobView[]>([]);
  const error = useSignal<string | null>(null);

  useEffect(() => {
    const h = setTimeout(() => {
      api
        .get<ListQueueResponse>('/api/queue?limit=200')
        .then((r) => {
          list.value = r.jobs;
          error.value = null;
        })
        .catch((e: unknown) => (error.value = describeFailure(e)));
    }, REFETCH_DEBOUNCE_MS);
    return () => clearTimeout(h);
  }, [revision.value]);

  const act = async (j: JobView, what: 'retry' | 'cancel'): Promise<void> => {
    try {
      const r = await api.post<JobActionResponse>(`/api/queue/${encodeURIComponent(j.jobId)}/${what}`);
      list.value = list.value.map((x) => (x.jobId === r.job.jobId ? r.job : x));
    } catch (e) {
      error.value = describeFailure(e);
    }
  };

  const live = jobs.value;
  const rows = list.value.map((j) => live.get(j.jobId) ?? j);
  const c = deviceState.value?.queue.counts;
  const now = Date.now();
  return (
    <section class="screen sending" data-screen="sending">
      <h2>{t('sending.title')}</h2>
      {c ? (
        <div class="summary" data-testid="queue-summary">
          {t('sending.summary', {
            done: c.completed + c.warning + c.committed,
            total: Object.values(c).reduce((a, b) => a + b, 0),
            failed: c.failed + c['commit-failed'],
            waiting: c.scheduled + c['in-progress'] + c.retry,
          })}
        </div>
      ) : null}
      {error.value ? <Notice kind="error">{error.value}</Notice> : null}
      {rows.length === 0 ? <div class="empty">{t('sending.empty')}</div> : null}
      <div class="table">
        {rows.map((j) => (
          <div class={`row job state-${j.state}`} key={j.jobId} data-job={j.jobId} data-state={j.state} data-destination={j.destination}>
            <span class="mono">{j.kind === 'store' ? (j.sopInstanceUid ?? '').split('.').slice(-2).join('.') : j.kind}</span>
            <span>{j.destination}</span>
            <span class="state">{t(`state.${j.state}` as MessageKey)}</span>
            <span class="detail" data-testid="job-detail">
              {j.state === 'in-progress' && j.progress?.bytesTotal ? <ProgressBar done={j.progress.bytesSent} total={j.progress.bytesTotal} /> : null}
              {jobDetail(j, now)}
            </span>
            <span class="row-actions">
              {j.state === 'failed' || j.state === 'retry' ? (
                <button class="btn" data-action="retry" onClick={() => void act(j, 'retry')}>
                  {t('common.retry')}
                </button>
              ) : null}
              {j.state === 'scheduled' || j.state === 'retry' ? (
                <button class="btn" data-action="cancel" onClick={() => void act(j, 'cancel')}>
                  {t('common.cancel')}
                </button>
              ) : null}
            </span>
          </div>
        ))}
      </div>
    </section>
  );
}
