//! Actions queued for the server, replayed exactly once even across crashes.
//!
//! Life of an action: `pending` → [`Store::mark_in_flight`] (the sender claims it and
//! `attempts` goes up by one) → send → `done` / `failed` / `conflict`, or back to `pending` via
//! [`Store::mark_failed`] with a retry delay. Each open of the store has a session token; an
//! action that is `in_flight` under *another* session was being sent when the app died, so
//! nobody knows whether it reached the server. [`Store::next_pending`] hands such an action back
//! first with `needs_check = true`: the caller asks the server whether it landed (e.g. the review
//! is gone) and then calls [`Store::mark_done`], or re-claims it with [`Store::mark_in_flight`]
//! and sends it again. Never re-send without that check; that is what makes it exactly-once.

use std::time::Duration;

use reviewdesk_core::{AccountKey, ActionKind, ActionState, Provider, QueuedAction};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::{now, unique_token, Result, Store, StoreError};

/// An action to queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAction {
    /// What to do.
    pub kind: ActionKind,
    /// Request parameters as JSON.
    pub payload: serde_json::Value,
    /// Caller's key for de-duplication (e.g. the UI's click id); generated when `None`.
    /// Queuing the same key twice returns the first action instead of a second one.
    pub idempotency_key: Option<String>,
}

/// The next action to send, as handed out by [`Store::next_pending`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextAction {
    /// The action.
    pub action: QueuedAction,
    /// True when an earlier run crashed while sending it: verify with the server before
    /// re-sending.
    pub needs_check: bool,
}

const ACTION_COLUMNS: &str =
    "a.id, s.provider, s.key, a.kind, a.payload_json, a.state, a.attempts, \
    a.last_error, a.idempotency_key, a.created_at, a.updated_at, a.claimed_by";

type RawAction = (
    i64,
    (String, String),
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
    i64,
    i64,
    Option<String>,
);

fn raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawAction> {
    Ok((
        row.get(0)?,
        (row.get(1)?, row.get(2)?),
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
        row.get(11)?,
    ))
}

fn decode(r: RawAction) -> Result<(QueuedAction, Option<String>)> {
    let (
        id,
        (provider, account),
        kind,
        payload,
        state,
        attempts,
        last_error,
        key,
        created,
        updated,
        claim,
    ) = r;
    let provider = Provider::parse(&provider)
        .ok_or_else(|| StoreError::Corrupt(format!("action {id} provider {provider}")))?;
    let action = QueuedAction {
        id,
        account: AccountKey::new(provider, account),
        kind: ActionKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("action {id} kind {kind}")))?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| StoreError::Corrupt(format!("action {id} payload: {e}")))?,
        state: ActionState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("action {id} state {state}")))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_error,
        idempotency_key: key,
        created_at: created,
        updated_at: updated,
    };
    Ok((action, claim))
}

/// Queues inside the caller's transaction; returns the existing id for a known key.
pub(crate) fn insert(conn: &Connection, shop_id: i64, action: &NewAction, at: i64) -> Result<i64> {
    let key = action
        .idempotency_key
        .clone()
        .unwrap_or_else(|| format!("{}:{}", action.kind.as_str(), unique_token()));
    if let Some(id) = conn
        .prepare_cached("SELECT id FROM actions WHERE idempotency_key = ?1")?
        .query_row([&key], |r| r.get::<_, i64>(0))
        .optional()?
    {
        return Ok(id);
    }
    conn.prepare_cached(
        "INSERT INTO actions (shop, kind, payload_json, idempotency_key, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![
        shop_id,
        action.kind.as_str(),
        serde_json::to_string(&action.payload)?,
        key,
        at
    ])?;
    Ok(conn.last_insert_rowid())
}

