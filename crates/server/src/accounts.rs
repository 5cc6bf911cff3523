//! Staff accounts, for the API and the admin's desk alike: add a user (their role in the
//! elections given, pending until a second admin approves), approve, reset a password (a new
//! one-time password, the account pending again), disable. Every rule is the store's
//! (`store::Staffing`: admins only, names normalised and unlike any other, the two-person
//! rule, logged grants), as for the command line's `tallyproof users`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use record::Role;
use serde_json::json;
use store::{Staffing, User};

use crate::auth::{self, Acting, Caller};
use crate::public::blocking;
use crate::staff::write;
use crate::{AppState, ServerError};

/// The role named `key`; a refusal listing the roles otherwise.
pub(crate) fn role(key: &str) -> Result<Role, ServerError> {
    Role::from_key(key).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
        ServerError::BadRequest(format!(
            "unknown role '{key}'; expected one of {}",
            all.join(", ")
        ))
    })
}

/// A new half of a one-time password and its PHC string.
async fn half() -> Result<(String, String), ServerError> {
    let half = auth::one_time_half();
    let h = half.clone();
    let phc = blocking(move || auth::hash_password(&auth::half_as_hashed(&h))).await?;
    Ok((half, phc))
}

/// Adds user `name` in `role` in `elections` (every stored election if none), by the admin
/// acting: pending until a second admin approves. Answers the account and the first half of
/// its one-time password (the approval gives the second).
pub(crate) async fn add(
    s: &AppState,
    by: Acting,
    name: String,
    role: Role,
    elections: Option<Vec<String>>,
) -> Result<(User, String), ServerError> {
    let (first, phc) = half().await?;
    let salt = auth::salt();
    let Acting { user: admin, now } = by;
    let u = write(s, move |st| {
        Ok(st.add_user_in(
            &name,
            role,
            &phc,
            &salt,
            Some(&admin),
            elections.as_deref(),
            now,
        )?)
    })
    .await?;
    Ok((u, first))
}

/// Approves what of user `name` waits for approval, by the admin acting: for an account an
/// admin added or reset, answers the second half of its one-time password too.
pub(crate) async fn approve(
    s: &AppState,
    by: Acting,
    name: String,
) -> Result<(User, Option<String>), ServerError> {
    // A second half is offered; the store takes it where the approval gives one.
    let (second, phc) = half().await?;
    let Acting { user: admin, now } = by;
    let (u, took) = write(s, move |st| {
        Ok(st.approve_user(&name, Some(&admin), Some(&phc), now)?)
    })
    .await?;
    Ok((u, took.then_some(second)))
}

/// Resets user `name`'s password to a new one-time password, whose first half it answers with
/// the account (pending until a second admin approves, which gives the second half).
pub(crate) async fn reset(
    s: &AppState,
    by: Acting,
    name: String,
) -> Result<(User, String), ServerError> {
    let (password, phc) = half().await?;
    let admin = by.user;
    let u = write(s, move |st| {
        Ok(st.reset_password(&name, &phc, Some(&admin))?)
    })
    .await?;
    Ok((u, password))
}

/// Disables user `name`.
pub(crate) async fn disable(s: &AppState, by: Acting, name: String) -> Result<User, ServerError> {
    let admin = by.user;
    write(s, move |st| Ok(st.disable_user(&name, Some(&admin))?)).await
}

/// `POST /api/users/{user}/reset`.
pub(crate) async fn reset_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(user): Path<String>,
) -> Result<Response, ServerError> {
    let (u, first) = reset(&s, who.acting()?, user).await?;
    Ok(Json(json!({
        "user": u.name,
        "first_half": first,
        "pending": u.pending,
        "note": "the first half of the one-time password, shown once: hand it to the user; a second admin's approval (POST /api/users/NAME/approve) gives the second half",
    }))
    .into_response())
}

/// `POST /api/users/{user}/disable`.
pub(crate) async fn disable_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(user): Path<String>,
) -> Result<Response, ServerError> {
    let u = disable(&s, who.acting()?, user).await?;
    Ok(Json(json!({"user": u.name, "disabled": u.disabled})).into_response())
}

/// A phone number as an admin types it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPhone {
    pub phone: String,
}

/// Registers observer `name`'s phone for SMS reports, by the admin acting: the store keeps
/// only its pseudonym under the service's phone key (`serve --phone-key`), never the number.
pub(crate) async fn set_phone(
    s: &AppState,
    by: Acting,
    name: String,
    phone: &str,
) -> Result<User, ServerError> {
    let sms = s.sms.clone().ok_or_else(|| {
        ServerError::Unprocessable(
            "this service takes no SMS: it needs --sms-gateway and --phone-key".into(),
        )
    })?;
    // The number is not repeated in an error: it may be someone else's.
    let pseudonym = sms.pseudonym(phone).map_err(|_| {
        ServerError::BadRequest(
            "field 'phone': not a phone number (digits, +, spaces, dashes, brackets)".into(),
        )
    })?;
    let admin = by.user;
    write(s, move |st| {
        let (u, _) = st
            .user_by_name(&name)?
            .ok_or_else(|| ServerError::NotFound(format!("no user named '{name}'")))?;
        st.set_phone(u.id, &pseudonym, Some(&admin))?;
        Ok(u)
    })
    .await
}

/// `POST /api/users/{user}/phone`: `{phone}`.
pub(crate) async fn phone_api(
    State(s): State<AppState>,
    Extension(who): Extension<Caller>,
    Path(user): Path<String>,
    Json(p): Json<NewPhone>,
) -> Result<Response, ServerError> {
    let u = set_phone(&s, who.acting()?, user, &p.phone).await?;
    Ok(
        Json(json!({"user": u.name, "phone": "registered (kept as a pseudonym only)"}))
            .into_response(),
    )
}
