import { parseArgs } from 'node:util';
import { convertCommand } from './commands/convert.js';
import { dumpCommand } from './commands/dump.js';
import { UsageError, describeFileError } from './errors.js';

const USAGE = `usage: sonicart <command> [options]

commands:
  dump FILE                                   print the data set, one element per line
  convert FILE --ts implicit|explicit|big -o OUT
                                              rewrite FILE in another transfer syntax
`;

/** Runs one command line; returns the exit status. Output goes through the given writers. */
export async function main(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
  },
): Promise<number> {
  const [command, ...rest] = argv;
  let subject = '';
  try {
    switch (command) {
      case 'dump': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        if (positionals.length !== 1) throw new UsageError('dump takes one FILE');
        subject = positionals[0]!;
        await dumpCommand(subject, io.out);
        return 0;
      }
      case 'convert': {
        const { positionals, values } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { ts: { type: 'string' }, out: { type: 'string', short: 'o' } },
        });
        if (positionals.length !== 1 || !values.ts || !values.out) throw new UsageError('convert takes FILE --ts SYNTAX -o OUT');
        subject = positionals[0]!;
        await convertCommand(subject, values.ts, values.out);
        return 0;
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`sonicart: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    io.err(describeFileError(subject || 'sonicart', e));
    return 1;
  }
}
