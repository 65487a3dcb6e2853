import { transferSyntaxByAlias, type TransferSyntax } from '../../../dicom/encoding/index.js';
import { convertFile } from '../../files/convert.js';
import { UsageError } from '../errors.js';

export const CONVERT_TARGETS = ['implicit', 'explicit', 'big'] as const;

export function targetSyntax(alias: string): TransferSyntax {
  const ts = (CONVERT_TARGETS as readonly string[]).includes(alias) ? transferSyntaxByAlias(alias) : undefined;
  if (!ts) throw new UsageError(`--ts must be one of ${CONVERT_TARGETS.join(', ')}; got ${JSON.stringify(alias)}`);
  return ts;
}

/** `sonicart convert FILE --ts implicit|explicit|big -o OUT`. */
export async function convertCommand(file: string, alias: string, out: string): Promise<void> {
  await convertFile(file, out, targetSyntax(alias));
}
