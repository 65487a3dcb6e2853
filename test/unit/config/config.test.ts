import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultDataDir, defaultDeviceConfig, loadDeviceConfig, parseDeviceConfig, peerConfigFor } from '../../../device/config/index.js';

const ENV = { HOME: '/home/sono', XDG_DATA_HOME: undefined };
const store = { name: 'pacs', host: '127.0.0.1', port: 104, calledAe: 'PACS', roles: ['store'] };

describe('configuration defaults', () => {
  it('the built-in configuration: simulated capture, no destinations, per-user data directory, §1 timers', () => {
    const c = defaultDeviceConfig(ENV);
    expect(c.aeTitle).toBe('US_CART');
    expect(c.capture.source).toBe('sim');
    expect(c.destinations).toEqual([]);
    expect(c.dataDir).toBe('/home/sono/.local/share/sonicart');
    expect(c.uiPort).toBe(8042);
    expect(c.timers.store).toEqual({ associationRequestS: 30, inactivityS: 180, wholeAssociationS: 3600 });
    expect(c.timers.find).toEqual({ associationRequestS: 30, inactivityS: 90, wholeAssociationS: 3600 });
    expect(c.patientId.template).toBe('US{date}{seq}');
    expect(c.service.pin).toBe('0000');
    expect(c.commitment).toEqual({ reportTimeoutS: 600, holdAssociationS: 5, maxResends: 1 });
  });
  it('XDG_DATA_HOME wins when absolute, is ignored when relative (XDG spec)', () => {
    expect(defaultDataDir({ HOME: '/h', XDG_DATA_HOME: '/x/data' })).toBe('/x/data/sonicart');
    expect(defaultDataDir({ HOME: '/h', XDG_DATA_HOME: 'rel' })).toBe('/h/.local/share/sonicart');
  });
  it('fills nested defaults of a partly given object', () => {
    const c = parseDeviceConfig({ timers: { store: { inactivityS: 20 } }, destinations: [store] }, ENV);
    expect(c.timers.store).toEqual({ associationRequestS: 30, inactivityS: 20, wholeAssociationS: 3600 });
    expect(c.timers.find.inactivityS).toBe(90);
    expect(c.destinations[0]!.concurrency).toBe(1);
    expect(c.destinations[0]!.lingerS).toBe(2);
  });
});

describe('good configurations', () => {
  const cases: [string, object][] = [
    ['AE title of 16 characters with inner space', { aeTitle: 'ECHO ROOM 3 CART' }],
    ['all four roles, TLS, concurrency', { destinations: [{ ...store, roles: ['store', 'worklist', 'mpps', 'commitment'], tls: { caFile: '/etc/ca.pem' }, concurrency: 4, lingerS: 0 }] }],
    ['v4l2 source', { capture: { source: 'v4l2:/dev/video2' } }],
    ['file source', { capture: { source: 'file:/srv/clip.mp4', transferSyntax: 'explicit' } }],
    ['a compressed ring in a small budget', { capture: { ringFrames: 'compressed', ringMemoryMb: 128 } }],
    ['two store destinations', { destinations: [store, { ...store, name: 'orthanc', port: 4242 }] }],
    ['patient ID rule with time', { patientId: { template: 'TMP-{ae}-{date}{time}', required: false } }],
    ['manual-only worklist', { worklist: { refreshIntervalS: 0 } }],
    ['SD profile, export on end', { media: { profile: 'STD-GEN-SD-JPEG', exportOnEnd: true } }],
  ];
  it.each(cases)('%s', (_, json) => {
    expect(() => parseDeviceConfig(json, ENV)).not.toThrow();
  });
});

