//! Users' files are parsed on the blocking pool, not on the async workers: a workbook at its
//! limits takes up to a second of CPU to read, and on a worker it would stall every request
//! queued behind it (two cores: two uploads would stop the server answering).

use lingji_domain::Refusal;

/// Runs `parse` over a copy of `bytes` (bounded by the upload limit) on the blocking pool.
pub(crate) async fn parse<T, F>(bytes: &[u8], parse: F) -> Result<T, Refusal>
where
    F: FnOnce(&[u8]) -> Result<T, Refusal> + Send + 'static,
    T: Send + 'static,
{
    let owned = bytes.to_vec();
    tokio::task::spawn_blocking(move || parse(&owned))
        .await
        .unwrap_or_else(|_| {
            // The readers catch the parser's panics themselves; this is the last guard.
            Err(Refusal::new("FILE_MALFORMED", "无法读取文件：内容不是有效的表格").field("file"))
        })
}
