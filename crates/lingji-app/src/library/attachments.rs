//! Project attachments: policy documents, quotations, feasibility studies. Bounded in size and
//! number, limited to document and image types whose content matches the extension, stored
//! with the project and served only as downloads.

use lingji_domain::Refusal;
use lingji_domain::foundation::authz::Access;
use lingji_domain::library::lifecycle::Mover;
use lingji_store::library::attachments::{self, Attachment, NewAttachment};
use lingji_store::library::projects;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::foundation::caller::Caller;
use crate::library::projects::mover;

/// Largest attachment, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// Most attachments on one project.
pub const MAX_ATTACHMENTS_PER_PROJECT: i64 = 30;
/// Most bytes of attachments on one project.
pub const MAX_PROJECT_ATTACHMENT_BYTES: i64 = 200 * 1024 * 1024;

/// What a file type must start with: PDF, OOXML/OFD/ZIP, the old Office and WPS compound
/// format, images; text must hold no NUL byte.
#[derive(Clone, Copy)]
enum Magic {
    Prefix(&'static [u8]),
    Text,
}

const OLE: Magic = Magic::Prefix(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
const ZIP: Magic = Magic::Prefix(b"PK\x03\x04");

/// Accepted extensions with their media type and signature.
const TYPES: &[(&str, &str, Magic)] = &[
    ("pdf", "application/pdf", Magic::Prefix(b"%PDF-")),
    ("ofd", "application/ofd", ZIP),
    ("doc", "application/msword", OLE),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
    ),
    ("xls", "application/vnd.ms-excel", OLE),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ZIP,
    ),
    ("wps", "application/vnd.ms-works", OLE),
    ("et", "application/vnd.ms-excel", OLE),
    ("jpg", "image/jpeg", Magic::Prefix(b"\xFF\xD8\xFF")),
    ("jpeg", "image/jpeg", Magic::Prefix(b"\xFF\xD8\xFF")),
    ("png", "image/png", Magic::Prefix(b"\x89PNG\r\n\x1a\n")),
    ("zip", "application/zip", ZIP),
    ("txt", "text/plain; charset=utf-8", Magic::Text),
    ("csv", "text/csv; charset=utf-8", Magic::Text),
];

/// A file name safe to store and send back: no folders, no control characters or quotes, at
/// most 120 characters with the extension kept.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), format!(".{e}")),
        None => (cleaned.clone(), String::new()),
    };
    let room = 120usize.saturating_sub(ext.chars().count());
    let stem: String = stem.chars().take(room).collect();
    if stem.trim().is_empty() {
        format!("附件{ext}")
    } else {
        format!("{stem}{ext}")
    }
}

/// Checks the file's type and content; returns the media type.
fn check_file(name: &str, bytes: &[u8]) -> Result<&'static str, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::new("ATTACHMENT_EMPTY", "附件是空文件").field("file"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Refusal::new(
            "ATTACHMENT_TOO_LARGE",
            format!(
                "附件 {:.1} MB，超过单个附件上限 {} MB",
                bytes.len() as f64 / 1_048_576.0,
                MAX_ATTACHMENT_BYTES / 1_048_576
            ),
        )
        .field("file"));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, media, magic)) = TYPES.iter().find(|(e, _, _)| *e == ext) else {
        let all: Vec<&str> = TYPES.iter().map(|(e, _, _)| *e).collect();
        return Err(Refusal::new(
            "ATTACHMENT_TYPE",
            format!("不接受“.{ext}”类型的附件，可上传：{}", all.join("、")),
        )
        .field("file"));
    };
    let matches = match magic {
        Magic::Prefix(p) => bytes.starts_with(p),
        Magic::Text => !bytes.contains(&0),
    };
    if !matches {
        return Err(Refusal::new(
            "ATTACHMENT_CONTENT_MISMATCH",
            format!("文件内容与扩展名“.{ext}”不符，请上传原始文件"),
        )
        .field("file"));
    }
    Ok(media)
}

