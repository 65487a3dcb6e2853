/**
 * The units and their companions checked by systemd's own tools: `systemd-analyze verify` for
 * both units, `systemd-analyze security --offline=true` for the service's exposure score,
 * systemd-sysusers and systemd-tmpfiles applied to a scratch root, and the polkit rule
 * evaluated as polkit would call it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SYSTEMD = resolve(import.meta.dirname, '../../systemd');
const unit = (name: string) => join(SYSTEMD, name);

describe('systemd-analyze', () => {
  it('verify passes for every unit, with nothing said', async () => {
    // verify wants every ExecStart binary to exist: node, cage and chromium (install-test-tools.sh)
    const { stdout, stderr } = await run('systemd-analyze', ['verify', unit('sonicart.service'), unit('sonicart-kiosk.service')]);
    expect(stderr).toBe('');
    expect(stdout).toBe('');
  });

  it('verify would catch a broken unit (the check can fail)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sonicart-unit-'));
    try {
      const broken = readFileSync(unit('sonicart.service'), 'utf8').replace('ExecStart=/usr/bin/node', 'ExecStart=/usr/bin/no-such-node');
      await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'sonicart.service'), broken));
      await expect(run('systemd-analyze', ['verify', join(dir, 'sonicart.service')])).rejects.toMatchObject({ stderr: expect.stringContaining('no-such-node') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('security --offline=true: the service scores 2.5 or lower, "OK"', async () => {
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--no-pager', unit('sonicart.service')]).catch((e: { stdout: string }) => e);
    const m = /Overall exposure level for sonicart\.service: (\d+\.\d+) (\w+)/.exec(stdout);
    expect(m, stdout.slice(-500)).not.toBeNull();
    const score = Number(m![1]);
    console.log(`systemd-analyze security: sonicart.service exposure ${score} ${m![2]}`);
    expect(score).toBeLessThanOrEqual(2.5);
    expect(m![2]).toBe('OK');
    // the protections the issue names, each passing in the analyser's own table
    for (const name of ['NoNewPrivileges=', 'PrivateTmp=', 'ProtectSystem=', 'RestrictSUIDSGID=', 'SystemCallFilter=~@privileged', 'CapabilityBoundingSet=~CAP_SYS_ADMIN', 'RestrictNamespaces=~user']) {
      const line = stdout.split('\n').find((l) => l.includes(` ${name}`));
      expect(line, name).toMatch(/^✓/);
    }
  });

  it('the service keeps what V8 and the hardware need: W+X memory, the serial line, video4linux', () => {
    const text = readFileSync(unit('sonicart.service'), 'utf8');
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
    expect(text).not.toMatch(/^PrivateDevices=yes/m);
    expect(text).toMatch(/^DeviceAllow=char-video4linux rw$/m);
    expect(text).toMatch(/^DeviceAllow=char-ttyUSB rw$/m);
    expect(text).toMatch(/^DeviceAllow=char-ttyACM rw$/m);
    expect(text).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK$/m);
    expect(text).toMatch(/^ReadWritePaths=\/var\/lib\/sonicart \/media\/sonicart$/m);
    expect(text).toMatch(/^Restart=on-failure$/m);
    expect(text).toMatch(/^WatchdogSec=\d+s$/m);
    expect(text).toMatch(/^User=sonicart$/m);
  });

  it('the kiosk starts after the (notify-ready) service and comes back when it dies', () => {
    const text = readFileSync(unit('sonicart-kiosk.service'), 'utf8');
    expect(text).toMatch(/^After=sonicart\.service/m);
    expect(text).toMatch(/^Restart=always$/m);
    expect(text).toMatch(/chromium --kiosk/);
  });
});

describe('sysusers and tmpfiles on a scratch root', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sonicart-root-'));
    await mkdir(join(root, 'etc'));
    await mkdir(join(root, 'usr/lib/sysusers.d'), { recursive: true });
    await mkdir(join(root, 'usr/lib/tmpfiles.d'), { recursive: true });
    await cp(unit('sonicart.sysusers.conf'), join(root, 'usr/lib/sysusers.d/sonicart.conf'));
    await cp(unit('sonicart.tmpfiles.conf'), join(root, 'usr/lib/tmpfiles.d/sonicart.conf'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('systemd-sysusers makes the two users, with the groups for the serial line and video', async () => {
    await run('systemd-sysusers', [`--root=${root}`, 'sonicart.conf']);
    const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
    const group = await readFile(join(root, 'etc/group'), 'utf8');
    expect(passwd).toMatch(/^sonicart:x:\d+:\d+:sonicart cart service:\/var\/lib\/sonicart:\/usr\/sbin\/nologin$/m);
    expect(passwd).toMatch(/^sonicart-kiosk:x:/m);
    expect(group).toMatch(/^dialout:x:\d+:sonicart$/m);
    expect(group).toMatch(/^video:x:\d+:sonicart,sonicart-kiosk$/m);
  });

  it('systemd-tmpfiles creates the data directory for the service user and the media mount base', async () => {
    await run('systemd-tmpfiles', ['--create', `--root=${root}`, 'sonicart.conf']);
    const uid = Number(/^sonicart:x:(\d+):/m.exec(await readFile(join(root, 'etc/passwd'), 'utf8'))![1]);
    const data = await stat(join(root, 'var/lib/sonicart'));
    expect(data.uid).toBe(uid);
    expect(data.mode & 0o777).toBe(0o750);
    const media = await stat(join(root, 'media/sonicart'));
    expect(media.isDirectory()).toBe(true);
    expect(media.uid).toBe(0);
  });
});

describe('polkit rule for ejecting media', () => {
  type Rule = (action: { id: string; lookup(k: string): string | undefined }, subject: { user: string }) => string;
  const rules: Rule[] = [];
  const polkit = { Result: { YES: 'yes', NO: 'no', NOT_HANDLED: 'not-handled' }, addRule: (r: Rule) => rules.push(r) };
  new Function('polkit', readFileSync(unit('50-sonicart-media.rules'), 'utf8'))(polkit);
  const ask = (user: string, verb: string, unitName: string, id = 'org.freedesktop.systemd1.manage-units') =>
    rules[0]!({ id, lookup: (k) => ({ unit: unitName, verb })[k] }, { user });

  it('lets the service user stop its media mounts, and nothing else', () => {
    expect(rules).toHaveLength(1);
    expect(ask('sonicart', 'stop', 'media-sonicart-sdb1.mount')).toBe('yes');
    expect(ask('sonicart', 'stop', 'media-sonicart-mmcblk1p1.mount')).toBe('yes');
    expect(ask('sonicart', 'start', 'media-sonicart-sdb1.mount')).toBe('not-handled');
    expect(ask('sonicart', 'stop', 'sonicart.service')).toBe('not-handled');
    expect(ask('sonicart', 'stop', 'media-other-sdb1.mount')).toBe('not-handled');
    expect(ask('sonicart-kiosk', 'stop', 'media-sonicart-sdb1.mount')).toBe('not-handled');
    expect(ask('sonicart', 'stop', 'media-sonicart-sdb1.mount', 'org.freedesktop.login1.reboot')).toBe('not-handled');
  });
});

describe('install.sh', () => {
  it('stages every file where the units and rules expect it, and the staged units verify', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sonicart-stage-'));
    try {
      await run('bash', [unit('install.sh'), '--root', root, '--units-only']);
      const files = {
        'etc/systemd/system/sonicart.service': 'sonicart.service',
        'etc/systemd/system/sonicart-kiosk.service': 'sonicart-kiosk.service',
        'usr/lib/sysusers.d/sonicart.conf': 'sonicart.sysusers.conf',
        'usr/lib/tmpfiles.d/sonicart.conf': 'sonicart.tmpfiles.conf',
        'etc/udev/rules.d/99-sonicart-media.rules': '99-sonicart-media.rules',
        'etc/udev/rules.d/99-sonicart-panel.rules': '99-sonicart-panel.rules',
        'etc/polkit-1/rules.d/50-sonicart-media.rules': '50-sonicart-media.rules',
      };
      for (const [dest, src] of Object.entries(files)) {
        expect(await readFile(join(root, dest), 'utf8'), dest).toBe(readFileSync(unit(src), 'utf8'));
        expect((await stat(join(root, dest))).mode & 0o777, dest).toBe(0o644);
      }
      expect(await readFile(join(root, 'etc/sonicart/kiosk.env'), 'utf8')).toBe('SONICART_URL=http://127.0.0.1:8042/\n');
      const { stderr } = await run('systemd-analyze', ['verify', join(root, 'etc/systemd/system/sonicart.service'), join(root, 'etc/systemd/system/sonicart-kiosk.service')]);
      expect(stderr).toBe('');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('an unknown option is a usage error (exit 2) before anything is touched', async () => {
    await expect(run('bash', [unit('install.sh'), '--frobnicate'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') });
  });
});

describe('udev rules (systemd 252 has no `udevadm verify`: a structural check of our own)', () => {
  /** Splits a rule line into its pairs; undefined where the line is not `KEY op "value", …`. */
  const pairs = (line: string): string[] | undefined => {
    const re = /([A-Z_]+(?:\{[^}]+\})?(?:==|!=|\+=|-=|:=|=)"[^"]*")(?:,\s*|\s*$)/y;
    const out: string[] = [];
    while (re.lastIndex < line.length) {
      const m = re.exec(line);
      if (!m) return undefined;
      out.push(m[1]!);
    }
    return out;
  };
  it('the check rejects malformed lines (it can fail)', () => {
    expect(pairs('ACTION=="add" SUBSYSTEM=="block"')).toBeUndefined(); // missing comma
    expect(pairs('GOTO=end')).toBeUndefined(); // unquoted
    expect(pairs('ENV{ID_BUS}=="usb", RUN+="/bin/x a,b"')).toEqual(['ENV{ID_BUS}=="usb"', 'RUN+="/bin/x a,b"']);
  });
  for (const name of ['99-sonicart-media.rules', '99-sonicart-panel.rules']) {
    it(`${name}: every line is KEY op "value" pairs, every GOTO has its LABEL, mounts go under /media/sonicart`, () => {
      const text = readFileSync(unit(name), 'utf8');
      const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
      const labels = new Set<string>();
      const gotos = new Set<string>();
      for (const line of lines) {
        const ps = pairs(line);
        expect(ps, line).toBeDefined();
        for (const pair of ps!) {
          const m = /^(LABEL|GOTO)="([^"]+)"$/.exec(pair);
          if (m) (m[1] === 'LABEL' ? labels : gotos).add(m[2]!);
        }
      }
      for (const g of gotos) expect(labels, `GOTO ${g}`).toContain(g);
      if (name.includes('media')) {
        expect(text).toMatch(/systemd-mount --no-block --collect .* \$devnode \/media\/sonicart\/%k"/);
        expect(text).toMatch(/noexec,nosuid,nodev/);
      }
    });
  }
});
