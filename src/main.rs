//! The `portico` command: serve, demo, seed-demo, migrate, admin, token, bench.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use portico::config::Settings;
use portico::db::{self, Db, MspScope};
use portico::files::Files;
use portico::services::{self, demo};
use portico::App;

#[derive(Parser)]
#[command(name = "portico", version, about = "White-label client portal for managed IT service providers")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Do not apply database migrations at start (run `portico migrate` separately).
        #[arg(long)]
        no_migrate: bool,
    },
    /// Seed the demo data, then serve, printing the URL and the demo sign-ins.
    Demo,
    /// Put the demo data into the configured database and exit (safe to repeat).
    SeedDemo,
    /// Seed the benchmark's large customer (after seed-demo).
    #[command(hide = true)]
    SeedLargeTenant {
        #[arg(long, default_value_t = 50_000)]
        users: usize,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage MSPs and staff accounts.
    #[command(subcommand)]
    Admin(Admin),
    /// Create or revoke API tokens.
    #[command(subcommand)]
    Token(Token),
    /// Sync Microsoft 365 tenant data now, in the foreground, and print what changed.
    Sync {
        /// One customer's id; without it, every customer with a tenant ID.
        #[arg(long)]
        customer: Option<String>,
    },
    /// Measure throughput, latency, memory and start-up time of the release server.
    Bench {
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Users in the large customer's tenant (0: skip the large-tenant rows).
        #[arg(long, default_value_t = 50_000)]
        tenant_users: usize,
    },
}

#[derive(Subcommand)]
enum Admin {
    /// Create an MSP (the first one becomes the default for unknown hosts).
    CreateMsp {
        #[arg(long)]
        name: String,
        /// A host name that serves this MSP's portal, e.g. portal.example.com.
        #[arg(long)]
        domain: Option<String>,
        /// Make this the MSP served on hosts no MSP has claimed.
        #[arg(long)]
        default: bool,
    },
    /// Serve an MSP's portal on another host name.
    AddDomain {
        #[arg(long)]
        msp: String,
        #[arg(long)]
        domain: String,
    },
    /// Create a staff account. The password is read from standard input, or generated and printed.
    CreateStaff {
        #[arg(long)]
        msp: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "admin")]
        role: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Turn off two-factor sign-in for an account whose owner lost their authenticator.
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[arg(long)]
        email: String,
        #[arg(long)]
        msp: Option<String>,
    },
    /// Set a new password for an account (read from standard input, or generated and printed).
    ResetPassword {
        #[arg(long)]
        email: String,
        /// The MSP, when the address has accounts with several.
        #[arg(long)]
        msp: Option<String>,
    },
}

#[derive(Subcommand)]
enum Token {
    /// Print a new API token acting as the account with this email.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
        #[arg(long)]
        msp: Option<String>,
    },
    /// Revoke a token, given the token or its first 12 characters.
    Revoke { token: String },
}

/// argon2 needs 19 MiB per hash. glibc would keep that memory after the first sign-in
/// (its mmap threshold grows with the largest block freed); a fixed threshold makes such
/// blocks go straight back to the system, keeping an idle server small.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_os() {
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    const M_TRIM_THRESHOLD: i32 = -1;
    const M_MMAP_THRESHOLD: i32 = -3;
    // SAFETY: mallopt only sets allocator tunables; called before any other thread exists.
    // Fixing the mmap threshold also fixes the trim threshold, which must stay high or every
    // request would shrink and regrow the heap.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_os() {}