describe('bad configurations: one line naming the key path and what is wrong', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', [], 'config: (top level): expected an object, got an array'],
    ['unknown key', { aeTitel: 'X' }, 'config: aeTitel: unknown key'],
    ['empty AE title', { aeTitle: '' }, 'config: aeTitle: expected an AE title of 1-16 printable ASCII characters, no backslash, not all spaces, got ""'],
    ['AE title too long', { aeTitle: 'ABCDEFGHIJKLMNOPQ' }, 'config: aeTitle: expected an AE title'],
    ['AE title with backslash', { aeTitle: 'US\\CART' }, 'config: aeTitle: expected an AE title'],
    ['AE title all spaces', { aeTitle: '    ' }, 'config: aeTitle: expected an AE title'],
    ['AE title with control char', { aeTitle: 'US\tCART' }, 'config: aeTitle: expected an AE title'],
    ['AE title not ASCII', { aeTitle: 'エコー' }, 'config: aeTitle: expected an AE title'],
    ['port as string', { destinations: [store, { ...store, name: 'b', port: 'abc' }] }, 'config: destinations[1].port: expected an integer 1-65535, got "abc"'],
    ['port 0', { uiPort: 0 }, 'config: uiPort: expected an integer 1-65535, got 0'],
    ['listen port out of range', { listenPort: 70000 }, 'config: listenPort: expected an integer 0-65535, got 70000'],
    ['scp: unknown calling AE policy', { scp: { unknownCallingAe: 'maybe' } }, 'config: scp.unknownCallingAe: expected one of accept, accept-from-loopback, reject, got "maybe"'],
    ['scp: bad calling AE title', { scp: { callingAeTitles: ['OK', 'A\\B'] } }, 'config: scp.callingAeTitles[1]: expected an AE title'],
    ['scp: calling AE listed twice', { scp: { callingAeTitles: ['PACS', 'PACS '] } }, 'config: scp.callingAeTitles[1]: "PACS " is listed twice'],
    ['scp: 0 associations', { scp: { maxAssociations: 0 } }, 'config: scp.maxAssociations: expected an integer 1-64, got 0'],
    ['scp: tls without key', { scp: { tls: { certFile: '/c.pem' } } }, 'config: scp.tls.keyFile: required key is missing'],
    ['scp: bind address', { scp: { bindAddress: 'cart.local' } }, 'config: scp.bindAddress: expected an IP address'],
    ['port fractional', { uiPort: 80.5 }, 'config: uiPort: expected an integer 1-65535, got 80.5'],
    ['missing host', { destinations: [{ name: 'a', port: 1, calledAe: 'A', roles: ['store'] }] }, 'config: destinations[0].host: required key is missing'],
    ['unknown role', { destinations: [{ ...store, roles: ['store', 'print'] }] }, 'config: destinations[0].roles[1]: expected one of store, worklist, mpps, commitment, got "print"'],
    ['no role', { destinations: [{ ...store, roles: [] }] }, 'config: destinations[0].roles: expected at least 1 item(s), got 0'],
    ['role twice', { destinations: [{ ...store, roles: ['store', 'store'] }] }, 'config: destinations[0].roles: role "store" is listed twice'],
    ['duplicate name', { destinations: [store, store] }, 'config: destinations[1].name: "pacs" is already the name of destinations[0]'],
    ['two worklist servers', { destinations: [{ ...store, roles: ['worklist'] }, { ...store, name: 'b', roles: ['worklist'] }] }, 'config: destinations: at most one destination may have the role "worklist"'],
    ['bad called AE', { destinations: [{ ...store, calledAe: 'A\\B' }] }, 'config: destinations[0].calledAe: expected an AE title'],
    ['concurrency 0', { destinations: [{ ...store, concurrency: 0 }] }, 'config: destinations[0].concurrency: expected an integer 1-16, got 0'],
    ['linger too long', { destinations: [{ ...store, lingerS: 61 }] }, 'config: destinations[0].lingerS: expected a number 0-60, got 61'],
    ['tls cert without key', { destinations: [{ ...store, tls: { certFile: '/c.pem' } }] }, 'config: destinations[0].tls.keyFile: certFile and keyFile go together'],
    ['tls typo', { destinations: [{ ...store, tls: { cafile: '/c.pem' } }] }, 'config: destinations[0].tls.cafile: unknown key'],
    ['timer negative', { timers: { find: { inactivityS: -1 } } }, 'config: timers.find.inactivityS: expected a number 1-3600, got -1'],
    ['capture source', { capture: { source: 'camera' } }, 'config: capture.source: expected sim, v4l2:/dev/videoN or file:PATH, got "camera"'],
    ['cine longer than ring', { capture: { ringSeconds: 5, maxCineSeconds: 10 } }, 'config: capture.maxCineSeconds: 10 s is longer than the ring (capture.ringSeconds = 5)'],
    ['transfer syntax', { capture: { transferSyntax: 'jpeg2000' } }, 'config: capture.transferSyntax: expected one of explicit, jpeg-baseline, jpeg-lossless, got "jpeg2000"'],
    ['ring frames', { capture: { ringFrames: 'zip' } }, 'config: capture.ringFrames: expected one of raw, compressed, got "zip"'],
    ['media profile', { media: { profile: 'STD-GEN-CD' } }, 'config: media.profile: expected one of STD-GEN-USB-JPEG, STD-GEN-SD-JPEG, got "STD-GEN-CD"'],
    ['relative data dir', { dataDir: 'data' }, 'config: dataDir: expected an absolute directory path, got "data"'],
    ['retry cap below start', { retry: { initialDelayS: 60, maxDelayS: 30 } }, 'config: retry.maxDelayS: 30 is below retry.initialDelayS (60)'],
    ['commitment timeout below the hold', { commitment: { reportTimeoutS: 5, holdAssociationS: 10 } }, 'config: commitment.holdAssociationS: 10 s is not below commitment.reportTimeoutS (5 s)'],
    ['commitment timeout zero', { commitment: { reportTimeoutS: 0 } }, 'config: commitment.reportTimeoutS: expected a number 1-604800, got 0'],
    ['commitment re-sends fractional', { commitment: { maxResends: 1.5 } }, 'config: commitment.maxResends: expected an integer 0-10, got 1.5'],
    ['commitment typo', { commitment: { timeoutS: 60 } }, 'config: commitment.timeoutS: unknown key'],
    ['commitment without store', { destinations: [{ ...store, roles: ['mpps', 'commitment'] }] }, 'config: destinations[0].roles: the role "commitment" needs the role "store" on the same destination'],
    ['quota refusal above warning', { quotas: { warnFreeMb: 100, refuseFreeMb: 200 } }, 'config: quotas.refuseFreeMb: 200 is above quotas.warnFreeMb (100)'],
    ['worklist interval not a number', { worklist: { refreshIntervalS: '5m' } }, 'config: worklist.refreshIntervalS: expected an integer 0-86400, got "5m"'],
    ['patient ID placeholder', { patientId: { template: 'US{year}{seq}' } }, 'config: patientId.template: unknown placeholder {year}'],
    ['patient ID not unique per day', { patientId: { template: 'US{date}' } }, 'config: patientId.template: needs {seq} or {time}'],
    ['boolean as string', { media: { exportOnEnd: 'yes' } }, 'config: media.exportOnEnd: expected true or false, got "yes"'],
    ['service PIN with letters', { service: { pin: '12ab' } }, 'config: service.pin: expected a PIN of 4-12 digits, got "12ab"'],
    ['destinations not an array', { destinations: { pacs: store } }, 'config: destinations: expected an array, got an object'],
  ];
  it.each(cases)('%s', (_, json, message) => {
    let err: unknown;
    try {
      parseDeviceConfig(json, ENV);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message.startsWith(message)).toBe(true);
    expect(e.message).not.toContain('\n');
  });
});

