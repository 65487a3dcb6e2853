/**
 * A fresh machine passes `npm test` only if every external command and Python module the tests
 * and benchmarks call comes from scripts/install-test-tools.sh (or from the base system). This
 * reads the call sites in test/ and bench/ (runTool, startPeer, spawn, execFile… with a literal
 * command; Python `import`/`from` lines in the scripts they run), reads the packages the install
 * script installs, and asks dpkg which commands and modules those packages ship. Adding a tool
 * to a test without adding its package to the script fails here, not on the next fresh machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const SCRIPT = readFileSync(join(ROOT, 'scripts/install-test-tools.sh'), 'utf8');

/** Functions whose first argument is a command to run. A new wrapper belongs here. */
const EXEC_CALLS = ['runTool', 'startPeer', 'spawn', 'spawnSync', 'execFile', 'execFileSync', 'dcmtk', 'timed', 'runProcess', 'findExecutable'];
/** The runtime itself, not a test tool. */
const RUNTIME = new Set(['node']);

function sources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const top of ['test', 'bench']) {
    for (const e of readdirSync(join(ROOT, top), { recursive: true, withFileTypes: true })) {
      if (e.isFile() && /\.(ts|mjs|js|py|sh)$/.test(e.name)) {
        const path = join(e.parentPath, e.name);
        out.push({ path: path.slice(ROOT.length + 1), text: readFileSync(path, 'utf8') });
      }
    }
  }
  return out;
}

/** Commands called with a literal name, with where. */
function usedCommands(): Map<string, string> {
  const used = new Map<string, string>();
  const call = new RegExp(`\\b(?:${EXEC_CALLS.join('|')})\\(\\s*(['"\`])([^'"\`\\s]+)\\1`, 'g');
  for (const { path, text } of sources()) {
    for (const m of text.matchAll(call)) used.set(basename(m[2]!), path);
    // Debian's python3, named through a constant.
    if (/DEBIAN_PYTHON|\/usr\/bin\/python3/.test(text)) used.set('python3', path);
  }
  return used;
}

/** Top-level Python modules the tests' and benchmarks' Python imports. */
function usedPythonModules(): Map<string, string> {
  const used = new Map<string, string>();
  for (const { path, text } of sources()) {
    const add = (m: string): void => void used.set(m.trim().split(/[.\s]/)[0]!, path);
    for (const m of text.matchAll(/^[ \t]*import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)[ \t]*$/gm)) for (const part of m[1]!.split(',')) add(part);
    for (const m of text.matchAll(/^[ \t]*from[ \t]+([\w][\w.]*)[ \t]+import[ \t]/gm)) add(m[1]!);
    // One-liners: python3 -c 'import pydicom; print(…)'
    for (const m of text.matchAll(/['"`][ \t]*import[ \t]+(\w+)[ \t]*;/g)) add(m[1]!);
  }
  return used;
}

/** The packages the install script installs (every `need+=(…)`). */
function scriptPackages(): string[] {
  return [...SCRIPT.matchAll(/need\+=\(([^)]*)\)/g)].flatMap((m) => m[1]!.trim().split(/\s+/));
}

const dpkg = (args: string[]): string => execFileSync('dpkg-query', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** Packages every Debian system has (Essential or Priority required), and what the script installs with everything it depends on. */
function providingPackages(): { base: string[]; installed: string[] } {
  // One dpkg-query for the whole database; the closure is computed here.
  const rows = dpkg(['-W', '-f', '${Package}\t${Priority}\t${Essential}\t${db:Status-Abbrev}\t${Depends},${Pre-Depends}\t${Provides}\n'])
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((r) => r[3]?.startsWith('ii'));
  const names = (list: string | undefined): string[] => (list ?? '').split(/[,|]/).map((d) => d.trim().split(/[\s:(]/)[0]!).filter(Boolean);
  const depends = new Map<string, string[]>();
  for (const [pkg, , , , deps, provides] of rows) {
    depends.set(pkg!, names(deps));
    for (const virtual of names(provides)) depends.set(virtual, [...(depends.get(virtual) ?? []), pkg!]);
  }
  const base = rows.filter(([, prio, ess]) => prio === 'required' || ess === 'yes').map(([p]) => p!);
  // What the script installs brings its dependencies along (python3-pydicom → python3 → python3-minimal).
  const installed = new Set<string>();
  const todo = scriptPackages();
  while (todo.length > 0) {
    const p = todo.pop()!;
    if (installed.has(p)) continue;
    installed.add(p);
    todo.push(...(depends.get(p) ?? []));
  }
  return { base, installed: [...installed].filter((p) => rows.some(([r]) => r === p)) };
}

function filesOf(packages: readonly string[]): string[] {
  return dpkg(['-L', ...packages]).split('\n');
}

describe('every tool the tests call comes from scripts/install-test-tools.sh', () => {
  const { base, installed } = providingPackages();
  const files = filesOf([...base, ...installed]);

  it('each package the script names is installed here (the script ran)', () => {
    const missing = scriptPackages().filter((p) => !/^ii/.test(dpkg(['-W', '-f', '${db:Status-Abbrev}', p]).trim() || 'not'));
    expect(missing).toEqual([]);
  });

  it('each command called in test/ and bench/ is shipped by a package the script installs or by the base system', () => {
    const commands = new Set(files.filter((f) => /\/s?bin\/[^/]+$/.test(f)).map((f) => basename(f)));
    const used = usedCommands();
    expect(used.size).toBeGreaterThan(10); // the scan finds the calls at all
    const unprovided = [...used].filter(([c]) => !RUNTIME.has(c) && !commands.has(c)).map(([c, where]) => `${c} (${where})`);
    expect(unprovided, 'add the package that ships these to scripts/install-test-tools.sh').toEqual([]);
  });

  it('each Python module imported in test/ and bench/ is in the standard library or shipped by a package the script installs', () => {
    const stdlib = new Set(execFileSync('/usr/bin/python3', ['-c', 'import sys; print("\\n".join(sys.stdlib_module_names))'], { encoding: 'utf8' }).split('\n'));
    const shipped = new Set(files.map((f) => /\/dist-packages\/([A-Za-z_]\w*)(?:\/|\.py$|\.cpython)/.exec(f)?.[1]).filter((m): m is string => m !== undefined));
    const used = usedPythonModules();
    expect(used.has('pydicom')).toBe(true); // the scan finds the imports at all
    const unprovided = [...used].filter(([m]) => !stdlib.has(m) && !shipped.has(m)).map(([m, where]) => `${m} (${where})`);
    expect(unprovided, 'add the python3-… package that ships these to scripts/install-test-tools.sh').toEqual([]);
  });
});
