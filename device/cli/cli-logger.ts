import { jsonLogger, nullLogger, parseLogLevel, type Logger } from '../log/logger.js';

/** JSON-line logs on stderr when SONICART_LOG=debug|info|warn|error; silent otherwise. */
export function cliLogger(): Logger {
  const level = parseLogLevel(process.env['SONICART_LOG']);
  return level ? jsonLogger((line) => process.stderr.write(line + '\n'), { level }) : nullLogger;
}
