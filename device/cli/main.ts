import { parseArgs } from 'node:util';
// Each command's module is imported only when that command runs: the capture path loads
// sharp and ffmpeg glue, media loads drivelist, and a service engineer's `echo` should not
// pay for either (start-up time and memory of every invocation).
import { UsageError, describeFileError } from './errors.js';

const USAGE = `usage: sonicart <command> [options]

commands:
  dump FILE                                   print the data set, one element per line
  convert FILE --ts implicit|explicit|big|jpeg-baseline|jpeg-lossless -o OUT
                                              rewrite FILE in another transfer syntax
  capture --kind still|cine|sc|sc-cine [--seconds S] [--ts explicit|jpeg-baseline|jpeg-lossless]
          [--patient FILE.json] [--source sim|v4l2:/dev/videoN|file:PATH] --out DIR
                                              capture from the frame grabber into a DICOM file
                                              (exit 3: stored, but frames are missing or the
                                              source ended early; a warning says which)
  export --profile STD-GEN-USB-JPEG|STD-GEN-SD-JPEG --out DIR [--add] [--fileset-id ID] [--wait S] FILE|DIR …
                                              write a file-set with a DICOMDIR onto a medium
                                              (--wait: how long to wait for another export onto
                                              the same medium, default 120 s)
  media list                                  removable volumes, one per line
  media read DIR                              the file-set tree of a medium
  echo --host H --port P --called-ae AE [--calling-ae AE] [--tls …]
                                              C-ECHO, and the storage the peer accepts
  send --host H --port P --called-ae AE [--calling-ae AE] [--tls …] [--parallel N] [--allow-lossy] FILE|DIR …
                                              C-STORE, one line per instance with its status
  worklist --host H --port P --called-ae AE [--calling-ae AE] [--tls …] [--modality US]
           [--date today|YYYYMMDD|YYYYMMDD-YYYYMMDD] [--station-ae AE] [--patient-id ID]
           [--patient-name PATTERN] [--accession N] [--format tsv|json]
                                              Modality Worklist query
  hospital [--port P] [--ae TITLE] [--data DIR] [--cart AE@HOST:PORT] [--commit-delay MS]
                                              the simulated hospital (worklist, storage, MPPS,
                                              storage commitment) on loopback, until Ctrl-C
  conformance                                 the cart's DICOM conformance statement
  serve [--config FILE] [--data-dir DIR] [--ui-port N] [--listen-port N]
                                              run the cart's service and its API on 127.0.0.1
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
        const { dumpCommand } = await import('./commands/dump.js');
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
        const { convertCommand } = await import('./commands/convert.js');
        await convertCommand(subject, values.ts, values.out, io.err);
        return 0;
      }
      case 'export': {
        const { EXPORT_OPTIONS, exportCommand } = await import('./commands/export.js');
        const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: EXPORT_OPTIONS });
        subject = values.out ?? '';
        const { integerOption } = await import('./validate.js');
        const args = {
          profile: values.profile,
          out: values.out,
          add: values.add ?? false,
          fileSetId: values['fileset-id'],
          inputs: positionals,
          ...(values.wait !== undefined ? { lockWaitMs: integerOption('--wait', values.wait, 0, 86_400) * 1000 } : {}),
        };
        await exportCommand(args, io.out, io.err);
        return 0;
      }
      case 'media': {
        const { mediaListCommand, mediaReadCommand, mediaUsage } = await import('./commands/media.js');
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        const [sub, ...more] = positionals;
        if (sub === 'list' && more.length === 0) await mediaListCommand(io.out);
        else if (sub === 'read' && more.length === 1) await mediaReadCommand((subject = more[0]!), io.out);
        else mediaUsage(sub);
        return 0;
      }
      case 'capture': {
        const { values } = parseArgs({
          args: rest,
          options: { kind: { type: 'string' }, seconds: { type: 'string' }, ts: { type: 'string' }, patient: { type: 'string' }, source: { type: 'string' }, out: { type: 'string', short: 'o' } },
        });
        if (!values.kind || !values.out) throw new UsageError('capture takes --kind KIND --out DIR');
        const { openFrameSource } = await import('../main.js');
        const { captureCommand } = await import('./commands/capture.js');
        return await captureCommand({ ...values, kind: values.kind, out: values.out }, (spec) => openFrameSource(spec), io.out, io.err);
      }
      case 'echo':
        return await (await import('./commands/echo.js')).echoCommand(rest, io);
      case 'send':
        return await (await import('./commands/send.js')).sendCommand(rest, io);
      case 'worklist':
        return await (await import('./commands/worklist.js')).worklistCommand(rest, io);
      case 'hospital': {
        const { startSimulatedHospital } = await import('../main.js');
        return await (await import('./commands/hospital.js')).hospitalCommand(rest, io, { start: startSimulatedHospital });
      }
      case 'conformance':
        return (await import('./commands/conformance.js')).conformanceCommand(rest, io);
      case 'serve':
        return await (await import('./commands/serve.js')).serveCommand(rest, io);
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
