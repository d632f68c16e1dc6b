//! Invitations (issue 17 §4): a review invitation link for one customer, copied by the merchant,
//! or an invitation email Trustpilot sends with one of the unit's templates. Both go through the
//! unit's client (its door: token renewal, retries, the call budget), as the unit's business user.

use crate::error::{ErrorCode, IpcError};
use crate::state::AppState;
use reviewdesk_core::TrustpilotId;
use reviewdesk_trustpilot::{NewEmailInvitation, NewInvitationLink};
use serde::{Deserialize, Serialize};
use tauri::State;

/// A customer to invite, as the Invite page's form has them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct InvitationInput {
    /// The customer's name, as the invitation greets them.
    pub name: String,
    /// Where the invitation goes (personal data: sent, never logged).
    pub email: String,
    /// The order number; the review carries it as its reference id. Required by an email.
    pub reference_id: String,
    /// Email only: the template (none: the unit's default).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub template_id: Option<String>,
    /// Email only: when Trustpilot sends it, RFC 3339 (none: within a few minutes).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub send_at: Option<String>,
}

/// One of the unit's invitation email templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct InvitationTemplateChoice {
    /// Sent back as the input's `template_id`.
    pub id: String,
    /// Its name in Trustpilot Business.
    pub name: String,
    /// Trustpilot's default for the unit (preselected).
    pub is_default: bool,
}

/// A link made for one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct InvitationLinkMade {
    /// Trustpilot's id of the link.
    pub id: String,
    /// The address to send the customer.
    pub url: String,
}

/// What the merchant reads when the unit's plan lacks the Invitation API (a `403`).
pub const PLAN_LACKS_INVITATIONS: &str = "Your Trustpilot plan does not include invitations \
     through the API. They come with Trustpilot's Connect add-on (Premium and Advanced plans; \
     included in Enterprise). Invitations sent from Trustpilot Business itself still work.";

/// The Trustpilot unit on screen, when its provider sends invitations.
async fn inviting_unit(app: &AppState) -> Result<TrustpilotId, IpcError> {
    let session = app.require_session().await?;
    if !session.capabilities.invitations {
        return Err(IpcError::new(
            ErrorCode::Validation,
            "Invitations are sent from a Trustpilot account: open one from the account switcher.",
        ));
    }
    app.current_trustpilot().await?.ok_or_else(|| {
        IpcError::new(
            ErrorCode::Validation,
            "The account on screen is not a Trustpilot business unit.",
        )
    })
}

/// A Trustpilot refusal in the merchant's words: a `403` here means the plan, not the sign-in.
fn plan_error(e: IpcError) -> IpcError {
    if e.code == ErrorCode::Forbidden {
        IpcError::new(ErrorCode::Forbidden, PLAN_LACKS_INVITATIONS)
    } else {
        e
    }
}

/// The customer's name and email, checked before anything is sent.
fn checked_person(input: &InvitationInput) -> Result<(String, String), IpcError> {
    let name = input.name.trim();
    let email = input.email.trim();
    if name.is_empty() {
        return Err(IpcError::new(
            ErrorCode::Validation,
            "Type the customer's name.",
        ));
    }
    let looks_like_email = email
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.starts_with('.'));
    if !looks_like_email {
        return Err(IpcError::new(
            ErrorCode::Validation,
            "Type the customer's email address, like name@example.com.",
        ));
    }
    Ok((name.to_owned(), email.to_owned()))
}

/// The optional text of a form field.
fn given(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The unit's invitation email templates (Trustpilot's standard ones and the business's own).
#[tauri::command]
pub async fn invitation_templates(
    app: State<'_, AppState>,
) -> Result<Vec<InvitationTemplateChoice>, IpcError> {
    let unit = inviting_unit(&app).await?;
    let templates = app
        .trustpilot()?
        .invitation_templates(&unit)
        .await
        .map_err(|e| plan_error(e.into()))?;
    Ok(templates
        .into_iter()
        .map(|t| InvitationTemplateChoice {
            id: t.id,
            name: t.name,
            is_default: t.is_default_template,
        })
        .collect())
}

/// Makes a service-review invitation link for one customer (to copy into a message).
#[tauri::command]
pub async fn create_invitation_link(
    app: State<'_, AppState>,
    input: InvitationInput,
) -> Result<InvitationLinkMade, IpcError> {
    let unit = inviting_unit(&app).await?;
    let (name, email) = checked_person(&input)?;
    let link = NewInvitationLink {
        email,
        name,
        reference_id: given(&input.reference_id),
        ..NewInvitationLink::default()
    };
    let made = app
        .trustpilot()?
        .create_invitation_link(&unit, &link)
        .await
        .map_err(|e| plan_error(e.into()))?;
    Ok(InvitationLinkMade {
        id: made.id,
        url: made.url,
    })
}

/// Asks Trustpilot to email one customer an invitation, now or at a chosen time.
#[tauri::command]
pub async fn send_email_invitation(
    app: State<'_, AppState>,
    input: InvitationInput,
) -> Result<(), IpcError> {
    let unit = inviting_unit(&app).await?;
    let (name, email) = checked_person(&input)?;
    let reference_number = given(&input.reference_id).ok_or_else(|| {
        IpcError::new(
            ErrorCode::Validation,
            "Type the order number: Trustpilot needs it to send an invitation email.",
        )
    })?;
    let preferred_send_time = match input.send_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(at) => Some(
            time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .map_err(|_| IpcError::new(ErrorCode::Validation, "Choose when to send it again."))?
                .unix_timestamp(),
        ),
    };
    let invitation = NewEmailInvitation {
        consumer_email: email,
        consumer_name: name,
        reference_number,
        template_id: input.template_id.as_deref().and_then(given),
        preferred_send_time,
        ..NewEmailInvitation::default()
    };
    app.trustpilot()?
        .send_email_invitation(&unit, &invitation)
        .await
        .map_err(|e| plan_error(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, email: &str) -> InvitationInput {
        InvitationInput {
            name: name.into(),
            email: email.into(),
            ..InvitationInput::default()
        }
    }

    #[test]
    fn a_customer_needs_a_name_and_an_email_address() {
        assert_eq!(
            checked_person(&input(" Ana ", " ana@example.com ")).expect("a customer"),
            ("Ana".to_owned(), "ana@example.com".to_owned())
        );
        for (name, email) in [
            ("", "ana@example.com"),
            ("Ana", "ana"),
            ("Ana", "ana@x"),
            ("Ana", "@x.com"),
        ] {
            let e = checked_person(&input(name, email)).expect_err("refused");
            assert_eq!(e.code, ErrorCode::Validation, "{name} {email}");
            assert!(
                !e.message.contains(email) || email.is_empty(),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn a_forbidden_answer_is_said_as_the_plan() {
        let e = plan_error(IpcError::new(ErrorCode::Forbidden, "Forbidden"));
        assert_eq!(e.message, PLAN_LACKS_INVITATIONS);
        let other = plan_error(IpcError::new(ErrorCode::Network, "offline"));
        assert_eq!(other.message, "offline");
    }
}
