//! `/verify`: how anyone can check that what was published was not changed or removed — the
//! log's name and key, the latest checkpoint and its witnesses, where every byte is served,
//! how to check one item by hand or the whole log with `yangguang verify --mirror`, and the
//! older hash chain's checkpoint. Also the in-browser check of one item (`assets/check.js`,
//! with the page language's texts) and the Ed25519 verifier it may load, served on demand.

use std::sync::LazyLock;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use yangguang_app::transparency;
use yangguang_core::publication::Checkpoint;

use super::{Crumb, Layout, Scope, cached};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::prefs::Prefs;

/// A witness as the page lists it.
pub struct WitnessView {
    pub name: String,
    pub key: String,
    pub url: String,
}

/// A cosignature on the latest checkpoint: who, with which key, when.
pub struct CosignView {
    pub name: String,
    pub key: String,
    pub at: String,
}

/// The latest checkpoint of the tree.
pub struct LatestView {
    pub size: i64,
    pub signed_at: String,
    pub note: String,
    pub cosigned: Vec<CosignView>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    origin: String,
    vkey: String,
    latest: Option<LatestView>,
    witnesses: Vec<WitnessView>,
    /// `yangguang verify --mirror …` with this log's key and its witnesses'.
    command_key: String,
    command_witnesses: String,
    /// The hash chain's state: its key (hex), length and last checkpoint.
    public_key: String,
    entries: i64,
    checkpoint: Option<Checkpoint>,
    checkpoint_at: String,
}

pub async fn verify_page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    cached(&state, &headers, &prefs, &uri, Scope::Log, || async {
        let t = prefs.lang.texts();
        let site = &state.site;
        let id = transparency::identity(site).await?;
        let latest = transparency::latest(site).await?.map(|cp| LatestView {
            size: cp.tree_size,
            signed_at: yangguang_core::time::format_china(cp.signed_at),
            cosigned: transparency::cosigners(site, &cp.note)
                .into_iter()
                .map(|(name, at)| CosignView {
                    key: site.log.witnesses.iter().find(|w| w.name == name).map(|w| w.vkey.clone()).unwrap_or_default(),
                    name,
                    at: yangguang_core::time::format_china(at),
                })
                .collect(),
            note: cp.note,
        });
        let witnesses: Vec<WitnessView> = site
            .log
            .witnesses
            .iter()
            .map(|w| WitnessView { name: w.name.clone(), key: w.vkey.clone(), url: w.url.clone() })
            .collect();
        let command_witnesses: String = witnesses.iter().map(|w| format!(" --witness '{}'", w.key)).collect();
        let checkpoint = site.store.list_checkpoints(1).await?.into_iter().next();
        let entries = site.store.log_head().await?.map_or(0, |h| h.seq);
        let home = site.regions().home().map(|h| h.name.clone()).unwrap_or_default();
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
            origin: id.origin.clone(),
            command_key: format!(" --key '{}'", id.vkey()),
            vkey: id.vkey(),
            latest,
            witnesses,
            command_witnesses,
            public_key: site.key.public_hex.clone(),
            entries,
            checkpoint_at: checkpoint.as_ref().map(|c| yangguang_core::time::format_china(c.at)).unwrap_or_default(),
            checkpoint,
        };
        Ok(page.render()?)
    })
    .await
}

const CHECK_JS: &str = include_str!("../../assets/check.js");
const NOBLE_ED25519_JS: &str = include_str!("../../assets/noble-ed25519-3.2.0.js");

/// The scripts the in-browser check needs, none of them part of any page: each is fetched only
/// when a reader taps 在本机核验. Their names carry a hash of their bytes, so they are cached
/// for a year and a new release is fetched anew.
struct CheckAssets {
    /// (file name under `/assets/`, bytes).
    files: Vec<(String, Bytes)>,
    zh: String,
    en: String,
}

static CHECK_ASSETS: LazyLock<CheckAssets> = LazyLock::new(|| {
    let name = |stem: &str, ext: &str, bytes: &str| {
        format!("{stem}-{}.{ext}", &hex::encode(Sha256::digest(bytes.as_bytes()))[..12])
    };
    let ed = name("noble-ed25519-3.2.0", "js", NOBLE_ED25519_JS);
    let script = |lang: Lang| {
        let texts = check_texts(lang);
        let ed_url = serde_json::to_string(&format!("/assets/{ed}")).expect("a string serialises");
        format!("window.YG_T={texts};window.YG_ED={ed_url};\n{CHECK_JS}")
    };
    let (zh_js, en_js) = (script(Lang::Zh), script(Lang::En));
    let zh = name("check", "zh.js", &zh_js);
    let en = name("check", "en.js", &en_js);
    CheckAssets {
        files: vec![
            (ed, Bytes::from_static(NOBLE_ED25519_JS.as_bytes())),
            (zh.clone(), zh_js.into()),
            (en.clone(), en_js.into()),
        ],
        zh: format!("/assets/{zh}"),
        en: format!("/assets/{en}"),
    }
});

/// The texts the check writes, from the i18n table.
fn check_texts(lang: Lang) -> serde_json::Value {
    let t = lang.texts();
    serde_json::json!({
        "check_running": t.check_running,
        "check_ok": t.check_ok,
        "check_ok_content": t.check_ok_content,
        "check_ok_tree": t.check_ok_tree,
        "check_ok_witness": t.check_ok_witness,
        "check_ok_no_witness": t.check_ok_no_witness,
        "check_ok_meaning": t.check_ok_meaning,
        "check_ok_meaning_alone": t.check_ok_meaning_alone,
        "check_failed": t.check_failed,
        "check_failed_advice": t.check_failed_advice,
        "check_fail_fetch": t.check_fail_fetch,
        "check_fail_content": t.check_fail_content,
        "check_fail_page": t.check_fail_page,
        "check_fail_id": t.check_fail_id,
        "check_fail_leaf": t.check_fail_leaf,
        "check_fail_proof": t.check_fail_proof,
        "check_fail_size": t.check_fail_size,
        "check_fail_origin": t.check_fail_origin,
        "check_fail_signature": t.check_fail_signature,
        "check_fail_witness": t.check_fail_witness,
        "check_fail_crypto": t.check_fail_crypto,
        "check_fail_error": t.check_fail_error,
    })
}

/// The address of the in-browser check in a page's language.
pub fn check_script(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => &CHECK_ASSETS.zh,
        Lang::En => &CHECK_ASSETS.en,
    }
}

/// `/assets/{file}`: the check's scripts, immutable under their hashed names.
pub async fn asset(Path(file): Path<String>) -> Result<Response, WebError> {
    let (_, body) = CHECK_ASSETS.files.iter().find(|(name, _)| *name == file).ok_or(WebError::NotFound)?;
    let mut response = (StatusCode::OK, body.clone()).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}
