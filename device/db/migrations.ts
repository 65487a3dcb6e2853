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
  {
    version: 2,
    name: 'exams, worklist cache, audit trail',
    sql: `
      -- One row per exam (device/exam). Patient columns are what the API lists; the full
      -- attributes live in the files. worklist_item: the chosen MWL match as DICOM JSON.
      CREATE TABLE exams (
        exam_id TEXT PRIMARY KEY,
        study_instance_uid TEXT NOT NULL,
        accession_number TEXT NOT NULL DEFAULT '',
        scheduled INTEGER NOT NULL CHECK (scheduled IN (0, 1)),
        patient_name TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        patient_sex TEXT NOT NULL DEFAULT '',
        patient_birth_date TEXT NOT NULL DEFAULT '',
        study_date TEXT NOT NULL,
        worklist_item TEXT,
        state TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX exams_started ON exams (started_at);
      CREATE INDEX exams_state ON exams (state, started_at);
      CREATE INDEX exams_patient ON exams (patient_id);

      -- Series of an exam, allocated durably before the first file of the series is written.
      CREATE TABLE exam_series (
        exam_id TEXT NOT NULL REFERENCES exams (exam_id),
        series_group TEXT NOT NULL,
        series_instance_uid TEXT NOT NULL UNIQUE,
        series_number INTEGER NOT NULL,
        PRIMARY KEY (exam_id, series_group)
      ) WITHOUT ROWID;

      -- Instance numbers are reserved here before the file is written (so a crash never reuses
      -- one); an instance belongs to the exam once its row exists in 'instances' too.
      CREATE TABLE exam_instances (
        sop_instance_uid TEXT PRIMARY KEY,
        exam_id TEXT NOT NULL REFERENCES exams (exam_id),
        kind TEXT NOT NULL CHECK (kind IN ('still', 'cine', 'screen')),
        series_number INTEGER NOT NULL,
        instance_number INTEGER NOT NULL,
        reserved_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX exam_instances_exam ON exam_instances (exam_id, instance_number);

      -- The last successful worklist answer (one row), shown with its age when the server is down.
      CREATE TABLE worklist_cache (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        source TEXT NOT NULL,
        query TEXT NOT NULL,
        matches TEXT NOT NULL,
        fetched_at TEXT NOT NULL
      );

      -- Audit trail: who did what, when, where to. 'what' never holds a patient name.
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        what TEXT NOT NULL,
        where_to TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
        detail TEXT
      );
      CREATE INDEX audit_at ON audit (at);
      CREATE INDEX audit_action ON audit (action, at);
    `,
  },
  {
    version: 3,
    name: 'jobs by destination',
    sql: `
      -- The forwarder takes a destination's scheduled work in job order, and the API lists a
      -- destination's jobs newest first: both walk this index instead of sorting.
      CREATE INDEX jobs_dest ON jobs (destination, state, job_id);
    `,
  },
];
