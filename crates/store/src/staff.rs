//! What the results service's staff workflow stores: users, assignments, sessions, API
//! tokens, scans, and protocols entered but not yet verified (the two-person rule). Every
//! act that changes the election is logged with a `staff` entry naming who did it and when
//! (`docs/log-format.md`, "staff"), in the same transaction as the act. When is a value the
//! caller passes in (`now`: the service's or the console's clock, read at the edge); the store
//! stamps the entry with it, or with the log's latest staff time if that is later.

use model::{Protocol, UnitId};
use record::{Content, Role, Time};

use crate::upload::{FileRef, StoredFile};
use crate::StoreError;

/// A staff user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user's id.
    pub id: i64,
    /// The login name.
    pub name: String,
    /// The one role.
    pub role: Role,
    /// The commitment to the name that the log carries for every act of this user.
    pub commitment: String,
    /// Added by an admin and not yet approved by a second one (or their password reset by
    /// one): holds no role, cannot log in.
    pub pending: bool,
    /// Disabled by an admin: cannot log in, has no session or API token.
    pub disabled: bool,
    /// Holds a one-time password an admin handed out (a new account, a reset): logs in only
    /// to choose a password of their own ([`Staffing::choose_password`]), so that the admin
    /// who knows it cannot go on using it.
    pub must_change: bool,
    /// For a pending account: the admin whose act waits for a second admin's approval.
    pub awaiting: Option<Awaiting>,
}

/// What a login is checked against: the password's PHC string; for a one-time password an
/// admin and the approving second admin each gave half of, the first half's, and the second
/// half's beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The password's (or the first half's) Argon2id PHC string.
    pub phc: String,
    /// The second half's, for a one-time password given in two halves.
    pub second: Option<String>,
}

/// The act an account waits on a second admin's approval for, as the approving admin sees
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awaiting {
    /// The admin who added the account or reset its password.
    pub by: String,
    /// A password reset (else a new account).
    pub reset: bool,
}

/// A session found by its token's hash.
#[derive(Debug, Clone)]
pub struct Session {
    /// Whose.
    pub user: User,
    /// The CSRF token the session's forms must carry.
    pub csrf: String,
    /// When it expires (Unix seconds).
    pub expires: i64,
}

/// An API token, as its owner sees it in a list (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The token's id: the hex SHA-256 of the token, which is what the store keeps.
    pub id: String,
    /// What its owner called it.
    pub label: String,
    /// When it was made (Unix seconds).
    pub created: i64,
    /// When it expires (Unix seconds).
    pub expires: i64,
}

/// A protocol entered and waiting for a second person.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Its id.
    pub id: i64,
    /// The protocol, with the version it will have.
    pub protocol: Protocol,
    /// The hex SHA-256 of its protocol entry, as logged.
    pub digest: String,
    /// The uploaded scan, `sha256:<hex>`.
    pub scan: Option<String>,
    /// Who entered it.
    pub entered_by: String,
    /// Whether it waits, counts or never will.
    pub state: PendingState,
    /// Why a commissioner lifted its quarantine, if one did (empty if the reason was redacted).
    pub overridden: Option<String>,
    /// Why a commissioner chose it between two keyings that differ, if one did.
    pub resolved: Option<String>,
    /// Why it was rejected, if the verifier said.
    pub rejected_because: Option<String>,
}

/// Where an entered protocol stands (the `pending` rows' `state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum PendingState {
    /// Entered, waiting for a second person.
    Entered,
    /// Verified by a second person: its protocol entry is in the log.
    Verified,
    /// Rejected: it never counts.
    Rejected,
}

