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

/// Adds user `name` in `role`, with `password`, in `elections` (every stored election if
/// none), by the admin acting: pending until a second admin approves.
pub(crate) async fn add(
    s: &AppState,
    by: Acting,
    name: String,
    role: Role,
    password: String,
    elections: Option<Vec<String>>,
) -> Result<User, ServerError> {
    let phc = blocking(move || auth::hash_password(&password)).await?;
    let salt = auth::salt();
    let Acting { user: admin, now } = by;
    write(s, move |st| {
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
    .await
}

/// Resets user `name`'s password to a new one-time password, which it answers with the
/// account (pending until a second admin approves).
pub(crate) async fn reset(
    s: &AppState,
    by: Acting,
    name: String,
) -> Result<(User, String), ServerError> {
    let password = auth::one_time_password();
    let p = password.clone();
    let phc = blocking(move || auth::hash_password(&p)).await?;
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
    let (u, password) = reset(&s, who.acting()?, user).await?;
    Ok(Json(json!({
        "user": u.name,
        "password": password,
        "pending": u.pending,
        "note": "shown once: hand it to the user; the account waits for a second admin's approval (POST /api/users/NAME/approve)",
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
