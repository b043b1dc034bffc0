//! Project attachments: the file's metadata and content, stored with the project.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;
use crate::time::now_text;

/// An attachment's metadata (the content is read only for download).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub project_id: i64,
    /// File name as shown and downloaded (cleaned of paths and control characters).
    pub file_name: String,
    /// Media type, from the file's extension.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// What the file is, e.g. 可行性研究报告.
    pub note: String,
    /// Login of the uploader.
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A new attachment.
pub struct NewAttachment<'a> {
    pub project_id: i64,
    /// Cleaned file name.
    pub file_name: &'a str,
    pub content_type: &'a str,
    /// SHA-256, hex.
    pub sha256: &'a str,
    pub note: &'a str,
    pub uploaded_by: &'a str,
    pub content: &'a [u8],
}

macro_rules! attachment_columns {
    () => {
        "id, project_id, file_name, content_type, size_bytes, sha256, note, uploaded_by, uploaded_at"
    };
}

/// Stores an attachment; returns its id.
pub async fn insert(conn: &mut AnyConnection, a: &NewAttachment<'_>) -> Result<i64, StoreError> {
    let size = i64::try_from(a.content.len()).unwrap_or(i64::MAX);
    Ok(sqlx::query_scalar(
        "INSERT INTO project_attachments (project_id, file_name, content_type, size_bytes, sha256, note, uploaded_by, uploaded_at, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(a.project_id)
    .bind(a.file_name)
    .bind(a.content_type)
    .bind(size)
    .bind(a.sha256)
    .bind(a.note)
    .bind(a.uploaded_by)
    .bind(now_text())
    .bind(a.content.to_vec())
    .fetch_one(&mut *conn)
    .await?)
}

/// A project's attachments, oldest first.
pub async fn list(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<Attachment>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        attachment_columns!(),
        " FROM project_attachments WHERE project_id = $1 ORDER BY id"
    ))
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// One attachment of a project, without its content.
pub async fn get(
    conn: &mut AnyConnection,
    project_id: i64,
    id: i64,
) -> Result<Option<Attachment>, StoreError> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        attachment_columns!(),
        " FROM project_attachments WHERE project_id = $1 AND id = $2"
    ))
    .bind(project_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The content of an attachment.
pub async fn content(conn: &mut AnyConnection, id: i64) -> Result<Vec<u8>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT content FROM project_attachments WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Number and total size of a project's attachments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub count: i64,
    /// Their size in bytes.
    pub bytes: i64,
}

/// Number and total size of a project's attachments.
pub async fn usage(conn: &mut AnyConnection, project_id: i64) -> Result<Usage, StoreError> {
    let (count, bytes): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(size_bytes) AS BIGINT) FROM project_attachments WHERE project_id = $1",
    )
    .bind(project_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Usage {
        count,
        bytes: bytes.unwrap_or(0),
    })
}

/// Removes an attachment.
pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM project_attachments WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
