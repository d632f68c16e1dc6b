//! The review inbox: the local list (filters and search run in the store, offline too),
//! details, triage, deletion, sync, the outbox, CSV export and local ratings.

use crate::error::{ErrorCode, IpcError};
use crate::inbox::{self, InboxState};
use crate::state::AppState;
use reviewdesk_core::{
    AccountCount, AccountKey, ActionOutcome, ExportResult, Feature, LanguageSummary, ProductId,
    ProductSummary, Provider, QueuedAction, RatingSummary, ReplyAbility, ReplyInsights,
    ReplyTemplate, ReplyWarning, ReviewDetail, ReviewId, ReviewPage, ReviewQuery, ReviewTag,
    SourceSummary, SyncStatus, TagSummary, TriageState, TrustpilotId,
};
use reviewdesk_inbox::Inbox;
use reviewdesk_store::{Store, StoreError};
use tauri::{AppHandle, State};

/// One page of the local review listing.
#[tauri::command]
pub async fn query_reviews(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    query: ReviewQuery,
) -> Result<ReviewPage, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.query_reviews(inbox.account(), &query))?)
}

/// One page of the All accounts view: the reviews of every known account together.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AllReviewsPage {
    /// The page, each row with its account.
    pub page: ReviewPage,
    /// Every known account (not only those asked for) with its matches for the filter, for the
    /// account filter's chips. Counted on a first page only (no cursor, no offset): empty on
    /// the pages a scroll loads after it.
    pub accounts: Vec<AccountCount>,
}

/// One page of the reviews of every known account (`accounts`: only these of them).
#[tauri::command]
pub async fn query_all_reviews(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    query: ReviewQuery,
    accounts: Option<Vec<AccountKey>>,
) -> Result<AllReviewsPage, IpcError> {
    let known = app.known_accounts().await;
    let chosen: Vec<AccountKey> = match accounts {
        Some(asked) => known
            .iter()
            .filter(|k| asked.contains(k))
            .cloned()
            .collect(),
        None => known.clone(),
    };
    let first = query.after.is_none() && query.offset == 0;
    read_store(&app, &inboxes, |s| {
        Ok(AllReviewsPage {
            page: s.query_reviews_across(&chosen, &query)?,
            accounts: match first {
                true => s.count_reviews_by_account(&known, &query.filter, query.count_limit)?,
                false => Vec::new(),
            },
        })
    })
    .await
}

/// Runs `f` on the active inbox's reader (beside a sync's writes), or on the shared store when no
/// account is on screen.
async fn read_store<T>(
    app: &AppState,
    inboxes: &InboxState,
    f: impl FnOnce(&Store) -> Result<T, StoreError>,
) -> Result<T, IpcError> {
    match inboxes.active_or_none(app).await? {
        Some(inbox) => Ok(inbox.with_reader(f)?),
        None => {
            let store = inboxes.store()?;
            let guard = store.lock().unwrap_or_else(|p| p.into_inner());
            Ok(f(&guard)?)
        }
    }
}

/// A review with its audit history and the actions still waiting for it, of `account` when the
/// All accounts view names the row's own, else of the account on screen.
#[tauri::command]
pub async fn get_review_detail(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    account: Option<AccountKey>,
) -> Result<ReviewDetail, IpcError> {
    let inbox = inboxes.active(&app).await?;
    let account = row_account(&app, &inbox, account).await?;
    Ok(inbox.review_detail_in(&account, &ReviewId(id))?)
}

/// The account a command about some rows acts on: `account` when the All accounts view names
/// the rows' own (a known one only), else the account on screen.
async fn row_account(
    app: &AppState,
    inbox: &Inbox,
    account: Option<AccountKey>,
) -> Result<AccountKey, IpcError> {
    match account {
        Some(a) if app.known_accounts().await.contains(&a) => Ok(a),
        Some(_) => Err(IpcError::new(ErrorCode::NotFound, UNKNOWN_ACCOUNT)),
        None => Ok(inbox.account().clone()),
    }
}

/// Sets the local triage state of reviews (audited by the store) of `account` (the All accounts
/// view names the rows' own account; a known one only), else of the account on screen.
#[tauri::command]
pub async fn set_triage(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    ids: Vec<String>,
    state: TriageState,
    account: Option<AccountKey>,
) -> Result<(), IpcError> {
    let inbox = inboxes.active(&app).await?;
    let ids: Vec<ReviewId> = ids.into_iter().map(ReviewId).collect();
    let account = row_account(&app, &inbox, account).await?;
    // The inbox's store is the one every account shares.
    inbox.with_store(|s| s.set_triage(&account, &ids, state, "merchant"))?;
    Ok(())
}

