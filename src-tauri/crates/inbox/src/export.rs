//! CSV export of the current filtered list into a file of its own.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use reviewdesk_core::{ExportResult, ReviewQuery};
use reviewdesk_store::Store;

use crate::{Inbox, InboxError};

/// `reviewdesk-<shop>-<yyyy-mm-dd>.csv`, where `<shop>` is the shop domain without
/// `.myshopify.com`, reduced to lowercase letters, digits and dashes (a file name any OS takes).
pub fn export_file_name(shop: &str, date: time::Date) -> String {
    let label = shop.strip_suffix(".myshopify.com").unwrap_or(shop);
    let mut clean: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    clean = clean.trim_matches('-').to_owned();
    if clean.is_empty() {
        clean = "shop".into();
    }
    format!(
        "reviewdesk-{clean}-{:04}-{:02}-{:02}.csv",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Creates `dir/name`, or `name-2`, `name-3`… before the extension when it exists: an earlier
/// export is never overwritten. The file is created atomically (`create_new`), so two exports
/// at once cannot pick the same name.
pub fn unique_export_path(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_owned(), format!(".{e}")),
        None => (name.to_owned(), String::new()),
    };
    for n in 1u32..10_000 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem}-{n}{ext}"))
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => return Ok((candidate, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "too many exports with the same name",
    ))
}

impl Inbox {
    /// Writes every review matching `query`'s filter, in its sort order, as UTF-8 CSV into a
    /// new file in `dir`, streaming row by row. Reads through a second connection to the same
    /// database (WAL lets it read while the app keeps working), so a million-row export does
    /// not hold up the list. A partial file is removed on failure.
    pub async fn export_csv(
        &self,
        query: &ReviewQuery,
        dir: &Path,
        date: time::Date,
    ) -> Result<ExportResult, InboxError> {
        let db = crate::lock(&self.store).path().to_path_buf();
        let account = self.account.clone();
        let filter = query.filter.clone();
        let sort = query.sort;
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            let reader = Store::open(&db)?;
            let (path, file) = unique_export_path(&dir, &export_file_name(&account.id, date))?;
            let write = || -> Result<u64, InboxError> {
                let mut out = BufWriter::with_capacity(1 << 16, file);
                let rows = reader.export_csv(&account, &filter, sort, &mut out)?;
                out.flush()?;
                out.into_inner()
                    .map_err(|e| InboxError::Io(e.into_error()))?
                    .sync_all()?;
                Ok(rows)
            };
            match write() {
                Ok(rows) => Ok(ExportResult {
                    path: path.to_string_lossy().into_owned(),
                    rows,
                }),
                Err(e) => {
                    let _ = std::fs::remove_file(&path);
                    Err(e)
                }
            }
        })
        .await
        .map_err(|e| InboxError::Internal(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn file_name_uses_the_shop_label_and_date() {
        let d = time::macros::date!(2026 - 03 - 07);
        assert_eq!(
            export_file_name("aurora-outfitters.myshopify.com", d),
            "reviewdesk-aurora-outfitters-2026-03-07.csv"
        );
        assert_eq!(
            export_file_name("A/B C", d),
            "reviewdesk-a-b-c-2026-03-07.csv"
        );
        assert_eq!(export_file_name("///", d), "reviewdesk-shop-2026-03-07.csv");
    }

    #[test]
    fn existing_exports_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = unique_export_path(dir.path(), "x.csv").unwrap();
        let (b, _) = unique_export_path(dir.path(), "x.csv").unwrap();
        let (c, _) = unique_export_path(dir.path(), "x.csv").unwrap();
        assert!(a.ends_with("x.csv"));
        assert!(b.ends_with("x-2.csv"));
        assert!(c.ends_with("x-3.csv"));
    }
}