impl Store {
    /// Queues an action for the server; returns its id (the existing one if the idempotency key
    /// was queued before, so a double click queues once).
    pub fn enqueue(&mut self, account: &AccountKey, action: &NewAction) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let shop_id = Store::ensure_account(&tx, account)?;
        let id = insert(&tx, shop_id, action, now())?;
        tx.commit()?;
        Ok(id)
    }

    /// The next action to work on for the shop, oldest first: first any action a crashed run
    /// left in flight (`needs_check`), then pending actions whose retry delay has passed.
    /// Actions in flight in this session are not handed out again.
    pub fn next_pending(&self, account: &AccountKey) -> Result<Option<NextAction>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions a JOIN shops s ON s.id = a.shop \
             WHERE a.shop = ?1 AND ((a.state = 'in_flight' AND a.claimed_by IS NOT ?2) \
                 OR (a.state = 'pending' AND a.not_before <= ?3)) \
             ORDER BY a.state = 'pending', a.id LIMIT 1"
        );
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![shop_id, self.session, now()], raw)
            .optional()?;
        match found {
            None => Ok(None),
            Some(r) => {
                let (action, _) = decode(r)?;
                let needs_check = action.state == ActionState::InFlight;
                Ok(Some(NextAction {
                    action,
                    needs_check,
                }))
            }
        }
    }

    /// One action by id.
    pub fn get_action(&self, id: i64) -> Result<Option<QueuedAction>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions a JOIN shops s ON s.id = a.shop WHERE a.id = ?1"
        );
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], raw)
            .optional()?;
        found.map(|r| decode(r).map(|(a, _)| a)).transpose()
    }

    /// The shop's actions in the given states (all states when empty), oldest first, for the
    /// "outbox" view.
    pub fn list_actions(
        &self,
        account: &AccountKey,
        states: &[ActionState],
    ) -> Result<Vec<QueuedAction>> {
        let Some(shop_id) = self.account_id(account)? else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions a JOIN shops s ON s.id = a.shop \
             WHERE a.shop = ?1 ORDER BY a.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map([shop_id], raw)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for r in rows {
            let (a, _) = decode(r)?;
            if states.is_empty() || states.contains(&a.state) {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Claims an action for sending (attempts + 1). Returns false when it is not claimable:
    /// already done/failed, or in flight in this session. An action a crashed run left in flight
    /// is claimable (after the caller's server check).
    pub fn mark_in_flight(&mut self, id: i64) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE actions SET state = 'in_flight', attempts = attempts + 1, \
                 claimed_by = ?2, updated_at = ?3 \
                 WHERE id = ?1 AND (state = 'pending' \
                     OR (state = 'in_flight' AND claimed_by IS NOT ?2))",
            )?
            .execute(params![id, self.session, now()])?;
        Ok(n == 1)
    }

    fn finish(
        &mut self,
        id: i64,
        state: ActionState,
        error: Option<&str>,
        not_before: i64,
    ) -> Result<()> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE actions SET state = ?2, last_error = coalesce(?3, last_error), \
                 not_before = ?4, claimed_by = NULL, updated_at = ?5 \
                 WHERE id = ?1 AND state IN ('pending', 'in_flight')",
            )?
            .execute(params![id, state.as_str(), error, not_before, now()])?;
        if n == 1 {
            return Ok(());
        }
        match self.get_action(id)? {
            None => Err(StoreError::NotFound(format!("action {id}"))),
            Some(a) => Err(StoreError::InvalidTransition {
                id,
                state: a.state.as_str().to_owned(),
            }),
        }
    }

    /// The server accepted the action (or the post-crash check found it had landed).
    pub fn mark_done(&mut self, id: i64) -> Result<()> {
        self.finish(id, ActionState::Done, None, 0)
    }

    /// The server state makes the action moot or wrong (e.g. review already gone, customer
    /// already excluded); the merchant decides what next.
    pub fn mark_conflict(&mut self, id: i64, reason: &str) -> Result<()> {
        self.finish(id, ActionState::Conflict, Some(reason), 0)
    }

    /// Sending failed. With `retry_after`, the action goes back to `pending` and is not handed
    /// out before that delay (the caller picks the backoff); without, it is `failed` for good.
    pub fn mark_failed(
        &mut self,
        id: i64,
        reason: &str,
        retry_after: Option<Duration>,
    ) -> Result<()> {
        match retry_after {
            Some(delay) => {
                let secs = i64::try_from(delay.as_secs()).unwrap_or(i64::MAX / 2);
                self.finish(
                    id,
                    ActionState::Pending,
                    Some(reason),
                    now().saturating_add(secs),
                )
            }
            None => self.finish(id, ActionState::Failed, Some(reason), 0),
        }
    }
}
