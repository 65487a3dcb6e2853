/**
 * The schema of the cart's database, as an ordered, APPEND-ONLY list: a shipped migration is
 * never edited (carts in the field already ran it); a change is a new entry at the end with the
 * next version. Owners: instances/jobs — device/storage and device/queue; later entries are
 * appended by their modules (exams, worklist cache, audit …).
 */
import type { Migration } from './types.js';

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'instances and jobs',
    sql: `
      -- One row per stored DICOM instance; 'path' is relative to the data directory so the
      -- directory can move. state 'missing' = the row survived but its file did not (flagged
      -- at start-up, never silently dropped).
      CREATE TABLE instances (
        sop_instance_uid TEXT PRIMARY KEY,
        sop_class_uid TEXT NOT NULL,
        study_instance_uid TEXT NOT NULL,
        series_instance_uid TEXT NOT NULL,
        exam_id TEXT,
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        frames INTEGER NOT NULL DEFAULT 1,
        transfer_syntax_uid TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'missing')),
        error TEXT,
        received_from TEXT,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX instances_study ON instances (study_instance_uid, created_at);
      CREATE INDEX instances_exam ON instances (exam_id);
      CREATE INDEX instances_created ON instances (created_at);

      -- One row per unit of work (instance × destination for 'store'). Terminal states:
      -- completed, warning, failed (a cancelled job is failed with its reason).
      CREATE TABLE jobs (
        job_id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('store', 'mpps', 'commit', 'export')),
        sop_instance_uid TEXT REFERENCES instances (sop_instance_uid) ON DELETE RESTRICT,
        exam_id TEXT,
        destination TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('scheduled', 'in-progress', 'completed', 'warning', 'failed', 'retry')),
        status INTEGER,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at INTEGER,
        updated_at TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      -- The forwarder's pick: due work of one destination, oldest first.
      CREATE INDEX jobs_due ON jobs (destination, state, next_try_at, job_id);
      -- The API's filtered, paged list (newest first) and per-state counts.
      CREATE INDEX jobs_state ON jobs (state, job_id);
      CREATE INDEX jobs_instance ON jobs (sop_instance_uid, destination);
      CREATE INDEX jobs_exam ON jobs (exam_id, job_id);
    `,
  },
];
