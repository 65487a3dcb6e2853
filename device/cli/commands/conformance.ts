/** `sonicart conformance`: the DICOM conformance statement, generated from the tables the code uses. */
import { conformanceStatement } from '../../net/conformance-statement.js';
import { UsageError } from '../errors.js';
import type { CommandIo } from './net-common.js';

export function conformanceCommand(args: readonly string[], io: CommandIo): number {
  if (args.length > 0) throw new UsageError('conformance takes no arguments');
  for (const line of conformanceStatement()) io.out(line);
  return 0;
}
