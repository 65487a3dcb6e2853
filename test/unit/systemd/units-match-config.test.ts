/**
 * The units start the service the way it really starts: sonicart.service's ExecStart parses as
 * `sonicart serve` options, the configuration install.sh puts on the cart loads, the data
 * directory is the one the unit lets it write, the kiosk opens the port the service listens on,
 * and the panel path is the name the udev rule gives the adapter.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../../device/cli/commands/serve.js';
import { DEFAULT_UI_PORT, loadDeviceConfig } from '../../../device/config/index.js';

const dir = join(import.meta.dirname, '../../../systemd');
const text = (f: string): string => readFileSync(join(dir, f), 'utf8');
/** The values of `Key=` lines, continuation lines joined. */
const values = (unit: string, key: string): string[] =>
  unit.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1).trim());

describe('systemd units match the service', () => {
  it('ExecStart is `sonicart serve` with valid options; the shipped configuration loads; the data directory is writable under the unit', async () => {
    const unit = text('sonicart.service');
    const [exec] = values(unit, 'ExecStart');
    const argv = exec!.split(/\s+/);
    expect(argv.slice(0, 3)).toEqual(['/usr/bin/node', '/opt/sonicart/bin/sonicart.js', 'serve']);
    const args = parseServeArgs(argv.slice(3));
    expect(args).toEqual({ config: '/etc/sonicart/config.json', dataDir: '/var/lib/sonicart' });
    expect(values(unit, 'StateDirectory')).toEqual(['sonicart']);
    expect(values(unit, 'ReadWritePaths')[0]!.split(' ')).toContain(args.dataDir);
    const config = await loadDeviceConfig(join(dir, 'config.json'), { dataDir: args.dataDir! });
    expect(config.dataDir).toBe('/var/lib/sonicart');
    expect(config.media.watcher).toBe('linux');
    // the udev rule's stable name for the panel's USB–serial adapter
    expect(text('99-sonicart-panel.rules')).toContain(`SYMLINK+="${config.panel.path.replace('/dev/', '')}"`);
    // the kiosk opens the port the service serves on
    const url = new URL(values(text('sonicart-kiosk.service'), 'Environment').find((v) => v.startsWith('SONICART_URL='))!.slice('SONICART_URL='.length));
    expect([url.hostname, Number(url.port)]).toEqual(['127.0.0.1', config.uiPort]);
    expect(config.uiPort).toBe(DEFAULT_UI_PORT);
  });

  it('install.sh stages the configuration (0640, it holds the PIN) and the kiosk URL on the service port', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sonicart-stage-cfg-'));
    try {
      await promisify(execFile)('bash', [join(dir, 'install.sh'), '--root', root, '--units-only']);
      expect(await readFile(join(root, 'etc/sonicart/config.json'), 'utf8')).toBe(text('config.json'));
      expect((await stat(join(root, 'etc/sonicart/config.json'))).mode & 0o777).toBe(0o640);
      expect(await readFile(join(root, 'etc/sonicart/kiosk.env'), 'utf8')).toBe(`SONICART_URL=http://127.0.0.1:${DEFAULT_UI_PORT}/\n`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
