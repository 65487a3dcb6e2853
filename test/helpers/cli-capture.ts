import { main } from '../../device/cli/main.js';

/** Captures what the CLI's `main()` writes, line by line, for assertions. */
export function cli(): { io: { out: (s: string) => void; err: (s: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s) => out.push(s), err: (s) => err.push(s) }, out, err };
}

/** Runs the CLI's `main()` in this process, its output captured line by line. */
export async function runCli(args: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const c = cli();
  const code = await main(args, c.io);
  return { code, out: c.out, err: c.err };
}

/** runCli with stdout and stderr each as one text. */
export async function runCliText(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.out.join('\n'), err: r.err.join('\n') };
}