/// Why a row's command names an account the app does not know (signed out and forgotten meanwhile).
pub(crate) const UNKNOWN_ACCOUNT: &str =
    "That review's account is no longer connected to ReviewDesk, so it was left as it was.";

/// Deletes reviews on Trustoo (queued while it is unreachable); one outcome per id.
#[tauri::command]
pub async fn delete_reviews(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    ids: Vec<String>,
) -> Result<Vec<ActionOutcome>, IpcError> {
    let ids: Vec<ReviewId> = ids.into_iter().map(ReviewId).collect();
    inbox::write_action(
        &handle,
        &app,
        &inboxes,
        Feature::WriteReviews,
        |inbox, client| async move { inbox.delete_reviews(client.as_deref(), &ids).await },
    )
    .await
}

/// Answers a review (sent now, or queued while the provider is unreachable). Only a provider
/// that answers reviews takes it; the business user who answers is the account's own. A
/// Trustpilot product review is answered in its conversation, which `public` shows on
/// Trustpilot or keeps between the business and the reviewer (a service reply is always
/// public).
#[tauri::command]
pub async fn post_reply(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    message: String,
    account: Option<AccountKey>,
    public: Option<bool>,
) -> Result<ActionOutcome, IpcError> {
    let author = replying_user(&app, account.as_ref()).await?;
    let id = ReviewId(id);
    inbox::write_action_on(
        &handle,
        &app,
        &inboxes,
        account,
        Feature::ReadReviews,
        |inbox, client| async move {
            inbox
                .post_answer(client.as_deref(), &id, &message, author.as_deref(), public)
                .await
        },
    )
    .await
}

/// Shows a product review's conversation on Trustpilot or keeps it between the business and
/// the reviewer.
#[tauri::command]
pub async fn set_conversation_public(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    public: bool,
    account: Option<AccountKey>,
) -> Result<ActionOutcome, IpcError> {
    replying_user(&app, account.as_ref()).await?;
    let id = ReviewId(id);
    inbox::write_action_on(
        &handle,
        &app,
        &inboxes,
        account,
        Feature::ReadReviews,
        |inbox, client| async move {
            inbox
                .set_conversation_public(client.as_deref(), &id, public)
                .await
        },
    )
    .await
}

/// Takes the public reply of a review down (its text stays in the review's history).
#[tauri::command]
pub async fn delete_reply(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    account: Option<AccountKey>,
) -> Result<ActionOutcome, IpcError> {
    replying_user(&app, account.as_ref()).await?;
    let id = ReviewId(id);
    inbox::write_action_on(
        &handle,
        &app,
        &inboxes,
        account,
        Feature::ReadReviews,
        |inbox, client| async move { inbox.delete_reply(client.as_deref(), &id).await },
    )
    .await
}

/// The reply rate and median time to reply, by star rating and by month, from the reviews
/// synced here (Overview's Replies card): the account on screen's, or with `every_account`
/// every Trustpilot account's together (the All accounts view).
#[tauri::command]
pub async fn reply_insights(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    every_account: Option<bool>,
) -> Result<ReplyInsights, IpcError> {
    let inbox = inboxes.active(&app).await?;
    let accounts = if every_account == Some(true) {
        // Every account whose provider answers reviews (Trustoo's have no replies to count).
        app.known_accounts()
            .await
            .into_iter()
            .filter(|a| a.provider == Provider::Trustpilot)
            .collect()
    } else {
        vec![inbox.account().clone()]
    };
    Ok(inbox.with_reader(|s| s.reply_insights(&accounts))?)
}

/// The draft of a reply to a review (of the row's account, else the one on screen), if kept.
#[tauri::command]
pub async fn reply_draft(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    account: Option<AccountKey>,
) -> Result<Option<String>, IpcError> {
    let inbox = inboxes.active(&app).await?;
    let account = row_account(&app, &inbox, account).await?;
    let id = ReviewId(id);
    Ok(inbox.with_reader(|s| s.reply_draft(&account, &id))?)
}

