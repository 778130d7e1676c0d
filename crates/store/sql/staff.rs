//! Staff accounts, grants, sessions, login failures, the audit trail and integration tokens.

use super::prelude::*;
use yangguang_store::LoginLimits;

impl Backend {
    async fn grants_of(&self, staff_id: i64) -> StoreResult<Vec<yangguang_core::staff::Grant>> {
        sqlx::query("SELECT role, region_code FROM staff_grant WHERE staff_id = $1 ORDER BY role, region_code")
            .bind(staff_id)
            .fetch_all(self.reader())
            .await
            .map_err(map_err)?
            .iter()
            .map(|r| decode::grant(r.get("role"), r.get("region_code")))
            .collect()
    }
}

#[async_trait]
impl StaffStore for Backend {
    async fn create_staff(&self, new: &NewStaff) -> StoreResult<i64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO staff (username, display_name, password_hash, must_change_password, created_at, phone)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING staff_id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(new.must_change_password)
        .bind(new.created_at)
        .bind(&new.phone)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        for g in &new.grants {
            sqlx::query("INSERT INTO staff_grant (staff_id, role, region_code) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(g.role.as_str())
                .bind(g.region.to_string())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn get_staff(&self, id: i64) -> StoreResult<Staff> {
        let row = sqlx::query(concat!("SELECT ", staff_columns!(), " FROM staff WHERE staff_id = $1"))
            .bind(id)
            .fetch_one(self.reader())
            .await
            .map_err(map_err)?;
        Ok(staff_from_row(&row, self.grants_of(id).await?))
    }

    async fn find_staff(&self, username: &str) -> StoreResult<Option<Staff>> {
        let row = sqlx::query(concat!("SELECT ", staff_columns!(), " FROM staff WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?;
        match row {
            None => Ok(None),
            Some(row) => {
                let grants = self.grants_of(row.get("staff_id")).await?;
                Ok(Some(staff_from_row(&row, grants)))
            }
        }
    }

    async fn list_staff(&self) -> StoreResult<Vec<Staff>> {
        let rows = sqlx::query(concat!("SELECT ", staff_columns!(), " FROM staff ORDER BY username"))
            .fetch_all(self.reader())
            .await
            .map_err(map_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(staff_from_row(row, self.grants_of(row.get("staff_id")).await?));
        }
        Ok(out)
    }

    async fn update_staff(&self, s: &Staff) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let changed = sqlx::query(
            "UPDATE staff SET display_name = $1, password_hash = $2, must_change_password = $3, totp_secret = $4,
                              disabled = $5, phone = $7
             WHERE staff_id = $6",
        )
        .bind(&s.display_name)
        .bind(&s.password_hash)
        .bind(s.must_change_password)
        .bind(&s.totp_secret)
        .bind(s.disabled)
        .bind(s.id)
        .bind(&s.phone)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM staff_grant WHERE staff_id = $1")
            .bind(s.id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        for g in &s.grants {
            sqlx::query("INSERT INTO staff_grant (staff_id, role, region_code) VALUES ($1, $2, $3)")
                .bind(s.id)
                .bind(g.role.as_str())
                .bind(g.region.to_string())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn create_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO session (token_hash, staff_id, csrf_token, created_at, expires_at, revoked, ip)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.token_hash)
        .bind(s.staff_id)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(s.revoked)
        .bind(&s.ip)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn get_session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query(concat!("SELECT ", session_columns!(), " FROM session WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)?;
        Ok(row.map(|r| Session {
            token_hash: r.get("token_hash"),
            staff_id: r.get("staff_id"),
            csrf_token: r.get("csrf_token"),
            created_at: r.get("created_at"),
            expires_at: r.get("expires_at"),
            revoked: r.get("revoked"),
            ip: r.get("ip"),
        }))
    }

    async fn revoke_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE session SET revoked = TRUE WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn revoke_sessions(&self, staff_id: i64) -> StoreResult<u64> {
        Ok(sqlx::query("UPDATE session SET revoked = TRUE WHERE staff_id = $1 AND NOT revoked")
            .bind(staff_id)
            .execute(self.writer())
            .await
            .map_err(map_err)?
            .rows_affected())
    }

    async fn record_login_failure(&self, username: &str, ip: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failure (username, ip, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(ip)
            .bind(at)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn claim_login_attempt(
        &self,
        username: &str,
        ip: &str,
        since: DateTime<Utc>,
        limits: LoginLimits,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        // Always the account's lock before the address's, so two claims never wait on each other.
        dialect::lock_login(&mut tx, 0, username).await?;
        dialect::lock_login(&mut tx, 1, ip).await?;
        let (by_account, by_address): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM login_failure WHERE username = $1 AND at >= $3),
                    (SELECT COUNT(*) FROM login_failure WHERE ip = $2 AND at >= $3)",
        )
        .bind(username)
        .bind(ip)
        .bind(since)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        if by_account as u64 >= limits.per_account || by_address as u64 >= limits.per_address {
            tx.commit().await.map_err(map_err)?;
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO login_failure (username, ip, at) VALUES ($1, $2, $3) RETURNING login_failure_id",
        )
        .bind(username)
        .bind(ip)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Some(id))
    }

    async fn forget_login_attempt(&self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failure WHERE login_failure_id = $1")
            .bind(id)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn claim_totp_step(&self, staff_id: i64, step: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE staff SET totp_last_step = $2
             WHERE staff_id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(staff_id)
        .bind(step)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn count_login_failures(
        &self,
        username: Option<&str>,
        ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failure WHERE at >= $1 AND (username = $2 OR ip = $3)")
                .bind(since)
                .bind(username)
                .bind(ip)
                .fetch_one(self.reader())
                .await
                .map_err(map_err)?;
        Ok(n as u64)
    }

    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit (at, staff_id, staff_name, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.at)
        .bind(e.staff_id)
        .bind(&e.staff_name)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.detail)
        .bind(&e.ip)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn create_token(&self, t: &IntegrationToken) -> StoreResult<()> {
        let regions: Vec<String> = t.regions.iter().map(|r| r.to_string()).collect();
        sqlx::query("INSERT INTO integration_token (token_hash, name, regions, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&t.token_hash)
            .bind(&t.name)
            .bind(regions.join(" "))
            .bind(t.created_at)
            .execute(self.writer())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<IntegrationToken>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM integration_token WHERE token_hash = $1 AND NOT revoked"
        ))
        .bind(token_hash)
        .fetch_optional(self.reader())
        .await
        .map_err(map_err)?;
        row.map(|r| {
            let regions: String = r.get("regions");
            Ok(IntegrationToken {
                token_hash: r.get("token_hash"),
                name: r.get("name"),
                regions: regions.split_whitespace().map(decode::code).collect::<StoreResult<_>>()?,
                created_at: r.get("created_at"),
            })
        })
        .transpose()
    }

    async fn list_audit(&self, page: u32, per_page: u32) -> StoreResult<Page<AuditEntry>> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit").fetch_one(self.reader()).await.map_err(map_err)?;
        let rows =
            sqlx::query(concat!("SELECT ", audit_columns!(), " FROM audit ORDER BY audit_id DESC LIMIT $1 OFFSET $2"))
                .bind(i64::from(per_page))
                .bind(i64::from(page.max(1) - 1) * i64::from(per_page))
                .fetch_all(self.reader())
                .await
                .map_err(map_err)?;
        let items = rows
            .iter()
            .map(|r| AuditEntry {
                at: r.get("at"),
                staff_id: r.get("staff_id"),
                staff_name: r.get("staff_name"),
                action: r.get("action"),
                target: r.get("target"),
                detail: r.get("detail"),
                ip: r.get("ip"),
            })
            .collect();
        Ok(Page { items, total: total as u64, page: page.max(1), per_page })
    }
}
