/**
 * The kiosk's files (ui-kiosk/dist/) served read-only. A request path is decoded once, must not
 * contain NUL, backslash or a `..` segment, and after resolving symlinks must still lie inside
 * the root, so nothing outside the kiosk's build can be read. Unknown paths without an
 * extension get index.html (the kiosk routes on the client); a missing file with an extension
 * is a 404.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { ApiError } from './errors.js';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticFiles {
  /** Serves `urlPath` (no query); throws ApiError 404/400. */
  serve(urlPath: string, res: ServerResponse, head: boolean): Promise<void>;
}

/** `root` may not exist (kiosk not built): every request is then a 404 saying so. */
export async function staticFiles(root: string): Promise<StaticFiles> {
  const realRoot = await realpath(root).catch(() => undefined);
  const resolveInside = async (urlPath: string): Promise<{ file: string; size: number } | undefined> => {
    if (realRoot === undefined) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      throw new ApiError(400, 'API_INVALID', 'the path is not valid percent-encoding', 'path');
    }
    if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').some((s) => s === '..')) {
      throw new ApiError(400, 'API_INVALID', 'the path must not contain "..", backslashes or NUL', 'path');
    }
    const rel = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
    const candidate = join(realRoot, rel);
    const real = await realpath(candidate).catch(() => undefined);
    if (real === undefined || (real !== realRoot && !real.startsWith(realRoot + sep))) return undefined;
    const st = await stat(real).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    return { file: real, size: st.size };
  };

  return {
    async serve(urlPath, res, head) {
      let hit = await resolveInside(urlPath);
      if (hit === undefined && extname(urlPath) === '') hit = await resolveInside('/index.html');
      if (hit === undefined) {
        throw new ApiError(404, 'API_NOT_FOUND', realRoot === undefined ? `the kiosk is not built (no ${root}); the API is under /api/` : `no such file: ${urlPath}`);
      }
      const type = CONTENT_TYPES[extname(hit.file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, {
        'content-type': type,
        'content-length': String(hit.size),
        'x-content-type-options': 'nosniff',
        // index.html must be re-read after an update; hashed assets may be cached.
        'cache-control': hit.file.endsWith('.html') ? 'no-cache' : 'max-age=3600',
      });
      if (head) {
        res.end();
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const stream = createReadStream(hit.file);
        stream.on('error', reject);
        res.on('close', resolve);
        stream.pipe(res);
      });
    },
  };
}