impl PendingState {
    /// The state as the store and the API write it.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// Who does an act: a staff user (whom the service authenticated), or the console: the
/// command line on the store's own machine, which holds the store file and acts for the
/// commission. The log names a user by the commitment to their name, the console as
/// `"user":"console"`; both act in the role the act needs (`record::Act::role`), which a user
/// must hold, granted in the election.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A staff user.
    User(&'a User),
    /// The store's own machine.
    Console,
}

/// An official act logged with its staff entry: the entry it attributes (a complaint, a
/// decision, a final publication; none for a redaction) and the content its commitments
/// stand for.
pub struct Act<'a> {
    /// What was done, with what it is about (a redaction's commitment).
    pub act: record::StaffAct,
    /// The entries that follow the staff entry (a complaint, a decision, a final
    /// publication, an audit step's entries; none for a redaction).
    pub entries: &'a [Vec<u8>],
    /// (commitment, salt hex, text) rows to store beside the log.
    pub content: &'a [Content],
    /// The files the act cites, each with the commitment that stands for it in the log if
    /// any (a complaint's attachment): each must be the actor's own upload.
    pub files: &'a [(FileRef, Option<String>)],
    /// The log's size the act was computed at, if it depends on the state (a final
    /// publication): the act is refused if the log has grown since.
    pub at: Option<u64>,
    /// When it was done, by the clock of the service or console that took it.
    pub time: Time,
}

