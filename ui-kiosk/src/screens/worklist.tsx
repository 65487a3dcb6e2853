/**
 * Worklist: today's scheduled patients from the hospital (or the last good answer, with its age,
 * when the worklist server is down), a search, a refresh with progress, and the form for an
 * unscheduled patient. Choosing a line and "Start exam" starts the exam and opens the scan screen.
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { GetWorklistResponse, PatientSex, StartExamRequest, StartExamResponse, WorklistMatch } from '../../../device/web/api-types.js';
import { api, describeError, describeFailure } from '../api/client.js';
import { deviceState } from '../api/events.js';
import { nameGroups, PersonName } from '../components/person-name.js';
import { Notice } from '../components/notice.js';
import { duration, t } from '../i18n/index.js';
import { screen } from '../store.js';

function matches(m: WorklistMatch, q: string): boolean {
  if (q === '') return true;
  const needle = q.toLowerCase();
  const s = m.summary;
  return [s.patientName, ...nameGroups(s.patientName), s.patientId, s.accessionNumber ?? '', s.requestedProcedure ?? '']
    .some((v) => v.toLowerCase().includes(needle));
}

function startTime(s: string | undefined): string {
  if (!s) return '';
  const hhmm = s.replace(/[^0-9]/g, '').slice(-6, -2) || s;
  return hhmm.length === 4 ? `${hhmm.slice(0, 2)}:${hhmm.slice(2)}` : s;
}

export function WorklistScreen() {
  const list = useSignal<GetWorklistResponse | null>(null);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const query = useSignal('');
  const chosen = useSignal<number | null>(null);
  const registering = useSignal(false);

  const load = async (refresh: boolean): Promise<void> => {
    busy.value = true;
    error.value = null;
    try {
      list.value = await api.get<GetWorklistResponse>(`/api/worklist${refresh ? '?refresh=1' : ''}`);
    } catch (e) {
      error.value = describeFailure(e);
    } finally {
      busy.value = false;
    }
  };
  useEffect(() => void load(false), []);

  const start = async (body: StartExamRequest): Promise<void> => {
    busy.value = true;
    error.value = null;
    try {
      await api.post<StartExamResponse>('/api/exams', body);
      screen.value = 'scan';
    } catch (e) {
      error.value = describeFailure(e);
    } finally {
      busy.value = false;
    }
  };

  const examRunning = deviceState.value?.exam != null && (deviceState.value.exam.state !== 'ended' && deviceState.value.exam.state !== 'cancelled');
  const l = list.value;
  const shown = (l?.matches ?? []).map((m, i) => ({ m, i })).filter(({ m }) => matches(m, query.value));
  const selected = chosen.value !== null ? l?.matches[chosen.value] : undefined;

  return (
    <section class="screen worklist" data-screen="worklist">
      <div class="toolbar">
        <input
          class="search"
          type="search"
          placeholder={t('worklist.search')}
          value={query.value}
          onInput={(e) => (query.value = (e.currentTarget as HTMLInputElement).value)}
        />
        <button class="btn" data-action="refresh" disabled={busy.value} onClick={() => void load(true)}>
          {t('worklist.refresh')}
        </button>
        <button class="btn" data-action="unscheduled" disabled={examRunning} onClick={() => (registering.value = true)}>
          {t('worklist.unscheduled')}
        </button>
      </div>
      {busy.value ? <Notice kind="progress">{t('worklist.refreshing')}</Notice> : null}
      {l?.error ? (
        <Notice kind="warning">
          <span data-testid="cache-age">{t('worklist.stale', { age: duration((l.cacheAgeSeconds ?? 0) * 1000) })}</span>
          <span class="detail"> {describeError(l.error)}</span>
        </Notice>
      ) : l?.source === 'cache' && l.fetchedAt ? (
        <div class="age" data-testid="list-age">
          {t('worklist.age', { age: duration((l.cacheAgeSeconds ?? 0) * 1000) })}
        </div>
      ) : l?.fetchedAt ? (
        <div class="age" data-testid="list-age">{t('worklist.fresh')}</div>
      ) : null}
      {error.value ? <Notice kind="error">{error.value}</Notice> : null}
      <div class="list" role="listbox">
        <div class="row head">
          <span>{t('worklist.col.time')}</span>
          <span>{t('worklist.col.name')}</span>
          <span>{t('worklist.col.id')}</span>
          <span>{t('worklist.col.accession')}</span>
          <span>{t('worklist.col.procedure')}</span>
        </div>
        {shown.length === 0 && l ? <div class="empty">{t('worklist.empty')}</div> : null}
        {shown.map(({ m, i }) => (
          <button
            key={i}
            role="option"
            aria-selected={chosen.value === i}
            class={`row item ${chosen.value === i ? 'selected' : ''}`}
            data-patient-id={m.summary.patientId}
            onClick={() => (chosen.value = i)}
          >
            <span>{startTime(m.summary.scheduledStart)}</span>
            <PersonName value={m.summary.patientName} />
            <span>{m.summary.patientId}</span>
            <span>{m.summary.accessionNumber ?? ''}</span>
            <span>{m.summary.requestedProcedure ?? ''}</span>
          </button>
        ))}
      </div>
      <div class="actions">
        <button
          class="btn primary big"
          data-action="start-exam"
          disabled={!selected || busy.value || examRunning}
          onClick={() => selected && void start({ worklistItem: selected.dataset })}
        >
          {t('worklist.start')}
        </button>
      </div>
      {registering.value ? (
        <UnscheduledForm
          onCancel={() => (registering.value = false)}
          onSubmit={(p) => {
            registering.value = false;
            void start({ patient: p });
          }}
        />
      ) : null}
    </section>
  );
}

/** A real calendar date written YYYYMMDD, not in the future. */
export function validBirthDate(s: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getTime() <= Date.now();
}

