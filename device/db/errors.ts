/** Typed errors of the database layer (code + message + the file, as the service maps them). */

export type DbErrorCode = 'DB_OPEN' | 'DB_MIGRATION' | 'DB_NEWER_SCHEMA';

export class DbError extends Error {
  override readonly name = 'DbError';
  constructor(
    readonly code: DbErrorCode,
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
