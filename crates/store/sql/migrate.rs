//! Migrations and the rest of the `Store` trait. Each applied migration's checksum is kept, so
//! that a migration file edited after it ran somewhere is caught at start, not silently skipped.

use sha2::{Digest, Sha256};

use super::prelude::*;

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Checks the applied migrations against this program's and applies the pending ones.
pub(super) async fn apply(conn: &mut DbConn, migrations: &[yangguang_store::Migration]) -> StoreResult<()> {
    (&mut *conn).execute(dialect::MIGRATION_TABLE).await.map_err(map_err)?;
    dialect::ensure_checksum_column(conn).await?;
    let applied: Vec<(i64, Option<String>)> = sqlx::query_as("SELECT version, checksum FROM schema_migration")
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
    for (version, stored) in &applied {
        let Some((_, sql)) = migrations.iter().find(|(v, _)| v == version) else {
            return Err(StoreError::Schema(format!(
                "数据库已应用第 {version} 号迁移，本程序没有它：数据库由更新的版本创建，请使用该版本 / \
                 the database has migration {version}, which this program does not know: it was made by a newer version"
            )));
        };
        let expected = checksum(sql);
        match stored {
            // Applied by a version that kept no checksums: trust it from now on.
            None => {
                sqlx::query("UPDATE schema_migration SET checksum = $1 WHERE version = $2")
                    .bind(&expected)
                    .bind(version)
                    .execute(&mut *conn)
                    .await
                    .map_err(map_err)?;
            }
            Some(found) if *found != expected => {
                return Err(StoreError::Schema(format!(
                    "第 {version} 号迁移文件在应用到本数据库之后被修改过（校验和 {found} ≠ {expected}）：请恢复原文件，\
                     改动应写成新的迁移 / migration {version} was edited after it was applied to this database; \
                     restore the original file and put the change in a new migration"
                )));
            }
            Some(_) => {}
        }
    }
    for &(version, sql) in migrations {
        if applied.iter().any(|(v, _)| *v == version) {
            continue;
        }
        (&mut *conn).execute(sql).await.map_err(map_err)?;
        sqlx::query("INSERT INTO schema_migration (version, checksum) VALUES ($1, $2)")
            .bind(version)
            .bind(checksum(sql))
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

#[async_trait]
impl Store for Backend {
    async fn migrate(&self) -> StoreResult<()> {
        // All pending migrations in one transaction (DDL is transactional in both databases): a
        // failed one leaves the schema as it was. Under the migration lock, one of several app
        // servers starting together migrates while the others wait.
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        dialect::lock_migrations(&mut tx).await?;
        apply(&mut tx, crate::sql::MIGRATIONS).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn backup_into(&self, dest: &std::path::Path) -> StoreResult<()> {
        let mut conn = self.reader().acquire().await.map_err(map_err)?;
        dialect::backup_into(&mut conn, dest).await
    }

    async fn integrity_check(&self) -> StoreResult<Vec<String>> {
        let mut conn = self.writer().acquire().await.map_err(map_err)?;
        dialect::integrity_check(&mut conn).await
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        match dialect::REFRESH_STATISTICS {
            Some(sql) => sqlx::query(sql).execute(self.writer()).await.map(|_| ()).map_err(map_err),
            None => Ok(()),
        }
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.reader()).await.map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        dialect::NAME
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Run by each backend on a migrated store: an applied migration whose text changed is
    /// refused at the next start, naming it; one recorded without a checksum is accepted.
    pub(crate) async fn edited_migration_is_refused(store: &Backend) {
        sqlx::query("UPDATE schema_migration SET checksum = NULL WHERE version = 1")
            .execute(store.writer())
            .await
            .unwrap();
        store.migrate().await.expect("a migration applied before checksums were kept is accepted");
        let stored: String = sqlx::query_scalar("SELECT checksum FROM schema_migration WHERE version = 1")
            .fetch_one(store.reader())
            .await
            .unwrap();
        assert_eq!(stored, checksum(crate::sql::MIGRATIONS[0].1));

        sqlx::query("UPDATE schema_migration SET checksum = 'edited' WHERE version = 2")
            .execute(store.writer())
            .await
            .unwrap();
        let err = store.migrate().await.unwrap_err();
        assert!(matches!(&err, StoreError::Schema(m) if m.contains("migration 2 was edited")), "{err}");
    }
}