type NewPatient = { name: string; id?: string; sex?: PatientSex; birthDate?: string };

function UnscheduledForm({ onCancel, onSubmit }: { onCancel: () => void; onSubmit: (p: NewPatient) => void }) {
  const f = useSignal({ family: '', given: '', ideo: '', phon: '', id: '', sex: '' as '' | PatientSex, birth: '' });
  const problem = useSignal<string | null>(null);
  const set = (k: keyof typeof f.value) => (e: Event) => {
    f.value = { ...f.value, [k]: (e.currentTarget as HTMLInputElement).value };
  };
  const submit = (): void => {
    const v = f.value;
    if (v.family.trim() === '' && v.ideo.trim() === '') {
      problem.value = t('patient.nameRequired');
      return;
    }
    if (v.birth !== '' && !validBirthDate(v.birth)) {
      problem.value = t('patient.badDate');
      return;
    }
    const alpha = [v.family.trim(), v.given.trim()].filter(Boolean).join('^');
    const groups = [alpha, v.ideo.trim().replace(/\s+/, '^'), v.phon.trim().replace(/\s+/, '^')];
    while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
    onSubmit({
      name: groups.join('='),
      ...(v.id.trim() ? { id: v.id.trim() } : {}),
      ...(v.sex ? { sex: v.sex } : {}),
      ...(v.birth ? { birthDate: v.birth } : {}),
    });
  };
  const field = (k: 'family' | 'given' | 'ideo' | 'phon' | 'id' | 'birth', label: string, mode?: 'numeric') => (
    <label class="field">
      <span>{label}</span>
      <input name={k} value={f.value[k]} inputMode={mode} onInput={set(k)} />
    </label>
  );
  return (
    <div class="dialog" role="dialog" aria-label={t('patient.title')}>
      <h2>{t('patient.title')}</h2>
      {field('family', t('patient.family'))}
      {field('given', t('patient.given'))}
      {field('ideo', t('patient.ideographic'))}
      {field('phon', t('patient.phonetic'))}
      {field('id', t('patient.id'))}
      {field('birth', t('patient.birthDate'), 'numeric')}
      <div class="field">
        <span>{t('patient.sex')}</span>
        <div class="segmented">
          {(['F', 'M', 'O'] as const).map((s) => (
            <button key={s} class={`btn ${f.value.sex === s ? 'selected' : ''}`} data-sex={s} onClick={() => (f.value = { ...f.value, sex: s })}>
              {t(`patient.sex.${s}`)}
            </button>
          ))}
        </div>
      </div>
      {problem.value ? <Notice kind="error">{problem.value}</Notice> : null}
      <div class="actions">
        <button class="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button class="btn primary" data-action="register" onClick={submit}>
          {t('worklist.start')}
        </button>
      </div>
    </div>
  );
}