fn main() -> ExitCode {
    return_large_blocks_to_the_os();
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("portico: configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour codes only where a person reads them; a log file or journal gets plain text.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("portico: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("portico: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn connect(settings: &Settings) -> Result<Db, String> {
    let db = Db::connect(&settings.database_url, settings.db_pool_size)
        .await
        .map_err(|e| format!("database {}: {e}", portico::redact(&settings.database_url)))?;
    db::migrate::run(&db).await.map_err(|e| format!("migrations: {e}"))?;
    Ok(db)
}

/// For the commands that work on an existing deployment: a database that is missing or was
/// never migrated is refused by name, rather than created empty (which would only lead to
/// "no account").
async fn connect_migrated(settings: &Settings) -> Result<Db, String> {
    let name = portico::redact(&settings.database_url);
    let db = Db::connect_existing(&settings.database_url, settings.db_pool_size).await.map_err(|e| {
        format!("database {name}: {e} (set PORTICO_DATABASE_URL, or run `portico migrate` to create it)")
    })?;
    let version = db::migrate::version(&db).await.map_err(|e| format!("database {name}: {e}"))?;
    if version < db::migrate::LATEST {
        db.close().await;
        let what = if version == 0 {
            "has no Portico schema".to_string()
        } else {
            format!("is at schema version {version}, this portico needs {}", db::migrate::LATEST)
        };
        return Err(format!("database {name} {what}: run `portico migrate` first"));
    }
    Ok(db)
}

fn err(e: portico::error::AppError) -> String {
    e.message()
}

async fn run(command: Command, settings: Settings) -> Result<(), String> {
    match command {
        Command::Serve { no_migrate } => serve(settings, !no_migrate, false).await,
        Command::Demo => {
            let db = connect(&settings).await?;
            demo::seed(&db, &Files::local(&settings.data_dir)?).await.map_err(err)?;
            db.close().await;
            serve(settings, true, true).await
        }
        Command::SeedDemo => {
            let db = connect(&settings).await?;
            let changed = demo::seed(&db, &Files::local(&settings.data_dir)?).await.map_err(err)?;
            println!("{}", if changed { "Demo data seeded." } else { "Demo data already present; nothing changed." });
            Ok(())
        }
        Command::SeedLargeTenant { users } => {
            let db = connect(&settings).await?;
            let changed = demo::seed_large(&db, users.clamp(1, 500_000)).await.map_err(err)?;
            println!("{}", if changed { "Large tenant seeded." } else { "Large tenant already present." });
            Ok(())
        }
        Command::Migrate => {
            let db = Db::connect(&settings.database_url, 2).await.map_err(|e| e.to_string())?;
            let n = db::migrate::run(&db).await.map_err(|e| e.to_string())?;
            println!("Applied {n} migration(s); schema is at version {}.", db::migrate::LATEST);
            Ok(())
        }
        Command::Admin(a) => admin(a, &settings).await,
        Command::Token(t) => token(t, &settings).await,
        Command::Sync { customer } => sync(customer, &settings).await,
        Command::Bench { connections, seconds, tenant_users } => {
            portico::bench::run(portico::bench::BenchOptions {
                connections: connections.clamp(1, 1024),
                seconds: seconds.clamp(1, 120),
                tenant_users: tenant_users.min(500_000),
            })
            .await
        }
    }
}

async fn serve(settings: Settings, migrate: bool, demo_banner: bool) -> Result<(), String> {
    let app = App::build(settings.clone(), migrate).await?;
    let addr = app.local_addr();
    let url = settings.base_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    if demo_banner {
        println!("\nPortico demo is running at {url}\n");
        println!("  Customer portal: {url}/        Staff console: {url}/msp\n");
        println!("  Demo sign-ins (password for all: {}):", demo::PASSWORD);
        for (email, what) in demo::SIGN_INS {
            println!("    {email:<24} {what}");
        }
        println!("\nPress Ctrl+C to stop.\n");
    }
    tracing::info!(%addr, engine = app.state.db.engine(), "portico ready");
    app.run().await.map_err(|e| e.to_string())
}

async fn msp_by_name(db: &Db, name: &str) -> Result<MspScope, String> {
    db::msps::find_by_name(db, name)
        .await
        .map_err(|e| e.to_string())?
        .map(|m| MspScope(m.id))
        .ok_or(format!("no MSP named {name:?}"))
}

/// A password piped on standard input, or a generated one (printed) at a terminal.
fn password_from_stdin() -> Result<(String, bool), String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((portico::auth::password::generate(), true));
    }
    let mut s = String::new();
    stdin.lock().read_to_string(&mut s).map_err(|e| e.to_string())?;
    let p = s.lines().next().unwrap_or("").to_string();
    if p.is_empty() {
        Ok((portico::auth::password::generate(), true))
    } else {
        Ok((p, false))
    }
}

async fn account(db: &Db, email: &str, msp: Option<&str>) -> Result<db::users::UserRow, String> {
    let email = email.trim().to_lowercase();
    let mut found = db::users::find_by_email_any_msp(db, &email).await.map_err(|e| e.to_string())?;
    if let Some(name) = msp {
        let scope = msp_by_name(db, name).await?;
        found.retain(|u| u.msp_id == scope.0);
    }
    match found.len() {
        0 => Err(format!("no account with email {email}")),
        1 => Ok(found.remove(0)),
        _ => Err(format!("{email} has accounts with several MSPs; name one with --msp")),
    }
}