impl crate::LibraryUseCases<'_> {
    /// A project's attachments.
    #[tracing::instrument(skip_all)]
    pub async fn attachments(
        &self,
        caller: &Caller,
        project_id: i64,
    ) -> AppResult<Vec<Attachment>> {
        let mut conn = self.store.read().acquire().await?;
        self.load_for(caller, &mut conn, project_id, Access::Read)
            .await?;
        Ok(attachments::list(&mut conn, project_id).await?)
    }

    /// One attachment with its content, for download.
    #[tracing::instrument(skip_all)]
    pub async fn attachment_file(
        &self,
        caller: &Caller,
        project_id: i64,
        id: i64,
    ) -> AppResult<(Attachment, Vec<u8>)> {
        let mut conn = self.store.read().acquire().await?;
        self.load_for(caller, &mut conn, project_id, Access::Read)
            .await?;
        let a = attachments::get(&mut conn, project_id, id)
            .await?
            .ok_or_else(|| AppError::not_found("附件"))?;
        let content = attachments::content(&mut conn, a.id).await?;
        Ok((a, content))
    }

    /// Adds an attachment. The unit adds them while it may edit the project (储备, 退回修改);
    /// reviewers and finance at any stage (e.g. review opinions).
    #[tracing::instrument(skip_all)]
    pub async fn add_attachment(
        &self,
        caller: &Caller,
        project_id: i64,
        file_name: &str,
        note: &str,
        bytes: &[u8],
    ) -> AppResult<Attachment> {
        // Control characters are cleaned from the name like folders; what would make it read
        // otherwise than it is (a right-to-left override turning `fdp.exe` into `exe.pdf`) is
        // refused, since a reviewer opens the file by its name.
        if file_name.chars().any(lingji_domain::text::is_invisible) {
            let visible: String = file_name.chars().filter(|c| !c.is_control()).collect();
            lingji_domain::text::check_name(&visible, "file")?;
        }
        let name = clean_file_name(file_name);
        let content_type = check_file(&name, bytes)?;
        let note = note.trim();
        lingji_domain::text::check_text(note, "note")?;
        if note.chars().count() > 200 {
            return Err(
                Refusal::new("ATTACHMENT_NOTE_TOO_LONG", "附件说明不超过 200 字")
                    .field("note")
                    .into(),
            );
        }
        let mut tx = self.store.begin().await?;
        let project = self
            .load_for(caller, &mut tx, project_id, Access::Write)
            .await?;
        self.check_attachable(caller, &project.project.header.state)?;
        let attachments::Usage {
            count,
            bytes: total,
        } = attachments::usage(&mut tx, project_id).await?;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        if count >= MAX_ATTACHMENTS_PER_PROJECT
            || total.saturating_add(size) > MAX_PROJECT_ATTACHMENT_BYTES
        {
            return Err(Refusal::new(
                "ATTACHMENT_LIMIT",
                format!(
                    "每个项目最多 {MAX_ATTACHMENTS_PER_PROJECT} 个附件、合计 {} MB",
                    MAX_PROJECT_ATTACHMENT_BYTES / 1_048_576
                ),
            )
            .field("file")
            .into());
        }
        let sha256 = hex::encode(Sha256::digest(bytes));
        let id = attachments::insert(
            &mut tx,
            &NewAttachment {
                project_id,
                file_name: &name,
                content_type,
                sha256: &sha256,
                note,
                uploaded_by: caller.name(),
                content: bytes,
            },
        )
        .await?;
        let stored = attachments::get(&mut tx, project_id, id)
            .await?
            .ok_or_else(|| AppError::Internal("attachment vanished".into()))?;
        projects::add_history(&mut tx, project_id, caller.name(), "attach", None, &name).await?;
        let event = caller
            .event(
                project.project.header.jurisdiction_id,
                "project.attach",
                "project",
                project_id,
            )
            .after_json(&stored);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Removes an attachment, under the same rule as adding one.
    #[tracing::instrument(skip_all)]
    pub async fn remove_attachment(
        &self,
        caller: &Caller,
        project_id: i64,
        id: i64,
    ) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        let project = self
            .load_for(caller, &mut tx, project_id, Access::Write)
            .await?;
        self.check_attachable(caller, &project.project.header.state)?;
        let a = attachments::get(&mut tx, project_id, id)
            .await?
            .ok_or_else(|| AppError::not_found("附件"))?;
        attachments::delete(&mut tx, id).await?;
        projects::add_history(
            &mut tx,
            project_id,
            caller.name(),
            "detach",
            None,
            &a.file_name,
        )
        .await?;
        let event = caller
            .event(
                project.project.header.jurisdiction_id,
                "project.detach",
                "project",
                project_id,
            )
            .before_json(&a);
        lingji_store::foundation::audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    fn check_attachable(
        &self,
        caller: &Caller,
        state: &lingji_domain::library::ProjectState,
    ) -> AppResult<()> {
        if mover(caller) == Some(Mover::Unit) && !state.editable_by_unit() {
            return Err(Refusal::new(
                "PROJECT_NOT_EDITABLE",
                format!("“{}”状态的项目不能增删附件", state.label()),
            )
            .field("state")
            .clause("ZB-15c")
            .into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(clean_file_name("../../etc/passwd.pdf"), "passwd.pdf");
        assert_eq!(clean_file_name("C:\\报告\\可研报告.docx"), "可研报告.docx");
        assert_eq!(clean_file_name("a\"b\r\n<c>.pdf"), "abc.pdf");
        assert_eq!(clean_file_name(".htaccess"), "htaccess", "no hidden files");
        assert_eq!(clean_file_name("/tmp/ "), "附件");
        let long = format!("{}.pdf", "长".repeat(300));
        assert_eq!(clean_file_name(&long).chars().count(), 120);
        assert!(clean_file_name(&long).ends_with(".pdf"));
    }

    #[test]
    fn content_must_match_the_extension() {
        assert_eq!(check_file("a.pdf", b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(
            check_file("a.pdf", b"<html><script>").unwrap_err().code,
            "ATTACHMENT_CONTENT_MISMATCH"
        );
        assert_eq!(
            check_file("a.exe", b"MZ").unwrap_err().code,
            "ATTACHMENT_TYPE"
        );
        assert_eq!(
            check_file("a.txt", b"").unwrap_err().code,
            "ATTACHMENT_EMPTY"
        );
        let big = vec![b'x'; MAX_ATTACHMENT_BYTES + 1];
        assert_eq!(
            check_file("a.txt", &big).unwrap_err().code,
            "ATTACHMENT_TOO_LARGE"
        );
    }
}
