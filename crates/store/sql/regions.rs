//! The region tree.

use super::prelude::*;

#[async_trait]
impl RegionStore for Backend {
    async fn upsert_regions(&self, regions: &[Region]) -> StoreResult<()> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        for r in regions {
            sqlx::query(
                "INSERT INTO region (region_code, name, parent_code, kind) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (region_code) DO UPDATE
                 SET name = excluded.name, parent_code = excluded.parent_code, kind = excluded.kind",
            )
            .bind(r.code.to_string())
            .bind(&r.name)
            .bind(r.parent.map(|p| p.to_string()))
            .bind(r.kind.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        sqlx::query("SELECT region_code, name, parent_code, kind FROM region ORDER BY region_code")
            .fetch_all(self.reader())
            .await
            .map_err(map_err)?
            .iter()
            .map(region_from_row)
            .collect()
    }

    async fn get_region(&self, code: RegionCode) -> StoreResult<Region> {
        let row = sqlx::query("SELECT region_code, name, parent_code, kind FROM region WHERE region_code = $1")
            .bind(code.to_string())
            .fetch_one(self.reader())
            .await
            .map_err(map_err)?;
        region_from_row(&row)
    }
}
