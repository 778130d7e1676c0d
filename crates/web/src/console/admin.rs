//! Supervision and administration: the audit trail, staff accounts (create, revoke their
//! sessions, disable), and signing a checkpoint of the publication log.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use yangguang_app::AppError;
use yangguang_app::auth::{self, SignedIn};
use yangguang_app::i18n::Label;
use yangguang_core::RegionCode;
use yangguang_core::staff::{ALL_ROLES, Grant, Role};

use super::{Nav, done, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, NoFields, SignedInStaff, Staff, StaffRejection, client_ip, staff_session};

/// A signed-in platform admin: account management takes this. Anyone else signed in is
/// refused, naming the role it needs.
pub struct Admin(pub SignedIn);

impl FromRequestParts<AppState> for Admin {
    type Rejection = StaffRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let who = staff_session(state, &parts.headers, false).await?;
        if !who.grants().is_admin() {
            return Err(StaffRejection::Refused(WebError::Forbidden(
                "账号管理需要平台管理员角色 / account management needs the platform admin role".into(),
            )));
        }
        Ok(Self(who))
    }
}

impl SignedInStaff for Admin {
    fn signed_in(&self) -> &SignedIn {
        &self.0
    }
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    layout: Layout,
    nav: Nav,
    total: u64,
    rows: Vec<(String, String, String, String, String, String)>,
    page: u32,
    has_next: bool,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

pub async fn audit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    if !who.grants().can_read_audit() {
        return Err(WebError::Forbidden(
            "审计记录仅平台管理员和纪委监委可查看 / the audit trail is for admins and the discipline commission".into(),
        ));
    }
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let list = state.site.store.list_audit(page, 50).await?;
    auth::audit(&state.site, Some(&who.staff), &client_ip(&headers), "view-audit", "audit", &format!("page {page}"))
        .await;
    let view = AuditPage {
        layout: layout(&headers, "审计记录"),
        nav: nav(&who, &headers),
        total: list.total,
        has_next: u64::from(page) < u64::from(list.page_count()),
        rows: list
            .items
            .into_iter()
            .map(|a| (yangguang_core::time::format_china(a.at), a.staff_name, a.action, a.target, a.detail, a.ip))
            .collect(),
        page,
    };
    render(&state, &headers, StatusCode::OK, &view)
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub roles: String,
    pub disabled: bool,
    /// The masked number for the digest, or "—".
    pub phone: String,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    layout: Layout,
    nav: Nav,
    error: String,
    created: String,
    roles: Vec<(&'static str, &'static str)>,
    users: Vec<UserRow>,
}

async fn users_view(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    error: &str,
    created: &str,
) -> Result<Response, WebError> {
    let users = state
        .site
        .store
        .list_staff()
        .await?
        .into_iter()
        .filter(|s| s.password_hash != "!")
        .map(|s| UserRow {
            id: s.id,
            username: s.username,
            name: s.display_name,
            roles: s
                .grants
                .iter()
                .map(|g| format!("{}@{}", g.role.zh(), village_name(state, g.region)))
                .collect::<Vec<_>>()
                .join("、"),
            disabled: s.disabled,
            phone: s.phone.as_deref().map(yangguang_core::household::mask_phone).unwrap_or_else(|| "—".into()),
        })
        .collect();
    let page = UsersPage {
        layout: layout(headers, "账号管理"),
        nav: nav(who, headers),
        error: yangguang_app::i18n::pick(error, crate::prefs::Prefs::from_headers(headers).lang).into(),
        created: created.into(),
        roles: ALL_ROLES.iter().map(|r| (r.as_str(), r.zh())).collect(),
        users,
    };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    render(state, headers, status, &page)
}

pub async fn users_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Admin(who): Admin,
) -> Result<Response, WebError> {
    users_view(&state, &headers, &who, "", "").await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    name: String,
    role: String,
    region: String,
    #[serde(default)]
    phone: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Admin(who), f): CsrfForm<NewUserForm, Admin>,
) -> Result<Response, WebError> {
    let grant = (|| {
        let role = Role::parse(&f.role).ok_or_else(|| "未知角色".to_owned())?;
        let region = RegionCode::parse(&f.region).map_err(|e| e.to_string())?;
        Grant::new(role, region).map_err(|e| e.to_string())
    })();
    let grant = match grant {
        Ok(g) => g,
        Err(m) => return users_view(&state, &headers, &who, &m, "").await,
    };
    // Checked before the account exists, so a mistyped number creates nothing.
    if let Err(AppError::Field { message, .. }) = yangguang_app::notify::parse_phone(&f.phone) {
        return users_view(&state, &headers, &who, &message, "").await;
    }
    match auth::create_staff(&state.site, &f.username, &f.name, vec![grant]).await {
        Ok((id, password)) => {
            if !f.phone.trim().is_empty() {
                yangguang_app::notify::set_phone(&state.site, &who.staff, id, &f.phone, &client_ip(&headers)).await?;
            }
            auth::audit(
                &state.site,
                Some(&who.staff),
                &client_ip(&headers),
                "role-granted",
                &f.username,
                &format!("{}@{}", grant.role, grant.region),
            )
            .await;
            let created =
                format!("已创建账号 {}，一次性密码：{password}（首次登录须修改，请当面交给本人）", f.username.trim());
            users_view(&state, &headers, &who, "", &created).await
        }
        Err(AppError::Invalid(m)) => users_view(&state, &headers, &who, &m, "").await,
        Err(e) => Err(e.into()),
    }
}

/// Ends a staff member's sessions, and with `disable` also their account.
async fn user_action(
    state: AppState,
    headers: HeaderMap,
    id: String,
    who: SignedIn,
    disable: bool,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let mut staff = state.site.store.get_staff(id).await?;
    let ip = client_ip(&headers);
    if disable {
        staff.disabled = true;
        state.site.store.update_staff(&staff).await?;
        auth::audit(&state.site, Some(&who.staff), &ip, "account-disabled", &staff.username, "").await;
    }
    let n = state.site.store.revoke_sessions(id).await?;
    auth::audit(&state.site, Some(&who.staff), &ip, "sessions-revoked", &staff.username, &format!("{n} sessions"))
        .await;
    Ok(done(&headers, "/console/users", &format!("已处理账号 {}（注销 {n} 个登录）。", staff.username)))
}

pub async fn revoke_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Admin(who), NoFields {}): CsrfForm<NoFields, Admin>,
) -> Result<Response, WebError> {
    user_action(state, headers, id, who, false).await
}

pub async fn disable_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Admin(who), NoFields {}): CsrfForm<NoFields, Admin>,
) -> Result<Response, WebError> {
    user_action(state, headers, id, who, true).await
}

pub async fn checkpoint(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    if !who.grants().can_checkpoint() {
        return Err(WebError::Forbidden("签署检查点需要平台管理员或县运维角色".into()));
    }
    let cp = yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await?;
    auth::audit(
        &state.site,
        Some(&who.staff),
        &client_ip(&headers),
        "checkpoint",
        "log",
        &cp.as_ref().map_or(0, |c| c.tree_size).to_string(),
    )
    .await;
    Ok(done(
        &headers,
        "/console",
        &cp.map_or("公开记录为空。".into(), |c| format!("已签署检查点：共 {} 条记录。", c.tree_size)),
    ))
}
