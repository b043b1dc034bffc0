//! `/api/v1/projects/{id}/attachments`: a project's files — list, upload, download, remove.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart};
use axum::http::StatusCode;
use lingji_app::library::attachments::MAX_ATTACHMENT_BYTES;
use lingji_app::store::library::attachments::Attachment;
use lingji_domain::Refusal;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::{ApiPath, Created, Cx, created};
use crate::problem::{ApiResult, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, upload))
        .routes(routes!(download, remove))
        .layer(DefaultBodyLimit::max(upload_body_limit()))
}

/// The request body allowed for an upload: the largest file plus room for the form, so an
/// oversized file still reaches the use case and gets its own message.
pub fn upload_body_limit() -> usize {
    MAX_ATTACHMENT_BYTES * 2
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// What the file is.
    pub note: String,
    pub uploaded_by: String,
    /// When (UTC).
    pub uploaded_at: String,
    /// Where to download it.
    pub href: String,
}

impl From<Attachment> for AttachmentDto {
    fn from(a: Attachment) -> Self {
        AttachmentDto {
            href: format!("/api/v1/projects/{}/attachments/{}", a.project_id, a.id),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            note: a.note,
            uploaded_by: a.uploaded_by,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// An uploaded file with its note.
pub struct Upload {
    /// File name as sent.
    pub file_name: String,
    pub note: String,
    pub bytes: Vec<u8>,
}

/// Reads the multipart fields `file` and `note`; a body over the limit is refused as too large.
pub async fn read_upload(mut multipart: Multipart) -> Result<Upload, Refusal> {
    let failed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::new(
                "ATTACHMENT_TOO_LARGE",
                format!(
                    "附件超过单个附件上限 {} MB",
                    MAX_ATTACHMENT_BYTES / 1_048_576
                ),
            )
            .field("file")
        } else {
            // multer's own text is English; the code says what went wrong.
            Refusal::new(
                "MULTIPART_MALFORMED",
                "上传内容无法解析，请重新选择文件上传",
            )
            .field("file")
        }
    };
    let mut upload = Upload {
        file_name: String::new(),
        note: String::new(),
        bytes: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(failed)? {
        match field.name().unwrap_or_default() {
            "file" => {
                upload.file_name = field.file_name().unwrap_or("附件").to_string();
                upload.bytes = field.bytes().await.map_err(failed)?.to_vec();
            }
            "note" => upload.note = field.text().await.map_err(failed)?,
            _ => {}
        }
    }
    if upload.file_name.is_empty() {
        return Err(Refusal::new("FILE_MISSING", "请选择要上传的文件").field("file"));
    }
    Ok(upload)
}

/// A project's attachments.
#[utoipa::path(get, path = "/projects/{id}/attachments", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = Vec<AttachmentDto>), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn list(cx: Cx, ApiPath(project): ApiPath<i64>) -> ApiResult<Json<Vec<AttachmentDto>>> {
    let list = cx.library().attachments(cx.caller(), project).await?;
    Ok(Json(list.into_iter().map(AttachmentDto::from).collect()))
}

/// Upload an attachment (fields `file`, `note`): PDF, OFD, Word, Excel, WPS, images, ZIP or
/// text, at most 20 MB, content matching the extension.
#[utoipa::path(post, path = "/projects/{id}/attachments", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    request_body(content_type = "multipart/form-data", description = "fields: file, note"),
    responses((status = 201, body = AttachmentDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn upload(
    cx: Cx,
    ApiPath(project): ApiPath<i64>,
    multipart: Multipart,
) -> ApiResult<Created<AttachmentDto>> {
    let u = read_upload(multipart).await?;
    let a = cx
        .library()
        .add_attachment(cx.caller(), project, &u.file_name, &u.note, &u.bytes)
        .await?;
    created(a.into())
}

/// Download an attachment (always as a download, never shown inline).
#[utoipa::path(get, path = "/projects/{id}/attachments/{attachment_id}", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("attachment_id" = i64, Path, description = "attachment id")),
    responses((status = 200, description = "the file, sent with its own type", content_type = "application/octet-stream"), (status = 404, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn download(
    cx: Cx,
    ApiPath((project, attachment)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::response::Response> {
    let (a, bytes) = cx
        .library()
        .attachment_file(cx.caller(), project, attachment)
        .await?;
    let ext = a
        .file_name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .unwrap_or("bin");
    let ascii = format!("attachment-{}.{}", a.id, ext.to_ascii_lowercase());
    let mut response = crate::api::download(bytes, &a.content_type, &ascii, &a.file_name);
    response.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    Ok(response)
}

/// Remove an attachment.
#[utoipa::path(delete, path = "/projects/{id}/attachments/{attachment_id}", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("attachment_id" = i64, Path, description = "attachment id")),
    responses((status = 204, description = "removed"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("session" = []), ("bearer" = [])))]
async fn remove(
    cx: Cx,
    ApiPath((project, attachment)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    cx.library()
        .remove_attachment(cx.caller(), project, attachment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
