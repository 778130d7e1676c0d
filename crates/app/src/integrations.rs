//! Machines that push data: each has a token scoped to its regions (the assets platform of a
//! county, say). The secret is shown once; only its hash is stored.

use chrono::Utc;
use yangguang_core::RegionCode;
use yangguang_core::staff::Grant;
use yangguang_store::IntegrationToken;

use crate::auth::{random_token, token_hash};
use crate::{AppError, Site};

/// Creates a token for `regions`; returns the secret, to be given to the integrator once.
pub async fn create_token(site: &Site, name: &str, regions: Vec<RegionCode>) -> Result<String, AppError> {
    if name.trim().is_empty() || regions.is_empty() {
        return Err(AppError::Invalid("令牌需要名称和至少一个区划 / a token needs a name and regions".into()));
    }
    for r in &regions {
        if site.regions().get(*r).is_none() {
            return Err(AppError::Invalid(format!("区划 {r} 不存在 / unknown region")));
        }
    }
    let secret = format!("ygt_{}", random_token());
    let token =
        IntegrationToken { token_hash: token_hash(&secret), name: name.trim().into(), regions, created_at: Utc::now() };
    site.store.create_token(&token).await?;
    crate::auth::audit(site, None, "-", "token-created", &token.name, "").await;
    Ok(secret)
}

/// The token behind an `Authorization: Bearer …` secret, if it may write to `village`.
pub async fn authorize(site: &Site, secret: Option<&str>, village: RegionCode) -> Result<IntegrationToken, AppError> {
    let secret = secret.ok_or_else(|| {
        AppError::Forbidden("缺少令牌：请在 Authorization 头中提供 Bearer 令牌 / missing token".into())
    })?;
    let token = site
        .store
        .find_token(&token_hash(secret))
        .await?
        .ok_or_else(|| AppError::Forbidden("令牌无效或已撤销 / unknown or revoked token".into()))?;
    // A token's regions are granted like a county or town role: they reach the villages below.
    let reaches = token
        .regions
        .iter()
        .any(|r| Grant { role: yangguang_core::staff::Role::CountyOperator, region: *r }.covers(village));
    if !reaches {
        return Err(AppError::Forbidden(format!(
            "令牌“{}”无权写入 {village} / the token does not cover this village",
            token.name
        )));
    }
    Ok(token)
}