describe('loading a file', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const file = async (text: string): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'sonicart-config-'));
    dirs.push(d);
    await writeFile(join(d, 'c.json'), text);
    return join(d, 'c.json');
  };

  it('flags override the file', async () => {
    const f = await file(JSON.stringify({ uiPort: 9000, dataDir: '/var/lib/a' }));
    const c = await loadDeviceConfig(f, { uiPort: 9100, dataDir: '/tmp/b' }, ENV);
    expect([c.uiPort, c.dataDir]).toEqual([9100, '/tmp/b']);
  });
  it('an override is validated like the file', async () => {
    await expect(loadDeviceConfig(undefined, { dataDir: 'rel' }, ENV)).rejects.toThrow('config: dataDir: expected an absolute directory path');
  });
  it('a missing file names the file', async () => {
    await expect(loadDeviceConfig('/nonexistent/sonicart.json', {}, ENV)).rejects.toMatchObject({ code: 'CONFIG_READ', message: 'config: /nonexistent/sonicart.json: cannot read the file: ENOENT' });
  });
  it('broken JSON names the file and the parser message on one line', async () => {
    const f = await file('{"aeTitle": "X",\n}');
    const e = await loadDeviceConfig(f, {}, ENV).catch((x: unknown) => x as ConfigError);
    expect(e).toMatchObject({ code: 'CONFIG_JSON' });
    expect((e as ConfigError).message).toMatch(/^config: .*c\.json: not valid JSON: /);
    expect((e as ConfigError).message).not.toContain('\n');
  });
});

describe('a destination as a network peer', () => {
  it('carries our AE title, the activity timers in ms and TLS', () => {
    const c = parseDeviceConfig({ aeTitle: 'CART2', destinations: [{ ...store, tls: { caFile: '/ca.pem', verifyPeer: false } }] }, ENV);
    const p = peerConfigFor(c, c.destinations[0]!, 'find');
    expect(p).toMatchObject({ host: '127.0.0.1', port: 104, calledAeTitle: 'PACS', callingAeTitle: 'CART2', maxPduLength: 65536 });
    expect(p.timers).toEqual({ associationRequestMs: 30_000, inactivityMs: 90_000, wholeAssociationMs: 3_600_000 });
    expect(p.tls).toEqual({ caFile: '/ca.pem', verifyPeer: false });
  });
});
