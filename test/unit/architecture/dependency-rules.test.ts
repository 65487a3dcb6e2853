/**
 * Keeps the dependency rules of the architecture true (shared/spec/architecture.md):
 * dicom/ imports nothing outside itself; device/ imports dicom/ only through each submodule's
 * index.ts, and never ui-kiosk/ or test/; only device/main.ts may import hw-sim/; hw-sim/
 * implements device/ interfaces; ui-kiosk/ takes types only from device/.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const AREAS = ['dicom', 'device', 'hw-sim', 'ui-kiosk'] as const;

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isFile() && /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
      out.push(relative(ROOT, join(e.parentPath, e.name)));
    }
  }
  return out;
}

interface Import {
  file: string;
  spec: string;
  typeOnly: boolean;
}

/** Static imports, re-exports and dynamic imports with a literal specifier. */
function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
  for (let m; (m = re.exec(text)); ) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec) out.push({ file, spec, typeOnly: Boolean(m[2]) });
  }
  return out;
}

function area(path: string): string {
  return path.split('/')[0]!;
}

async function violations(): Promise<string[]> {
  const bad: string[] = [];
  for (const a of AREAS) {
    for (const file of await tsFiles(a)) {
      const text = await readFile(join(ROOT, file), 'utf8');
      for (const imp of importsOf(file, text)) {
        const relativeSpec = imp.spec.startsWith('.');
        const target = relativeSpec ? relative(ROOT, resolve(ROOT, dirname(file), imp.spec)) : undefined;
        const say = (why: string): void => void bad.push(`${file}: import '${imp.spec}': ${why}`);
        if (a === 'dicom') {
          if (!relativeSpec) say('dicom/ is pure: no packages or node: modules');
          else if (area(target!) !== 'dicom') say('dicom/ imports nothing outside itself');
          continue;
        }
        if (!relativeSpec) continue; // packages and node: modules are fine outside dicom/
        const to = area(target!);
        if (to === 'test') say('only test/ imports test/');
        if (to === 'dicom' && !/^dicom\/[^/]+\/index\.js$/.test(target!)) say('dicom/ is used through a submodule index.ts');
        if (a === 'device' && to === 'ui-kiosk') say('device/ never imports ui-kiosk/');
        if (a === 'device' && to === 'hw-sim' && file !== 'device/main.ts') say('only the composition root device/main.ts picks simulators');
        if (a === 'hw-sim' && to === 'ui-kiosk') say('hw-sim/ does not import ui-kiosk/');
        if (a === 'ui-kiosk' && to !== 'ui-kiosk' && !(to === 'device' && imp.typeOnly)) say('ui-kiosk/ takes only types from device/');
      }
    }
  }
  return bad;
}

describe('dependency rules', () => {
  it('hold for every source file', async () => {
    expect(await violations()).toEqual([]);
  });

  it('the scanner sees imports of every form', () => {
    const found = importsOf('x.ts', `import { a } from './a.js';\nimport type { B } from '../b.js';\nexport * from './c.js';\nconst d = await import('./d.js');\nimport './e.js';`);
    expect(found.map((i) => i.spec)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js']);
    expect(found[1]!.typeOnly).toBe(true);
  });
});
