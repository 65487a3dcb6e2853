/** config.panel: defaults (the simulated panel for npm start) and one-line errors naming the key. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseDeviceConfig } from '../../../device/config/index.js';

describe('config.panel', () => {
  it('defaults: the simulated panel, footswitch freezes, 4 s retrospective cine', () => {
    expect(parseDeviceConfig({ dataDir: '/tmp/x' }).panel).toEqual({ path: 'sim', footswitch: 'freeze', cineSeconds: 4, cineMode: 'retrospective' });
  });
  it('takes a serial device, none, and the other modes', () => {
    expect(parseDeviceConfig({ dataDir: '/tmp/x', panel: { path: '/dev/sonicart-panel', footswitch: 'store-cine', cineMode: 'prospective', cineSeconds: 2 } }).panel).toEqual({
      path: '/dev/sonicart-panel', footswitch: 'store-cine', cineMode: 'prospective', cineSeconds: 2,
    });
    expect(parseDeviceConfig({ dataDir: '/tmp/x', panel: { path: 'none' } }).panel.path).toBe('none');
  });
  it.each([
    [{ path: 'ttyUSB0' }, 'panel.path'],
    [{ path: '' }, 'panel.path'],
    [{ footswitch: 'export' }, 'panel.footswitch'],
    [{ cineMode: 'both' }, 'panel.cineMode'],
    [{ cineSeconds: 0 }, 'panel.cineSeconds'],
  ])('%j is refused with one line naming %s', (panel, key) => {
    let err: unknown;
    try {
      parseDeviceConfig({ dataDir: '/tmp/x', panel });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(key);
    expect((err as Error).message).not.toContain('\n');
  });
});
