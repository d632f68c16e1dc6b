//! The merchant's reply templates (schema V17): listed for the reply editor's picker, saved and
//! deleted from its template manager. Kept for every account on this computer, like drafts.

use reviewdesk_core::ReplyTemplate;
use rusqlite::params;

use crate::{Result, Store, StoreError};

/// The longest template name (the picker shows it in one line).
pub const MAX_TEMPLATE_NAME_CHARS: usize = 80;
/// The longest template body: the longest reply ReviewDesk sends.
pub const MAX_TEMPLATE_BODY_CHARS: usize = 2_048;

/// `stars` as stored ("1,2"): each rating once, ascending.
fn stars_text(stars: &[u8]) -> String {
    let mut stars: Vec<u8> = stars.to_vec();
    stars.sort_unstable();
    stars.dedup();
    stars
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The stored text back into ratings (anything else in it is skipped).
fn parse_stars(text: &str) -> Vec<u8> {
    text.split(',')
        .filter_map(|s| s.trim().parse::<u8>().ok())
        .filter(|s| (1..=5).contains(s))
        .collect()
}

impl Store {
    /// Every template, in the order they were made.
    pub fn list_reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, stars, body FROM reply_templates ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ReplyTemplate {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    stars: parse_stars(&r.get::<_, String>(2)?),
                    body: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Saves `template` (a new one when its id is 0 or unknown) and answers it as stored.
    pub fn save_reply_template(&mut self, template: &ReplyTemplate) -> Result<ReplyTemplate> {
        let name = template.name.trim();
        let body = template.body.trim();
        if name.is_empty() || body.is_empty() {
            return Err(StoreError::InvalidInput(
                "A template needs a name and a text.".into(),
            ));
        }
        if name.chars().count() > MAX_TEMPLATE_NAME_CHARS {
            return Err(StoreError::InvalidInput(format!(
                "A template name can be at most {MAX_TEMPLATE_NAME_CHARS} characters long."
            )));
        }
        if body.chars().count() > MAX_TEMPLATE_BODY_CHARS {
            return Err(StoreError::InvalidInput(format!(
                "A template can be at most {MAX_TEMPLATE_BODY_CHARS} characters long, like a reply."
            )));
        }
        if template.stars.iter().any(|s| !(1..=5).contains(s)) {
            return Err(StoreError::InvalidInput(
                "Star ratings go from 1 to 5.".into(),
            ));
        }
        let stars = stars_text(&template.stars);
        let now = crate::now();
        let updated = if template.id > 0 {
            self.conn
                .prepare_cached(
                    "UPDATE reply_templates SET name = ?2, stars = ?3, body = ?4, updated_at = ?5 \
                     WHERE id = ?1",
                )?
                .execute(params![template.id, name, stars, body, now])?
        } else {
            0
        };
        let id = if updated == 1 {
            template.id
        } else {
            self.conn
                .prepare_cached(
                    "INSERT INTO reply_templates (name, stars, body, updated_at) \
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![name, stars, body, now])?;
            self.conn.last_insert_rowid()
        };
        Ok(ReplyTemplate {
            id,
            name: name.to_owned(),
            stars: parse_stars(&stars),
            body: body.to_owned(),
        })
    }

    /// Deletes a template; one already gone is no error.
    pub fn delete_reply_template(&mut self, id: i64) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM reply_templates WHERE id = ?1")?
            .execute([id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_new_store_starts_with_a_default_for_every_star_rating() {
        let (_dir, store) = open();
        let templates = store.list_reply_templates().unwrap();
        assert_eq!(templates.len(), 3);
        for stars in 1..=5u8 {
            assert!(
                templates.iter().any(|t| t.stars.contains(&stars)),
                "a default for {stars} stars"
            );
        }
        assert!(templates.iter().all(|t| t.body.contains("{first_name}")));
    }

    #[test]
    fn templates_are_added_changed_and_deleted_and_the_defaults_do_not_come_back() {
        let (dir, mut store) = open();
        let added = store
            .save_reply_template(&ReplyTemplate {
                id: 0,
                name: "  Late parcel ".into(),
                stars: vec![2, 1, 2],
                body: "Sorry, {first_name}: the carrier was late.".into(),
            })
            .unwrap();
        assert_eq!(added.name, "Late parcel");
        assert_eq!(added.stars, vec![1, 2]);
        let changed = store
            .save_reply_template(&ReplyTemplate {
                body: "Sorry, {first_name}: the parcel was late.".into(),
                ..added.clone()
            })
            .unwrap();
        assert_eq!(changed.id, added.id);
        for t in store.list_reply_templates().unwrap() {
            store.delete_reply_template(t.id).unwrap();
        }
        store.delete_reply_template(added.id).unwrap();
        drop(store);
        let store = Store::open(dir.path().join("t.db")).unwrap();
        assert!(store.list_reply_templates().unwrap().is_empty());
    }

    #[test]
    fn a_template_without_a_name_or_text_or_too_long_is_refused() {
        let (_dir, mut store) = open();
        let base = ReplyTemplate {
            id: 0,
            name: "Thanks".into(),
            stars: vec![5],
            body: "Thank you!".into(),
        };
        for bad in [
            ReplyTemplate {
                name: " ".into(),
                ..base.clone()
            },
            ReplyTemplate {
                body: String::new(),
                ..base.clone()
            },
            ReplyTemplate {
                body: "x".repeat(MAX_TEMPLATE_BODY_CHARS + 1),
                ..base.clone()
            },
            ReplyTemplate {
                stars: vec![6],
                ..base.clone()
            },
        ] {
            assert!(matches!(
                store.save_reply_template(&bad),
                Err(StoreError::InvalidInput(_))
            ));
        }
        assert_eq!(store.list_reply_templates().unwrap().len(), 3);
    }
}
