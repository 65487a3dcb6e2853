/**
 * The kiosk shell: patient banner, the screens as large tabs, the language switch, the alarms
 * and a connection line. The state comes from /api/events; every screen reads it as signals.
 */
import { connected, deviceState } from './api/events.js';
import { PersonName } from './components/person-name.js';
import { Notice } from './components/notice.js';
import { catalogName, lang, LANGS, setLang, t, type MessageKey } from './i18n/index.js';
import { alarmText } from './i18n/alarms.js';
import { MediaScreen } from './screens/media.js';
import { ReviewScreen } from './screens/review.js';
import { ScanScreen } from './screens/scan.js';
import { SendingScreen } from './screens/sending.js';
import { ServiceScreen } from './screens/service.js';
import { WorklistScreen } from './screens/worklist.js';
import { screen, SCREENS, type Screen } from './store.js';

const VIEWS: Readonly<Record<Screen, () => preact.JSX.Element>> = {
  worklist: WorklistScreen,
  scan: ScanScreen,
  review: ReviewScreen,
  sending: SendingScreen,
  media: MediaScreen,
  service: ServiceScreen,
};

function Banner() {
  const exam = deviceState.value?.exam ?? null;
  if (!exam) return <div class="banner empty">{t('banner.noPatient')}</div>;
  const p = exam.patient;
  return (
    <div class="banner" data-testid="banner">
      <PersonName value={p.name} class="banner-name" />
      <span>
        {t('banner.id')} {p.id}
      </span>
      {p.birthDate ? (
        <span>
          {t('banner.born')} {p.birthDate.slice(0, 4)}-{p.birthDate.slice(4, 6)}-{p.birthDate.slice(6, 8)}
        </span>
      ) : null}
      {p.sex ? <span>{p.sex}</span> : null}
      {exam.accessionNumber ? <span class="mono">{exam.accessionNumber}</span> : null}
    </div>
  );
}

export function App() {
  // Reading lang.value subscribes the whole shell, so a switch re-renders every message.
  const current = lang.value;
  const View = VIEWS[screen.value];
  const alarms = deviceState.value?.alarms ?? [];
  const sending = deviceState.value?.queue.counts;
  const pending = sending ? sending.scheduled + sending['in-progress'] + sending.retry : 0;
  return (
    <div class="app" data-lang={current}>
      <header class="top">
        <Banner />
        <div class="langs">
          {LANGS.map((l) => (
            <button key={l} class={`btn lang ${l === current ? 'selected' : ''}`} data-lang={l} lang={l === 'zh' ? 'zh-CN' : l} onClick={() => setLang(l)}>
              {catalogName(l)}
            </button>
          ))}
        </div>
      </header>
      {!connected.value ? <Notice kind="warning">{t('alarm.disconnected')}</Notice> : null}
      {alarms.map((a) => (
        <Notice key={a.id} kind={a.severity === 'info' ? 'info' : a.severity === 'warning' ? 'warning' : 'error'}>
          <span data-alarm={a.id}>{alarmText(a)}</span>
        </Notice>
      ))}
      <main class="main">
        <View />
      </main>
      <nav class="tabs">
        {SCREENS.map((s) => (
          <button key={s} class={`tab ${screen.value === s ? 'selected' : ''}`} data-nav={s} onClick={() => (screen.value = s)}>
            {t(`nav.${s}` as MessageKey)}
            {s === 'sending' && pending > 0 ? <span class="count">{pending}</span> : null}
            {s === 'media' && (deviceState.value?.media.volumes.length ?? 0) > 0 ? <span class="count">{deviceState.value?.media.volumes.length}</span> : null}
          </button>
        ))}
      </nav>
    </div>
  );
}
