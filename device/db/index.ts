export type { Migration, RunResult, SqlDatabase, SqlParams, SqlStatement, SqlValue } from './types.js';
export { DbError, type DbErrorCode } from './errors.js';
export { openDatabase, type OpenDatabaseOptions } from './open.js';
export { migrate, schemaVersion, checkMigrationList } from './migrate.js';
export { migrations } from './migrations.js';
