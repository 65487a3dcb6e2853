/**
 * Where the kiosk's built files are: ui-kiosk/dist/ of the installed package. Found by walking
 * up from this module to the package root, so it is the same from the TypeScript sources (tsx)
 * and from the esbuild bundle in dist/cli/; `SONICART_KIOSK_DIR` overrides it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function kioskDistDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['SONICART_KIOSK_DIR'];
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sonicart') return join(dir, 'ui-kiosk', 'dist');
    const up = dirname(dir);
    if (up === dir) return join(process.cwd(), 'ui-kiosk', 'dist');
    dir = up;
  }
}
