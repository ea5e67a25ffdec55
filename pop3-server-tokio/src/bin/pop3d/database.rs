//! `pop3d migrate`, and the runtime and database checks the other
//! PostgreSQL commands share.

use std::process::ExitCode;

use pop3_server_tokio::config;
use pop3_server_tokio::store::postgres::{self, PostgresStore};

use crate::cli::StoreArgs;

/// A single-threaded runtime for a short command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

/// Fails unless the database's schema is the one this build expects.
pub(crate) async fn check_schema(store: &PostgresStore) -> Result<(), String> {
    let client = store
        .connect()
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let current = postgres::current(&client)
        .await
        .map_err(|e| format!("cannot read the schema version: {e}"))?;
    let latest = postgres::latest();
    match current.cmp(&latest) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Less => Err(format!(
            "database schema is at version {current}, this pop3d needs {latest}: run `pop3d migrate`"
        )),
        std::cmp::Ordering::Greater => Err(format!(
            "database schema is at version {current}, newer than this pop3d knows ({latest})"
        )),
    }
}

pub(crate) fn migrate(args: &StoreArgs) -> ExitCode {
    match run_migrate(args) {
        Ok(applied) if applied.is_empty() => {
            println!(
                "pop3d migrate: schema is up to date (version {})",
                postgres::latest()
            );
            ExitCode::SUCCESS
        }
        Ok(applied) => {
            println!("pop3d migrate: applied {applied:?}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("pop3d migrate: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_migrate(args: &StoreArgs) -> Result<Vec<i32>, String> {
    let (file, over) = args.load()?;
    let url = config::database_url(&file, &over, "store").map_err(|e| e.to_string())?;
    let store = PostgresStore::new(&url).map_err(|e| e.to_string())?;
    runtime()?.block_on(async {
        let mut client = store
            .connect()
            .await
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        postgres::migrate(&mut client)
            .await
            .map_err(|e| format!("migration failed (nothing applied): {e}"))
    })
}
