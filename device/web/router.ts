/**
 * A small router: a table of (method, path pattern) → handler. Patterns are literal segments
 * and `{name}` parameters that match one whole non-empty segment (percent-decoded). A path that
 * matches no pattern is 404; a path that matches with another method is 405 with `Allow`.
 */
import { ApiError } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

export interface RouteMatch<H> {
  readonly handler: H;
  readonly params: Readonly<Record<string, string>>;
  readonly pattern: string;
}

interface CompiledRoute<H> {
  readonly method: HttpMethod;
  readonly pattern: string;
  readonly segments: readonly ({ literal: string } | { param: string })[];
  readonly handler: H;
}

function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

export class Router<H> {
  private readonly routes: CompiledRoute<H>[] = [];

  add(method: HttpMethod, pattern: string, handler: H): this {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with /: ${pattern}`);
    const segments = splitPath(pattern).map((s) => {
      const m = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(s);
      return m ? { param: m[1]! } : { literal: s };
    });
    if (this.routes.some((r) => r.method === method && r.pattern === pattern)) throw new Error(`route defined twice: ${method} ${pattern}`);
    this.routes.push({ method, pattern, segments, handler });
    return this;
  }

  /** The routes, for documentation and tests. */
  list(): readonly { method: HttpMethod; pattern: string }[] {
    return this.routes.map((r) => ({ method: r.method, pattern: r.pattern }));
  }

  /**
   * Finds the handler for `method` and `path` (the path only, no query). Literal segments win
   * over parameters, so `/api/exams/current` is not taken for `/api/exams/{id}` when both exist.
   * Throws ApiError 404 / 405.
   */
  match(method: string, path: string): RouteMatch<H> {
    const parts = splitPath(path);
    let decoded: string[];
    try {
      decoded = parts.map((p) => decodeURIComponent(p));
    } catch {
      throw new ApiError(400, 'API_INVALID', `the path is not valid percent-encoding: ${path}`, 'path');
    }
    const candidates: { route: CompiledRoute<H>; params: Record<string, string>; literals: number }[] = [];
    for (const route of this.routes) {
      if (route.segments.length !== decoded.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      for (let i = 0; i < decoded.length && ok; i++) {
        const seg = route.segments[i]!;
        const value = decoded[i]!;
        if ('literal' in seg) {
          ok = seg.literal === value;
          literals++;
        } else {
          ok = value !== '';
          params[seg.param] = value;
        }
      }
      if (ok) candidates.push({ route, params, literals });
    }
    if (candidates.length === 0) throw new ApiError(404, 'API_NOT_FOUND', `no such resource: ${path}`);
    const wanted = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    const best = Math.max(...candidates.map((c) => c.literals));
    const top = candidates.filter((c) => c.literals === best);
    for (const m of wanted) {
      const hit = top.find((c) => c.route.method === m) ?? candidates.filter((c) => c.route.method === m).sort((a, b) => b.literals - a.literals)[0];
      if (hit) return { handler: hit.route.handler, params: hit.params, pattern: hit.route.pattern };
    }
    const allow = [...new Set(candidates.map((c) => c.route.method))].sort();
    throw new ApiError(405, 'API_METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; allowed: ${allow.join(', ')}`, undefined, { allow: allow.join(', ') });
  }
}