impl<'a> Act<'a> {
    /// An act done at `time` that logs `entries` after its staff entry and nothing more: no
    /// content, no file, not tied to a log size.
    pub fn of(act: record::StaffAct, entries: &'a [Vec<u8>], time: Time) -> Act<'a> {
        Act {
            act,
            entries,
            content: &[],
            files: &[],
            at: None,
            time,
        }
    }
}

/// The staff side of a store. Every method that logs a staff entry takes when the act was
/// done (`now`, or [`Act::time`]): the entry carries it, or the log's latest staff time if that
/// is later (times never decrease).
pub trait Staffing {
    /// Adds a user whose role applies in every stored election; see
    /// [`Staffing::add_user_in`].
    fn add_user(
        &mut self,
        name: &str,
        role: Role,
        password: &str,
        salt: &[u8; 32],
        by: Option<&User>,
        now: Time,
    ) -> Result<User, StoreError> {
        self.add_user_in(name, role, password, salt, by, None, now)
    }
    /// Adds a user; `password` is its Argon2id PHC string, `salt` 32 random bytes for the
    /// commitment to the name. `by` is the admin who does it, none for the console (the
    /// command line on the store's machine). The role applies only in `elections` (every
    /// stored election if none; an election stored later needs [`Staffing::grant`]), each of
    /// whose logs gets a staff `grant` entry, in the same transaction.
    ///
    /// The name is normalised (`model::names::normalise_user_name`) and refused if it looks
    /// like an existing user's (the same `model::names::skeleton`). A user added by an admin
    /// is pending (holds no role, cannot log in) until [`Staffing::approve_user`]; one added
    /// on the console is active at once. `now` is when (the staff entries' time).
    #[allow(clippy::too_many_arguments)] // Each is one thing the act takes; none is optional.
    fn add_user_in(
        &mut self,
        name: &str,
        role: Role,
        password: &str,
        salt: &[u8; 32],
        by: Option<&User>,
        elections: Option<&[String]>,
        now: Time,
    ) -> Result<User, StoreError>;
    /// Grants user `name`'s role in one more election (logged there as a staff `grant`): by
    /// an admin, pending until [`Staffing::approve_user`]; by the console (`by` none), at once.
    fn grant(
        &mut self,
        name: &str,
        election: &str,
        by: Option<&User>,
        now: Time,
    ) -> Result<(), StoreError>;
    /// The elections a user's role applies in, and whether each grant still waits for approval.
    fn grants(&self, user: i64) -> Result<Vec<(String, bool)>, StoreError>;
    /// Approves what of user `name` waits for approval (the account an admin added, grants in
    /// elections): by an admin other than the one who made any of them, or by the console
    /// (`by` none). Each election concerned gets a second staff `grant` entry, by the approver.
    ///
    /// Approving an account an admin added or reset (`User::must_change`) gives the second half
    /// of its one-time password: `second` is its PHC string (the first half is the admin's);
    /// the user logs in with both halves, so that neither admin alone knows the password.
    /// Answers the account, and whether it took `second`.
    fn approve_user(
        &mut self,
        name: &str,
        by: Option<&User>,
        second: Option<&str>,
        now: Time,
    ) -> Result<(User, bool), StoreError>;
    /// Disables user `name`: they can no longer log in, and their sessions and API tokens
    /// go; their acts stay in the logs. By an admin other than the user, or the console.
    fn disable_user(&mut self, name: &str, by: Option<&User>) -> Result<User, StoreError>;
    /// Sets user `name`'s password to `password` (its Argon2id PHC string) and ends their
    /// sessions and API tokens. Reset by an admin (never their own), the account waits for a
    /// second admin's approval ([`Staffing::approve_user`]) before it can log in again (an
    /// admin who could reset and use a password alone could act as anyone); by the console,
    /// at once.
    fn reset_password(
        &mut self,
        name: &str,
        password: &str,
        by: Option<&User>,
    ) -> Result<User, StoreError>;
    /// Sets user `id`'s password to `password` (its Argon2id PHC string), chosen by the user
    /// at a login: the one-time password an admin handed out no longer works, and their other
    /// sessions and API tokens end.
    fn choose_password(&mut self, id: i64, password: &str) -> Result<(), StoreError>;
    /// An active user and what their login is checked against, by name (NFKC-normalised); none
    /// for a pending or disabled user.
    fn user_by_name(&self, name: &str) -> Result<Option<(User, Stored)>, StoreError>;
    /// Every user, pending ones included, by name.
    fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Registers `pseudonym`, a phone number's (HMAC under a key kept outside the store:
    /// `observe::phone::PhoneKey`), as observer `user`'s, for their SMS reports; `by` is the
    /// admin, none for the console. A pseudonym is one observer's: registered again, it moves.
    /// Not logged: a phone is no part of the election's record.
    fn set_phone(
        &mut self,
        user: i64,
        pseudonym: &str,
        by: Option<&User>,
    ) -> Result<(), StoreError>;
    /// Removes the phone with `pseudonym` from whoever holds it (the console's, `by` none; or
    /// an admin within reach of its observer); answers whether one was registered.
    fn remove_phone(&mut self, pseudonym: &str, by: Option<&User>) -> Result<bool, StoreError>;
    /// The active observer whose phone has `pseudonym`, if any.
    fn phone_user(&self, pseudonym: &str) -> Result<Option<User>, StoreError>;
    /// Lets an operator enter protocols for the stations in or under `unit`; `by` is the
    /// admin, none for the console. A new assignment is logged as a staff `assign` entry.
    fn assign(
        &mut self,
        user: i64,
        election: &str,
        unit: UnitId,
        by: Option<&User>,
        now: Time,
    ) -> Result<(), StoreError>;
    /// The units assigned to a user in an election.
    fn assignments(&self, user: i64, election: &str) -> Result<Vec<UnitId>, StoreError>;
    /// Starts a session.
    fn start_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf: &str,
        expires: i64,
    ) -> Result<(), StoreError>;
    /// The session of a token's hash, if it exists (expired or not).
    fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError>;
    /// Ends a session.
    fn end_session(&mut self, token_hash: &str) -> Result<(), StoreError>;
    /// Stores an API token's hash for `user`, made at `created` and valid until `expires`
    /// (Unix seconds).
    fn add_token(
        &mut self,
        token_hash: &str,
        user: i64,
        label: &str,
        created: i64,
        expires: i64,
    ) -> Result<(), StoreError>;
    /// The user of an API token's hash, if the token exists and has not expired at `now`.
    fn token_user(&self, token_hash: &str, now: i64) -> Result<Option<User>, StoreError>;
    /// A user's API tokens (expired ones too, until revoked), oldest first.
    fn tokens(&self, user: i64) -> Result<Vec<ApiToken>, StoreError>;
    /// Revokes one of `user`'s API tokens by its id; `NotFound` if the user has no such token.
    fn revoke_token(&mut self, user: i64, id: &str) -> Result<(), StoreError>;
    /// Revokes every API token of `user`; how many there were.
    fn revoke_tokens(&mut self, user: i64) -> Result<u64, StoreError>;
    /// Stores a file that `by` uploads (idempotent), after checking what it is by its bytes
    /// ([`crate::Media::check`]): a scan (PNG, JPEG, PDF) or an auditor's CSV. Only `by`'s
    /// own acts may cite it.
    fn put_scan(&mut self, by: &User, bytes: &[u8]) -> Result<FileRef, StoreError>;
    /// Takes back `by`'s upload of a file whose act was refused: the file goes unless an act
    /// cites it or someone else uploaded it too.
    fn forget_upload(&mut self, by: &User, file: &FileRef) -> Result<(), StoreError>;
    /// A stored file, with its kind checked again.
    fn scan(&self, file: &FileRef) -> Result<Option<StoredFile>, StoreError>;
    /// Records an operator's entry of a protocol (its version is the next one) and logs a
    /// staff `enter` entry, in one transaction.
    fn enter(
        &mut self,
        election: &str,
        protocol: &Protocol,
        by: &User,
        scan: Option<&FileRef>,
        now: Time,
    ) -> Result<Pending, StoreError> {
        self.enter_from(election, protocol, by, scan, None, now)
    }
    /// [`Staffing::enter`], the figures checked against a posted protocol's QR code whose
    /// SHA-256 (`posted`, lower-case hex) the staff entry records (revision 11).
    fn enter_from(
        &mut self,
        election: &str,
        protocol: &Protocol,
        by: &User,
        scan: Option<&FileRef>,
        posted: Option<&str>,
        now: Time,
    ) -> Result<Pending, StoreError>;
    /// Whether blind double entry is on in the election (its latest staff `intake`).
    fn double_entry(&self, election: &str) -> Result<bool, StoreError>;
    /// Protocols entered and not yet verified or rejected, oldest first.
    fn pending(&self, election: &str) -> Result<Vec<Pending>, StoreError>;
    /// Every protocol ever entered, in any state, oldest first.
    fn entries(&self, election: &str) -> Result<Vec<Pending>, StoreError>;
    /// One entered protocol, in any state.
    fn pending_one(&self, election: &str, id: i64) -> Result<Pending, StoreError>;
    /// A second person verifies an entered protocol: it becomes the station's next version,
    /// logged as a staff `verify` entry and the protocol entry, in one transaction. Refused
    /// while protocol intake's rules hold it (`record::may_verify`: quarantined until a
    /// commissioner's override, keyed once under blind double entry, without the scan a law
    /// requires).
    fn verify(&mut self, election: &str, id: i64, by: &User, now: Time) -> Result<u32, StoreError>;
    /// A second person rejects an entered protocol, giving a reason (the content of its
    /// commitment, which the operator reads); a staff `reject` entry is logged.
    fn reject(
        &mut self,
        election: &str,
        id: i64,
        by: &User,
        reason: Option<&Content>,
        now: Time,
    ) -> Result<(), StoreError>;
    /// Logs an official act of `by`: the staff entry, then its entries; a redaction also
    /// deletes the content. A user must hold the act's role in the election; the console may
    /// cite no upload (it commits to a file's hash in the act's content instead). Refused
    /// when the entries are not the act's own (`record::check_act_entries`), when the
    /// election's standing does not take it, or when the log has grown past `act.at`.
    /// Returns the log's size.
    fn act(&mut self, election: &str, by: Actor<'_>, act: Act<'_>) -> Result<u64, StoreError>;
}
