//! `tallyproof users`: the results service's staff accounts (add, approve, list, assign units
//! to an operator). The command line on the store's machine is the console: a user it adds
//! holds their role at once, and it may approve a grant an admin made through the service. Passwords are read from the `TALLYPROOF_PASSWORD` variable or standard input,
//! never from the command line (which other users of the machine can see).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use record::Role;
use store::Staffing;

use super::results::resolve;
use super::{election_name, DEFAULT_DB};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a user with one role (the password: $TALLYPROOF_PASSWORD or the first line of stdin)
    Add {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The login name
        name: String,
        /// operator, verifier, commissioner, auditor, observer, admin, board-member (an audit
        /// board member) or supervisor (an observer group's quick count supervisor)
        #[arg(long)]
        role: String,
        /// An election the role applies in (repeat for several); default every stored election
        #[arg(long = "election")]
        elections: Vec<String>,
    },
    /// Grant a user's role in one more election (one stored after the user was added)
    Grant {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The login name
        name: String,
        /// The stored election
        #[arg(long)]
        election: String,
    },
    /// Approve the role an admin granted through the service (the second person of the
    /// two-person rule for grants, here the console)
    Approve {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The login name
        name: String,
    },
    /// List the users and their roles (and which wait for approval)
    List {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
    },
    /// Make an API token for a user (printed once; send it as `Authorization: Bearer TOKEN`)
    Token {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The user's login name
        name: String,
        /// What the token is for
        #[arg(long, default_value = "command line")]
        label: String,
        /// How many days the token lasts (at most 365)
        #[arg(long, default_value_t = server::TOKEN_DAYS)]
        days: i64,
    },
    /// Set a user's password ($TALLYPROOF_PASSWORD or the first line of stdin) and end their sessions and API tokens
    Reset {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The login name
        name: String,
    },
    /// Disable a user: they can no longer log in; their sessions and API tokens end (their acts stay in the logs)
    Disable {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The login name
        name: String,
    },
    /// Let an operator enter protocols (an observer: report the quick count's drawn stations)
    /// for the stations in or under a unit
    Assign {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The stored election (may be omitted when the store holds one)
        #[arg(long)]
        election: Option<String>,
        /// The operator's (or observer's) login name
        name: String,
        /// The unit's path, `Region / District / Station`; empty for the whole country
        #[arg(long, default_value = "")]
        unit: String,
    },
    /// Register an observer's phone for SMS reports ($TALLYPROOF_PHONE or the first line of
    /// stdin): the store keeps only its pseudonym under --phone-key, never the number
    Phone {
        /// The store file
        #[arg(long, default_value = DEFAULT_DB)]
        db: PathBuf,
        /// The observer's login name
        name: String,
        /// The phones' key (a file of at least 32 random bytes, kept outside the store; the
        /// one `serve --phone-key` is given)
        #[arg(long, value_name = "FILE")]
        phone_key: PathBuf,
        /// The home country's calling code, for a number given without it
        #[arg(long, default_value = "996")]
        country: String,
        /// The home trunk prefix that national numbers begin with
        #[arg(long, default_value = "0")]
        trunk: String,
        /// Remove the phone from the observer who holds it instead (a lost phone, a number
        /// given to someone else)
        #[arg(long)]
        remove: bool,
    },
}

