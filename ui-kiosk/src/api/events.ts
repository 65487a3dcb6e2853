/**
 * The /api/events WebSocket as signals: the whole device state arrives first, then changes are
 * applied as they come. A `state` message replaces everything (the server sends one after it had
 * to drop messages for us), so the screen never drifts from the service. Reconnects by itself.
 */
import { signal } from '@preact/signals';
import type { ApiEvent, DeviceState, ExportJobView, JobView, LogEntry } from '../../../device/web/api-types.js';

export const deviceState = signal<DeviceState | null>(null);
export const connected = signal(false);
/** Recent job changes by id, newest values: what the sending screen shows without polling. */
export const jobs = signal<ReadonlyMap<string, JobView>>(new Map());
export const logLines = signal<readonly LogEntry[]>([]);
/** Bumped on every instance or job event, so lists that fetch can refetch. */
export const revision = signal(0);

const MAX_LOG = 200;

function upsertExport(state: DeviceState, job: ExportJobView): DeviceState {
  const others = state.media.exports.filter((j) => j.jobId !== job.jobId);
  return { ...state, media: { ...state.media, exports: [job, ...others] } };
}

export function applyEvent(ev: ApiEvent): void {
  const s = deviceState.value;
  if (ev.type === 'state') {
    deviceState.value = ev.state;
    revision.value++;
    return;
  }
  if (ev.type === 'log') {
    logLines.value = [ev.entry, ...logLines.value].slice(0, MAX_LOG);
    return;
  }
  if (ev.type === 'job') {
    const m = new Map(jobs.value);
    m.set(ev.job.jobId, ev.job);
    jobs.value = m;
    revision.value++;
  }
  if (!s) return;
  switch (ev.type) {
    case 'exam':
      deviceState.value = { ...s, exam: ev.exam };
      revision.value++;
      break;
    case 'instance':
      if (s.exam && s.exam.examId === ev.examId && !s.exam.instances.some((i) => i.sopInstanceUid === ev.instance.sopInstanceUid)) {
        deviceState.value = { ...s, exam: { ...s.exam, instances: [...s.exam.instances, ev.instance] } };
      }
      revision.value++;
      break;
    case 'capture':
      deviceState.value = { ...s, capture: ev.capture };
      break;
    case 'queue':
      deviceState.value = { ...s, queue: ev.summary };
      break;
    case 'media':
      deviceState.value = { ...s, media: { ...s.media, volumes: ev.volumes } };
      break;
    case 'export':
      deviceState.value = upsertExport(s, ev.job);
      break;
    case 'destination':
      deviceState.value = { ...s, destinations: s.destinations.map((d) => (d.name === ev.destination.name ? ev.destination : d)) };
      break;
    case 'alarms':
      deviceState.value = { ...s, alarms: ev.alarms };
      break;
    case 'job':
      break;
    default: {
      const never: never = ev;
      void never;
    }
  }
}

export function connectEvents(url = wsUrl('/api/events')): () => void {
  let ws: WebSocket | undefined;
  let stopped = false;
  let delay = 500;
  const open = (): void => {
    ws = new WebSocket(url);
    ws.onopen = () => {
      connected.value = true;
      delay = 500;
    };
    ws.onmessage = (m) => {
      if (typeof m.data === 'string') applyEvent(JSON.parse(m.data) as ApiEvent);
    };
    ws.onclose = () => {
      connected.value = false;
      if (!stopped) setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  open();
  return () => {
    stopped = true;
    ws?.close();
  };
}

export function wsUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}
