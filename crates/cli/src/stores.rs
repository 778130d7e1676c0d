//! Chooses and opens the store: a `postgres://` URL selects PostgreSQL, anything else (or
//! nothing) the SQLite file `<data dir>/yangguang.db`.

use std::path::Path;
use std::sync::Arc;

use yangguang_store::Store;
use yangguang_store_postgres::PostgresStore;
use yangguang_store_sqlite::SqliteStore;

use yangguang_app::AppError;

/// Opens the configured store and applies its migrations.
pub async fn open_store(database: Option<&str>, data_dir: &Path) -> Result<Arc<dyn Store>, AppError> {
    let store: Arc<dyn Store> = match database {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Arc::new(PostgresStore::connect(url).await.map_err(|e| {
                AppError::Database(format!("{}: {}", redact(url), yangguang_app::redact::in_text(&e.to_string())))
            })?)
        }
        Some(url) if url.starts_with("sqlite:") => {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            Arc::new(SqliteStore::open(Path::new(path)).await.map_err(|e| AppError::Database(format!("{path}: {e}")))?)
        }
        Some(other) => {
            return Err(AppError::Database(format!(
                "不支持的数据库地址 “{}”，应以 postgres:// 或 sqlite: 开头 / unsupported database URL",
                redact(other)
            )));
        }
        None => {
            let path = data_dir.join("yangguang.db");
            Arc::new(
                SqliteStore::open(&path).await.map_err(|e| AppError::Database(format!("{}: {e}", path.display())))?,
            )
        }
    };
    store.migrate().await.map_err(|e| AppError::Database(e.to_string()))?;
    Ok(store)
}

/// A database URL with its credentials replaced, for messages and logs (the one rule for
/// every URL, `yangguang_app::redact::url`).
pub fn redact(url: &str) -> String {
    yangguang_app::redact::url(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@db:5432/x"), "postgres://u:***@db:5432/x");
        assert_eq!(redact("postgres://db/x"), "postgres://db/x");
        assert_eq!(redact("postgres://db/x?password=secret"), "postgres://db/x?password=***");
    }
}