/// A phone number: $TALLYPROOF_PHONE or the first line of standard input (never the
/// command line, which other users of the machine can see).
fn phone() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("TALLYPROOF_PHONE") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the phone number from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("TALLYPROOF_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn run(c: Command) -> anyhow::Result<ExitCode> {
    match c {
        Command::Add {
            db,
            name,
            role,
            elections,
        } => {
            let Some(role) = Role::from_key(&role) else {
                let all: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
                bail!("unknown role '{role}'; expected one of {}", all.join(", "));
            };
            let only = (!elections.is_empty()).then_some(elections.as_slice());
            let (db, now) = (db.to_string_lossy(), crate::cmd::clock()?);
            let u = server::add_user_in(&db, &name, role, &password()?, only, now)?;
            println!("added {} ({})", u.name, u.role.key());
        }
        Command::Grant { db, name, election } => {
            crate::cmd::open_store(&db)?.grant(&name, &election, None, crate::cmd::clock()?)?;
            println!("{name} holds their role in '{election}'");
        }
        Command::Approve { db, name } => {
            // A second half is offered; the store takes it where the approval gives one (an
            // account an admin added or reset through the service).
            let second = server::one_time_half();
            let phc = server::hash_password(&server::half_as_hashed(&second))?;
            let (u, took) = crate::cmd::open_store(&db)?.approve_user(
                &name,
                None,
                Some(&phc),
                crate::cmd::clock()?,
            )?;
            println!("approved {} ({})", u.name, u.role.key());
            if took {
                println!(
                    "second half of their one-time password (shown once; they type the first half, then this one): {second}"
                );
            }
        }
        Command::Reset { db, name } => {
            let phc = server::hash_password(&password()?)?;
            let u = crate::cmd::open_store(&db)?.reset_password(&name, &phc, None)?;
            println!(
                "{}: password set; their sessions and API tokens ended",
                u.name
            );
        }
        Command::Disable { db, name } => {
            let u = crate::cmd::open_store(&db)?.disable_user(&name, None)?;
            println!("{}: disabled; their sessions and API tokens ended", u.name);
        }
        Command::List { db } => {
            let store = crate::cmd::open_store(&db)?;
            for u in store.users()? {
                let pending = match (u.disabled, u.pending) {
                    (true, _) => "\tdisabled",
                    (false, true) => "\tpending approval",
                    (false, false) => "",
                };
                let grants: Vec<String> = store
                    .grants(u.id)?
                    .into_iter()
                    .map(|(e, p)| if p { format!("{e} (pending)") } else { e })
                    .collect();
                println!(
                    "{}\t{}\t{}{pending}",
                    u.name,
                    u.role.key(),
                    grants.join(", ")
                );
            }
        }
        Command::Token {
            db,
            name,
            label,
            days,
        } => {
            if !(1..=server::TOKEN_MAX_DAYS).contains(&days) {
                bail!("--days: a token lasts 1 to {} days", server::TOKEN_MAX_DAYS);
            }
            let mut store = crate::cmd::open_store(&db)?;
            let (u, _) = store
                .user_by_name(&name)?
                .with_context(|| format!("no user named '{name}' (see tallyproof users list)"))?;
            let token = server::secret();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            store.add_token(
                &server::token_hash(&token),
                u.id,
                &label,
                now,
                now + days * 86_400,
            )?;
            println!("{token}");
        }
        Command::Assign {
            db,
            election,
            name,
            unit,
        } => {
            let mut store = crate::cmd::open_store(&db)?;
            let election = election_name(&store, election.as_deref())?;
            let (u, _) = store
                .user_by_name(&name)?
                .with_context(|| format!("no user named '{name}' (see tallyproof users list)"))?;
            let e = store::Store::load(&store, &election)?.election;
            let id = if unit.trim().is_empty() {
                e.units.root()
            } else {
                resolve(&e, &unit)?
            };
            store.assign(u.id, &election, id, None, crate::cmd::clock()?)?;
            // The store refuses a user who is neither an operator nor an observer.
            let does = match u.role {
                Role::Observer => "report the drawn stations of a quick count",
                _ => "enter protocols",
            };
            println!("{name} may {does} under '{}'", e.units.path(id));
        }
        Command::Phone {
            db,
            name,
            phone_key,
            country,
            trunk,
            remove,
        } => {
            let key = observe::phone::PhoneKey::new(&super::serve::read_secret(&phone_key)?)
                .with_context(|| phone_key.display().to_string())?;
            let dialling = observe::phone::Dialling { country, trunk };
            // The number is neither printed nor kept: an error says only that it is unreadable.
            let number =
                observe::phone::Phone::read(&phone()?, &dialling).context("the phone number")?;
            let mut store = crate::cmd::open_store(&db)?;
            if remove {
                match store.remove_phone(&key.pseudonym(&number), None)? {
                    true => println!("the phone is removed: its messages are no one's"),
                    false => println!("no observer holds this phone"),
                }
                return Ok(ExitCode::SUCCESS);
            }
            let (u, _) = store
                .user_by_name(&name)?
                .with_context(|| format!("no user named '{name}' (see tallyproof users list)"))?;
            store.set_phone(u.id, &key.pseudonym(&number), None)?;
            println!("{name}'s phone is registered for SMS reports (kept as a pseudonym only)");
        }
    }
    Ok(ExitCode::SUCCESS)
}
