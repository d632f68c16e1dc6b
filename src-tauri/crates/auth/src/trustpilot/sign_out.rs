//! Signing a Trustpilot account out, every step reported.

use reviewdesk_core::TrustpilotId;

use crate::session::StepResult;

use super::codec;
use super::TrustpilotAccounts;

/// One step of a Trustpilot sign-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustpilotSignOutStep {
    /// Revoke the refresh token (which takes its access token with it, SEEN-DOC), or the
    /// access token when there is none (client credentials, implicit).
    RevokeToken,
    /// Delete the account's keyring entry, and the application's when no other account uses it.
    DeleteKeyringEntries,
    /// Remove the account from ReviewDesk's list.
    ForgetAccount,
}

impl TrustpilotSignOutStep {
    /// What the step does, as the sign-out report shows it.
    pub fn sentence(self) -> &'static str {
        match self {
            TrustpilotSignOutStep::RevokeToken => "Revoke the Trustpilot sign-in",
            TrustpilotSignOutStep::DeleteKeyringEntries => "Delete the keyring entries",
            TrustpilotSignOutStep::ForgetAccount => "Remove the business unit from ReviewDesk",
        }
    }
}

/// What a Trustpilot sign-out did. Every step runs even when an earlier one fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustpilotSignOutReport {
    /// The business unit.
    pub business_unit_id: TrustpilotId,
    /// Each step in order.
    pub steps: Vec<(TrustpilotSignOutStep, StepResult)>,
}

impl TrustpilotSignOutReport {
    /// True when no step failed.
    pub fn is_clean(&self) -> bool {
        self.steps
            .iter()
            .all(|(_, r)| !matches!(r, StepResult::Failed(_)))
    }

    /// The result of one step.
    pub fn step(&self, step: TrustpilotSignOutStep) -> Option<&StepResult> {
        self.steps.iter().find(|(s, _)| *s == step).map(|(_, r)| r)
    }
}

impl TrustpilotAccounts {
    /// Signs a business unit out: revokes its refresh token (or access token), deletes its
    /// keyring entry (and its application's, unless another account uses the application),
    /// forgets it. Other accounts' entries are untouched; cached reviews are the caller's.
    pub async fn sign_out(&self, unit: &TrustpilotId) -> TrustpilotSignOutReport {
        let fail = |e: &dyn std::fmt::Display| StepResult::Failed(e.to_string());
        let mut steps = Vec::new();
        let known = self.inner.registry.lock().await.get(unit).cloned();
        // The live session, or the stored one when it was never loaded (to revoke it still).
        let live = match self.set_live(unit, None) {
            Some(l) => Some(l.client.clone()),
            None => match &known {
                Some(a) => self.load_live(a).await.ok().flatten().map(|l| l.client),
                None => None,
            },
        };
        let revoke = match live {
            Some(client) if client.tokens().is_some() => client
                .sign_out()
                .await
                .map_or_else(|e| fail(&e), |()| StepResult::Done),
            _ => StepResult::Skipped,
        };
        steps.push((TrustpilotSignOutStep::RevokeToken, revoke));

        let mut deleted = match self.inner.store.delete(&codec::account_key(unit)).await {
            Ok(()) => StepResult::Done,
            Err(e) => fail(&e),
        };
        let forgot = {
            let mut reg = self.inner.registry.lock().await;
            let r = reg
                .remove(unit)
                .await
                .map_or_else(|e| fail(&e), |()| StepResult::Done);
            if let Some(a) = &known {
                if !reg.uses_application(&a.application) {
                    if let Err(e) = self
                        .inner
                        .store
                        .delete(&codec::app_key(&a.application))
                        .await
                    {
                        deleted = fail(&e);
                    }
                }
            }
            r
        };
        steps.push((TrustpilotSignOutStep::DeleteKeyringEntries, deleted));
        steps.push((TrustpilotSignOutStep::ForgetAccount, forgot));
        super::lock(&self.inner.problems).remove(unit);
        TrustpilotSignOutReport {
            business_unit_id: unit.clone(),
            steps,
        }
    }
}