/// Keeps the text of a reply being written (an empty text drops the draft).
#[tauri::command]
pub async fn save_reply_draft(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    body: String,
    account: Option<AccountKey>,
) -> Result<(), IpcError> {
    let inbox = inboxes.active(&app).await?;
    let account = row_account(&app, &inbox, account).await?;
    let id = ReviewId(id);
    // The store is every account's: the draft is kept under the row's own.
    Ok(inbox.with_store(|s| s.save_reply_draft(&account, &id, &body))?)
}

/// The merchant's reply templates, for the reply editor's picker.
#[tauri::command]
pub async fn list_reply_templates(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<Vec<ReplyTemplate>, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.list_reply_templates())?)
}

/// Saves a reply template (a new one when its id is 0) and answers it as stored.
#[tauri::command]
pub async fn save_reply_template(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    template: ReplyTemplate,
) -> Result<ReplyTemplate, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_store(|s| s.save_reply_template(&template))?)
}

/// Deletes a reply template.
#[tauri::command]
pub async fn delete_reply_template(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: i64,
) -> Result<(), IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_store(|s| s.delete_reply_template(id))?)
}

/// The guidelines a reply may break, checked as the merchant writes (nothing is sent).
#[tauri::command]
pub fn check_reply(message: String) -> Vec<ReplyWarning> {
    reviewdesk_inbox::check_reply(&message)
}

/// Tags reviews of the account on screen (one, or the checked ones) with one tag, its group
/// `generic` unless the merchant names one; each sent now or queued. One outcome per id.
#[tauri::command]
pub async fn add_tag(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    ids: Vec<String>,
    group: Option<String>,
    value: String,
    account: Option<AccountKey>,
) -> Result<Vec<ActionOutcome>, IpcError> {
    require_tags(&app, account.as_ref()).await?;
    let tag = reviewdesk_inbox::check_tag(group.as_deref(), &value)?;
    let ids: Vec<ReviewId> = ids.into_iter().map(ReviewId).collect();
    inbox::write_action_on(
        &handle,
        &app,
        &inboxes,
        account,
        Feature::ReadReviews,
        |inbox, client| async move { inbox.add_tag(client.as_deref(), &ids, &tag).await },
    )
    .await
}

/// Takes one tag off a review of the account on screen (sent now or queued).
#[tauri::command]
pub async fn remove_tag(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    tag: ReviewTag,
    account: Option<AccountKey>,
) -> Result<ActionOutcome, IpcError> {
    require_tags(&app, account.as_ref()).await?;
    let id = ReviewId(id);
    inbox::write_action_on(
        &handle,
        &app,
        &inboxes,
        account,
        Feature::ReadReviews,
        |inbox, client| async move { inbox.remove_tag(client.as_deref(), &id, &tag).await },
    )
    .await
}

/// Asks the reviewer of a review of the account on screen for their order details
/// (Trustpilot's Find Reviewer), with an optional message; sent now or queued.
#[tauri::command]
pub async fn find_reviewer(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    message: Option<String>,
    account: Option<AccountKey>,
) -> Result<ActionOutcome, IpcError> {
    if !is_trustpilot(account.as_ref()) && !app.require_session().await?.capabilities.find_reviewer
    {
        return Err(IpcError::new(
            ErrorCode::Validation,
            "Find Reviewer is Trustpilot's: open a Trustpilot account to ask a reviewer.",
        ));
    }
    let id = ReviewId(id);
    inbox::write_action_on(
        &handle,
        &app,
        &inboxes,
        account,
        Feature::ReadReviews,
        |inbox, client| async move {
            inbox
                .find_reviewer(client.as_deref(), &id, message.as_deref())
                .await
        },
    )
    .await
}

/// Reads one review of the account on screen again from its provider ("Check for an answer").
#[tauri::command]
pub async fn refresh_review(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    id: String,
    account: Option<AccountKey>,
) -> Result<ReviewDetail, IpcError> {
    let id = ReviewId(id);
    let refreshed = inbox::write_action_on(
        &handle,
        &app,
        &inboxes,
        account,
        Feature::ReadReviews,
        |inbox, client| async move {
            let Some(client) = client else {
                return Err(reviewdesk_inbox::InboxError::Invalid(
                    "ReviewDesk cannot use this account's sign-in right now; try again in a moment."
                        .into(),
                ));
            };
            inbox.refresh_review(client.as_ref(), &id).await?;
            inbox.review_detail(&id)
        },
    )
    .await?;
    Ok(refreshed)
}