async fn admin(a: Admin, settings: &Settings) -> Result<(), String> {
    let db = connect_migrated(settings).await?;
    match a {
        Admin::CreateMsp { name, domain, default } => {
            services::msps::create(&db, &name, domain.as_deref(), default).await.map_err(err)?;
            println!("Created MSP {name}.");
        }
        Admin::AddDomain { msp, domain } => {
            let scope = msp_by_name(&db, &msp).await?;
            services::msps::add_domain(&db, scope, &domain).await.map_err(err)?;
            println!("{domain} now serves {msp}.");
        }
        Admin::CreateStaff { msp, email, role, name } => {
            let scope = msp_by_name(&db, &msp).await?;
            let (password, generated) = password_from_stdin()?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("Staff").to_string());
            let n = services::users::create_staff(&db, None, scope, &name, &email, &role, Some(password))
                .await
                .map_err(err)?;
            println!("Created {} ({}) for {msp}.", n.user.email, n.user.role);
            if generated {
                println!("Password: {}", n.password);
            }
        }
        Admin::Reset2fa { email, msp } => {
            let user = account(&db, &email, msp.as_deref()).await?;
            services::two_factor::reset(&db, MspScope(user.msp_id), user.id).await.map_err(err)?;
            println!("Two-factor sign-in is off for {}.", user.email);
        }
        Admin::ResetPassword { email, msp } => {
            let user = account(&db, &email, msp.as_deref()).await?;
            let (password, generated) = password_from_stdin()?;
            services::accounts::set_password(&db, MspScope(user.msp_id), user.id, &user.email, &password)
                .await
                .map_err(err)?;
            println!("Password for {} changed; their sessions were ended.", user.email);
            if generated {
                println!("Password: {password}");
            }
        }
    }
    Ok(())
}

async fn sync(customer: Option<String>, settings: &Settings) -> Result<(), String> {
    let db = connect_migrated(settings).await?;
    let graph = portico::integrations::graph::GraphClient::new(settings).map_err(|e| e.to_string())?;
    let every = time::Duration::minutes(settings.sync_minutes);
    let targets = db::customers::with_tenant(
        &db,
        customer
            .as_deref()
            .map(|c| c.parse::<uuid::Uuid>())
            .transpose()
            .map_err(|_| "--customer: not a customer id")?,
    )
    .await
    .map_err(|e| e.to_string())?;
    if targets.is_empty() {
        return Err("no customer with a Microsoft 365 tenant ID matches".into());
    }
    let mut failed = false;
    for customer in targets {
        println!("{}", customer.name);
        let scope = portico::policy::system_scope(&customer);
        let url = settings.base_url.clone().unwrap_or_else(|| format!("http://{}", settings.bind));
        let report = services::m365::sync::sync_customer(&db, &graph, settings.secret_key.as_ref(), scope, every, &url)
            .await
            .map_err(err)?;
        for (area, outcome) in &report.areas {
            match outcome {
                Ok(what) => println!("  {:<10} ok      {what}", area.key()),
                Err(why) => {
                    failed = true;
                    println!("  {:<10} FAILED  {why}", area.key());
                }
            }
        }
        for change in &report.changes {
            println!("  changed    {change}");
        }
    }
    if failed {
        Err("some areas failed (see above); what they had before is kept".into())
    } else {
        Ok(())
    }
}

async fn token(t: Token, settings: &Settings) -> Result<(), String> {
    let db = connect_migrated(settings).await?;
    match t {
        Token::Create { email, name, msp } => {
            let user = account(&db, &email, msp.as_deref()).await?;
            let t = services::tokens::create_for(&db, MspScope(user.msp_id), user.id, &name).await.map_err(err)?;
            println!("{}", t.token);
        }
        Token::Revoke { token } => {
            let prefix: String = token.chars().take(12).collect();
            let n =
                db::tokens::revoke_by_prefix(&db, &prefix, portico::model::now()).await.map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("no live token with that prefix".into());
            }
            println!("Revoked {n} token(s).");
        }
    }
    Ok(())
}
