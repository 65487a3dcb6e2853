/**
 * Service (behind a PIN): the echo test of each DICOM destination with the storage contexts it
 * accepts, the configuration in force, the conformance statement, USB devices, the audit trail
 * and recent warnings from the log — what a service engineer checks at a cart.
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type {
  EchoResponse,
  GetConfigResponse,
  GetUsbResponse,
  ListAuditResponse,
  ServiceLoginRequest,
  ServiceLoginResponse,
} from '../../../device/web/api-types.js';
import { api, describeFailure } from '../api/client.js';
import { deviceState, logLines } from '../api/events.js';
import { Notice } from '../components/notice.js';
import { t } from '../i18n/index.js';
import { serviceUnlocked } from '../store.js';

const PIN_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0', '✓'] as const;

function PinPad() {
  const pin = useSignal('');
  const problem = useSignal<string | null>(null);
  const submit = async (): Promise<void> => {
    try {
      const body: ServiceLoginRequest = { pin: pin.value };
      await api.post<ServiceLoginResponse>('/api/service/login', body);
      serviceUnlocked.value = true;
    } catch (e) {
      problem.value = t('service.badPin');
      void e;
      pin.value = '';
    }
  };
  const press = (k: (typeof PIN_KEYS)[number]): void => {
    problem.value = null;
    if (k === '⌫') pin.value = pin.value.slice(0, -1);
    else if (k === '✓') void submit();
    else if (pin.value.length < 12) pin.value += k;
  };
  return (
    <div class="pin">
      <h2>{t('service.pin')}</h2>
      <div class="pin-dots" data-testid="pin-dots">
        {'•'.repeat(pin.value.length) || '\u00a0'}
      </div>
      <div class="pin-keys">
        {PIN_KEYS.map((k) => (
          <button key={k} class="btn big" data-key={k} onClick={() => press(k)}>
            {k}
          </button>
        ))}
      </div>
      {problem.value ? <Notice kind="error">{problem.value}</Notice> : null}
    </div>
  );
}

function Destinations() {
  const results = useSignal<Readonly<Record<string, { ok: EchoResponse } | { error: string } | 'busy'>>>({});
  const echo = async (name: string): Promise<void> => {
    results.value = { ...results.value, [name]: 'busy' };
    try {
      const r = await api.post<EchoResponse>(`/api/destinations/${encodeURIComponent(name)}/echo`);
      results.value = { ...results.value, [name]: { ok: r } };
    } catch (e) {
      results.value = { ...results.value, [name]: { error: describeFailure(e) } };
    }
  };
  return (
    <div class="panel">
      <h3>{t('service.destinations')}</h3>
      {(deviceState.value?.destinations ?? []).map((d) => {
        const r = results.value[d.name];
        return (
          <div class="destination" key={d.name} data-destination={d.name}>
            <div class="volume-head">
              <strong>{d.name}</strong>
              <span class="mono">
                {d.aeTitle}@{d.host}:{d.port}
                {d.tls ? ' TLS' : ''}
              </span>
              <span>{d.roles.join(', ')}</span>
              <button class="btn" data-action="echo" disabled={r === 'busy'} onClick={() => void echo(d.name)}>
                {t('service.echo')}
              </button>
            </div>
            {r === 'busy' ? <Notice kind="progress">{t('common.loading')}</Notice> : null}
            {r && r !== 'busy' && 'ok' in r ? (
              <div data-testid="echo-result">
                <Notice kind="info">{t('service.echoOk', { ms: r.ok.roundTripMs.toFixed(0) })}</Notice>
                <details open>
                  <summary>{t('service.accepted')}</summary>
                  <ul class="mono small">
                    {r.ok.accepted.map((c) => (
                      <li key={c.sopClassUid}>
                        {c.name} {c.sopClassUid}: {c.transferSyntaxes.join(', ')}
                      </li>
                    ))}
                  </ul>
                </details>
              </div>
            ) : null}
            {r && r !== 'busy' && 'error' in r ? <Notice kind="error">{r.error}</Notice> : null}
          </div>
        );
      })}
    </div>
  );
}

function Loaded<T>({ title, load, render }: { title: string; load: () => Promise<T>; render: (v: T) => preact.ComponentChildren }) {
  const value = useSignal<{ v: T } | { e: string } | null>(null);
  useEffect(() => {
    load()
      .then((v) => (value.value = { v }))
      .catch((e: unknown) => (value.value = { e: describeFailure(e) }));
  }, []);
  const s = value.value;
  return (
    <details class="panel">
      <summary>
        <h3>{title}</h3>
      </summary>
      {s === null ? <Notice kind="progress">{t('common.loading')}</Notice> : 'e' in s ? <Notice kind="error">{s.e}</Notice> : render(s.v)}
    </details>
  );
}

export function ServiceScreen() {
  if (!serviceUnlocked.value) {
    return (
      <section class="screen service" data-screen="service">
        <PinPad />
      </section>
    );
  }
  return (
    <section class="screen service" data-screen="service">
      <div class="toolbar">
        <h2>{t('service.title')}</h2>
        <button class="btn" data-action="lock" onClick={() => (serviceUnlocked.value = false)}>
          {t('service.lock')}
        </button>
      </div>
      <Destinations />
      <Loaded
        title={t('service.usb')}
        load={() => api.get<GetUsbResponse>('/api/usb')}
        render={(u) =>
          u.available ? (
            <ul class="mono small" data-testid="usb-list">
              {u.devices.map((d) => (
                <li key={`${d.bus}-${d.address}`}>
                  {d.vendorId}:{d.productId} {d.manufacturer ?? ''} {d.product ?? ''} {d.serialNumber ?? ''}
                </li>
              ))}
            </ul>
          ) : (
            <Notice kind="info">{t('service.usbUnavailable', { reason: u.reason ?? '' })}</Notice>
          )
        }
      />
      <Loaded title={t('service.config')} load={() => api.get<GetConfigResponse>('/api/config')} render={(c) => <pre class="mono small">{JSON.stringify(c.config, null, 2)}</pre>} />
      <Loaded title={t('service.conformance')} load={() => api.text('/api/conformance')} render={(s) => <pre class="mono small">{s}</pre>} />
      <Loaded
        title={t('service.audit')}
        load={() => api.get<ListAuditResponse>('/api/audit?limit=50')}
        render={(a) => (
          <ul class="mono small">
            {a.entries.map((e) => (
              <li key={e.id}>
                {e.time} {e.who} {e.action} {e.what} {e.where ?? ''} {e.outcome}
              </li>
            ))}
          </ul>
        )}
      />
      <details class="panel">
        <summary>
          <h3>{t('service.logs')}</h3>
        </summary>
        <ul class="mono small">
          {logLines.value.map((l, i) => (
            <li key={i}>
              {l.time} {l.level} {l.msg} {JSON.stringify(l.fields)}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