/// Whether the row's account named by the All accounts view is a Trustpilot business unit.
fn is_trustpilot(account: Option<&AccountKey>) -> bool {
    account.is_some_and(|a| a.provider == Provider::Trustpilot)
}

/// A refusal when the review's account (the row's, else the one on screen) has no tags
/// (Trustoo).
async fn require_tags(app: &AppState, account: Option<&AccountKey>) -> Result<(), IpcError> {
    if is_trustpilot(account) || app.require_session().await?.capabilities.tags {
        Ok(())
    } else {
        Err(IpcError::new(
            ErrorCode::Validation,
            "Trustoo reviews have no tags; tags are for Trustpilot accounts.",
        ))
    }
}

/// The business user who answers for the review's account (the row's, else the one on screen;
/// `None`: Trustpilot takes the signed-in user), or a refusal when its provider does not answer
/// reviews.
async fn replying_user(
    app: &AppState,
    account: Option<&AccountKey>,
) -> Result<Option<String>, IpcError> {
    if let Some(unit) = account
        .filter(|a| a.provider == Provider::Trustpilot)
        .and_then(|a| TrustpilotId::parse(&a.id).ok())
    {
        return Ok(app
            .trustpilot()?
            .business_user_id(&unit)
            .map(|u| u.as_str().to_owned()));
    }
    let session = app.require_session().await?;
    if session.capabilities.reply == ReplyAbility::None {
        return Err(IpcError::new(
            ErrorCode::Validation,
            "Trustoo has no way to answer a review that is already published.",
        ));
    }
    Ok(match app.current_trustpilot().await? {
        Some(unit) => app
            .trustpilot()?
            .business_user_id(&unit)
            .map(|u| u.as_str().to_owned()),
        None => None,
    })
}

