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
  {
    version: 4,
    name: 'job counts kept by triggers; jobs by destination in id order; instances not ok',
    sql: `
      -- A year of a busy cart is 200,000 jobs: COUNT(*) per request (the API's totals, the
      -- queue summary in every /api/state) would cost tens of ms each. The counts are kept here
      -- by triggers in the same transaction as the change, so they cannot drift.
      CREATE TABLE job_counts (
        destination TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (destination, kind, state)
      ) WITHOUT ROWID;
      INSERT INTO job_counts (destination, kind, state, n)
        SELECT destination, kind, state, COUNT(*) FROM jobs GROUP BY destination, kind, state;
      CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO job_counts (destination, kind, state, n) VALUES (NEW.destination, NEW.kind, NEW.state, 1)
          ON CONFLICT (destination, kind, state) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
        UPDATE job_counts SET n = n - 1 WHERE destination = OLD.destination AND kind = OLD.kind AND state = OLD.state;
      END;
      CREATE TRIGGER jobs_count_update AFTER UPDATE OF state, destination, kind ON jobs
        WHEN OLD.state IS NOT NEW.state OR OLD.destination IS NOT NEW.destination OR OLD.kind IS NOT NEW.kind BEGIN
        UPDATE job_counts SET n = n - 1 WHERE destination = OLD.destination AND kind = OLD.kind AND state = OLD.state;
        INSERT INTO job_counts (destination, kind, state, n) VALUES (NEW.destination, NEW.kind, NEW.state, 1)
          ON CONFLICT (destination, kind, state) DO UPDATE SET n = n + 1;
      END;
      -- A destination's jobs newest first without sorting them (jobs_dest has state in between).
      CREATE INDEX jobs_dest_id ON jobs (destination, job_id);
      -- Start-up finds the few instances flagged missing without scanning them all.
      CREATE INDEX instances_not_ok ON instances (state) WHERE state <> 'ok';
    `,
  },
  {
    version: 5,
    name: 'MPPS steps and messages, storage commitment transactions and instances',
    sql: `
      -- IHE SWF (RAD-6/7): one procedure step per exam × mpps destination. last_status is the
      -- status the SCP has ACCEPTED (NULL until its N-CREATE succeeded): an N-SET is never sent
      -- before it is 'IN PROGRESS', and never after 'COMPLETED' / 'DISCONTINUED'.
      CREATE TABLE mpps_steps (
        exam_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        -- One performed procedure step, one UID: the same UID at every mpps destination.
        mpps_sop_instance_uid TEXT NOT NULL,
        last_status TEXT CHECK (last_status IN ('IN PROGRESS', 'COMPLETED', 'DISCONTINUED')),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (exam_id, destination)
      ) WITHOUT ROWID;

      -- What each 'mpps' job sends: the data set built when the exam event happened (Explicit VR
      -- Little Endian), so a retry or a restart sends exactly what was decided then.
      CREATE TABLE mpps_messages (
        job_id INTEGER PRIMARY KEY REFERENCES jobs (job_id),
        exam_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        operation TEXT NOT NULL CHECK (operation IN ('N-CREATE', 'N-SET')),
        status TEXT NOT NULL CHECK (status IN ('IN PROGRESS', 'COMPLETED', 'DISCONTINUED')),
        dataset BLOB NOT NULL
      );
      CREATE INDEX mpps_messages_exam ON mpps_messages (exam_id, destination, job_id);

      -- Storage commitment (PS3.4 J, push model): one row per N-ACTION (a retry after a timeout is
      -- a new transaction). state: requested (N-ACTION sent, no report yet), reported, timed-out,
      -- failed (the N-ACTION itself failed).
      CREATE TABLE commitment_transactions (
        transaction_uid TEXT PRIMARY KEY,
        job_id INTEGER REFERENCES jobs (job_id),
        exam_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('requested', 'reported', 'timed-out', 'failed')),
        instances INTEGER NOT NULL,
        requested_at TEXT NOT NULL,
        answered_at TEXT,
        reported_by TEXT,
        detail TEXT
      ) WITHOUT ROWID;
      CREATE INDEX commitment_transactions_exam ON commitment_transactions (exam_id, destination);

      -- Per instance × commitment destination. pending: stored there, not yet committed;
      -- committed; commit-failed (failure_reason from the Failed SOP Sequence). resends: how
      -- often a failed instance was stored and requested again (bounded by configuration).
      CREATE TABLE commitments (
        sop_instance_uid TEXT NOT NULL,
        destination TEXT NOT NULL,
        exam_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'committed', 'commit-failed')),
        failure_reason INTEGER,
        transaction_uid TEXT,
        resends INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (sop_instance_uid, destination)
      ) WITHOUT ROWID;
      CREATE INDEX commitments_exam ON commitments (exam_id, destination, state);
      CREATE INDEX commitments_state ON commitments (destination, state);
      -- The sender's look after each burst of sends: instances waiting for a first request.
      CREATE INDEX commitments_unrequested ON commitments (exam_id, destination) WHERE state = 'pending' AND transaction_uid IS NULL;
    `,
  },
];
