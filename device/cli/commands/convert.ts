import { transferSyntaxByAlias, type TransferSyntax } from '../../../dicom/encoding/index.js';
import { convertFile } from '../../files/convert.js';
import { UsageError } from '../errors.js';

export const CONVERT_TARGETS = ['implicit', 'explicit', 'big', 'jpeg-baseline', 'jpeg-lossless'] as const;

export function targetSyntax(alias: string): TransferSyntax {
  const ts = (CONVERT_TARGETS as readonly string[]).includes(alias) ? transferSyntaxByAlias(alias) : undefined;
  if (!ts) throw new UsageError(`--ts must be one of ${CONVERT_TARGETS.join(', ')}; got ${JSON.stringify(alias)}`);
  return ts;
}

/**
 * `sonicart convert FILE --ts implicit|explicit|big|jpeg-baseline|jpeg-lossless -o OUT`.
 * Naming jpeg-baseline is the user's explicit choice of lossy compression (conformance §2), so
 * it is the one target that may turn a lossless object lossy.
 */
export async function convertCommand(file: string, alias: string, out: string, warn: (line: string) => void = () => undefined): Promise<void> {
  const target = targetSyntax(alias);
  await convertFile(file, out, target, { allowLossy: alias === 'jpeg-baseline', onWarning: (w) => warn(`${file}: warning: ${w}`) });
}