/// Starts a sync now; progress arrives as `sync-progress`.
#[tauri::command]
pub async fn sync_now(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<(), IpcError> {
    inboxes.active(&app).await?;
    inbox::request_sync(&handle);
    Ok(())
}

/// Where the sync of the active shop stands (idle when no shop is connected).
#[tauri::command]
pub async fn sync_status(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<SyncStatus, IpcError> {
    Ok(inboxes
        .active_or_none(&app)
        .await?
        .map(|i| i.sync_status())
        .unwrap_or_default())
}

/// Actions waiting to reach Trustoo (empty when no shop is connected).
#[tauri::command]
pub async fn pending_actions(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<Vec<QueuedAction>, IpcError> {
    match inboxes.active_or_none(&app).await? {
        Some(inbox) => Ok(inbox.pending_actions()?),
        None => Ok(Vec::new()),
    }
}

/// Writes the reviews matching `query` to `reviewdesk-<shop>-<date>.csv` in Downloads.
#[tauri::command]
pub async fn export_csv(
    handle: AppHandle,
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    query: ReviewQuery,
) -> Result<ExportResult, IpcError> {
    let inbox = inboxes.active(&app).await?;
    let dir = inbox::downloads_dir(&handle)?;
    Ok(inbox.export_csv(&query, &dir, inbox::today()).await?)
}

/// Rating of one product (or, with `null`, the whole shop) from the local store.
#[tauri::command]
pub async fn local_rating(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    product_id: Option<String>,
) -> Result<RatingSummary, IpcError> {
    let inbox = inboxes.active(&app).await?;
    let product = product_id.map(ProductId);
    Ok(inbox.with_reader(|s| s.rating_summary(inbox.account(), product.as_ref()))?)
}

/// Products with reviews in the local store, most reviewed first.
#[tauri::command]
pub async fn list_products(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<Vec<ProductSummary>, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.list_products(inbox.account()))?)
}

/// Languages of the reviews in the local store with their counts, most used first: the
/// language filter's options (a Trustpilot account's; empty for a Trustoo shop). With
/// `every_account` (the All accounts view), the languages of every known account together.
#[tauri::command]
pub async fn list_languages(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    every_account: Option<bool>,
) -> Result<Vec<LanguageSummary>, IpcError> {
    let lists = per_account(&app, &inboxes, every_account, |s, a| s.list_languages(a)).await?;
    Ok(merge_counted(
        lists,
        |l| l.language.clone(),
        |l| l.count,
        |language, count| LanguageSummary { language, count },
    ))
}

/// Tags on the reviews in the local store with their counts, most used first: the tag filter's
/// options (a Trustpilot account's; Trustoo has no tags). With `every_account`, every known
/// account's together.
#[tauri::command]
pub async fn list_tags(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    every_account: Option<bool>,
) -> Result<Vec<TagSummary>, IpcError> {
    let lists = per_account(&app, &inboxes, every_account, |s, a| s.list_tags(a)).await?;
    Ok(merge_counted(
        lists,
        |t| (t.tag.group.clone(), t.tag.value.clone()),
        |t| t.count,
        |(group, value), count| TagSummary {
            tag: ReviewTag::new(group, value),
            count,
        },
    ))
}

/// `read` for the account on screen, or (`every_account`) for each known account.
async fn per_account<T>(
    app: &AppState,
    inboxes: &InboxState,
    every_account: Option<bool>,
    read: impl Fn(&Store, &AccountKey) -> Result<Vec<T>, StoreError>,
) -> Result<Vec<Vec<T>>, IpcError> {
    let inbox = inboxes.active(app).await?;
    let accounts = if every_account.unwrap_or(false) {
        app.known_accounts().await
    } else {
        vec![inbox.account().clone()]
    };
    Ok(inbox.with_reader(|s| {
        accounts
            .iter()
            .map(|a| read(s, a))
            .collect::<Result<Vec<_>, _>>()
    })?)
}

/// One list from several accounts' counted lists: counts of the same key added, most used
/// first, then by key (the order each list has alone).
fn merge_counted<T, K: Ord>(
    lists: Vec<Vec<T>>,
    key: impl Fn(&T) -> K,
    count: impl Fn(&T) -> u64,
    make: impl Fn(K, u64) -> T,
) -> Vec<T> {
    let mut counts = std::collections::BTreeMap::<K, u64>::new();
    for entry in lists.into_iter().flatten() {
        *counts.entry(key(&entry)).or_default() += count(&entry);
    }
    let mut merged: Vec<(K, u64)> = counts.into_iter().collect();
    // A stable sort: equal counts keep the map's key order.
    merged.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    merged.into_iter().map(|(k, n)| make(k, n)).collect()
}

/// Sources of the reviews in the local store with their counts, most used first: the source
/// filter's options (what the shop's reviews carry, never a fixed list).
#[tauri::command]
pub async fn list_sources(
    app: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
) -> Result<Vec<SourceSummary>, IpcError> {
    let inbox = inboxes.active(&app).await?;
    Ok(inbox.with_reader(|s| s.list_sources(inbox.account()))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(language: &str, count: u64) -> LanguageSummary {
        LanguageSummary {
            language: language.to_owned(),
            count,
        }
    }

    #[test]
    fn languages_of_several_accounts_add_up_and_keep_the_most_used_first() {
        let merged = merge_counted(
            vec![
                vec![lang("en", 5), lang("da", 2)],
                vec![],
                vec![lang("de", 4), lang("da", 3), lang("sv", 1)],
            ],
            |l| l.language.clone(),
            |l| l.count,
            |language, count| LanguageSummary { language, count },
        );
        assert_eq!(
            merged,
            vec![lang("da", 5), lang("en", 5), lang("de", 4), lang("sv", 1)]
        );
    }
}

/// The window's first rows reached the screen at `at_unix_ms` (the page's wall clock), with the
/// launch's marks (`page-start` in unix ms, the others in ms since it). Logged once per launch
/// (the inbox reports again after switching accounts): the line says how long a launch took to
/// show something and where the time went, and `cargo xtask bench app` measures launch → first
/// row from it.
#[tauri::command]
pub fn first_rows_painted(
    at_unix_ms: u64,
    rows: u64,
    marks: Option<std::collections::BTreeMap<String, f64>>,
) {
    static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !REPORTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        let mut marks: Vec<(String, f64)> = marks.unwrap_or_default().into_iter().collect();
        marks.sort_by(|a, b| a.1.total_cmp(&b.1));
        let marks: Vec<String> = marks
            .iter()
            .map(|(name, ms)| format!("{name}:{ms:.0}"))
            .collect();
        tracing::info!(
            "first rows painted at_unix_ms={at_unix_ms} rows={rows} marks={}",
            marks.join(",")
        );
    }
}
