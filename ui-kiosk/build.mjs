// Bundles the kiosk into ui-kiosk/dist/ with esbuild (already in the lock file through tsx and
// vitest): one minified ES module, one stylesheet and index.html, which the service serves from
// 127.0.0.1. Run by `npm run build` and by `prepare` after `npm ci`.
import { build } from 'esbuild';
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, 'dist');
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.tsx' },
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
});
await copyFile(join(here, 'src/index.html'), join(outdir, 'index.html'));
await copyFile(join(here, 'src/app.css'), join(outdir, 'app.css'));
if (process.argv.includes('--report')) {
  let total = 0;
  for (const f of ['app.js', 'app.css', 'index.html']) {
    const bytes = await readFile(join(outdir, f));
    const gz = gzipSync(bytes).length;
    total += gz;
    console.log(`${f}\t${(await stat(join(outdir, f))).size} B\t${gz} B gzipped`);
  }
  console.log(`total\t${total} B gzipped`);
}
