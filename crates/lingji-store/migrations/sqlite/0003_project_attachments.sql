-- Project attachments (issue 3): policy documents, quotations, feasibility reports. Kept in the
-- database with the project so that backups, replicas and the transaction that records the
-- upload (history, audit) cover the file too; the size is bounded by the application.
CREATE TABLE project_attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    uploaded_by   TEXT    NOT NULL,
    uploaded_at   TEXT    NOT NULL,
    content       BLOB NOT NULL
);
CREATE INDEX project_attachments_project ON project_attachments (project_id, id);
