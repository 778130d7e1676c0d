//! `/verify`: how anyone can check that what was published was not changed or removed —
//! the platform's public key, the latest signed checkpoint, and the commands to run.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use yangguang_core::publication::Checkpoint;

use super::{Crumb, Layout, Scope, cached};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    public_key: String,
    entries: i64,
    checkpoint: Option<Checkpoint>,
    checkpoint_at: String,
}

pub async fn verify_page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    cached(&state, &headers, &prefs, &uri, Scope::Log, || async {
        let t = prefs.lang.texts();
        let checkpoint = state.site.store.list_checkpoints(1).await?.into_iter().next();
        let entries = state.site.store.log_head().await?.map_or(0, |h| h.seq);
        let home = state.site.regions().home().map(|h| h.name.clone()).unwrap_or_default();
        let page = VerifyPage {
            layout: Layout::new(
                &prefs,
                super::path_and_query(&uri),
                t.verify_title.into(),
                t.verify_intro.into(),
                vec![
                    Crumb { label: home, href: Some("/?all=1".into()) },
                    Crumb { label: t.verify_title.into(), href: None },
                ],
            ),
            public_key: state.site.key.public_hex.clone(),
            entries,
            checkpoint_at: checkpoint.as_ref().map(|c| yangguang_core::time::format_china(c.at)).unwrap_or_default(),
            checkpoint,
        };
        Ok(page.render()?)
    })
    .await
}
