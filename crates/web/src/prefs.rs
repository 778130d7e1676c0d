//! A reader's display settings, kept in cookies so they are remembered without an account:
//! language, elder mode (长辈版) and the last village opened. `/prefs` changes them and sends
//! the reader back; it works as a plain link, with no JavaScript.

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yangguang_core::RegionCode;

use crate::i18n::Lang;

pub const LANG_COOKIE: &str = "yg_lang";
pub const ELDER_COOKIE: &str = "yg_elder";
pub const VILLAGE_COOKIE: &str = "yg_village";
const ONE_YEAR: u32 = 365 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefs {
    pub lang: Lang,
    pub elder: bool,
    pub last_village: Option<RegionCode>,
    /// The site's address as this reader asked for it, for the absolute URL of the picture a
    /// shared link shows (`og:image`); part of the cache key with the settings.
    pub origin: Option<String>,
}

impl Prefs {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let origin = crate::pages::reader::request_origin(headers);
        let mut prefs = Prefs { lang: Lang::Zh, elder: false, last_village: None, origin };
        for value in headers.get_all(header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for pair in value.split(';') {
                let Some((name, v)) = pair.trim().split_once('=') else {
                    continue;
                };
                match (name, v) {
                    (LANG_COOKIE, "en") => prefs.lang = Lang::En,
                    (LANG_COOKIE, _) => prefs.lang = Lang::Zh,
                    (ELDER_COOKIE, v) => prefs.elder = v == "1",
                    (VILLAGE_COOKIE, v) => prefs.last_village = RegionCode::parse(v).ok().filter(|c| c.is_village()),
                    _ => {}
                }
            }
        }
        prefs
    }

    /// The part of a cache key that these settings contribute.
    pub fn variant(&self) -> &'static str {
        match (self.lang, self.elder) {
            (Lang::Zh, false) => "zh",
            (Lang::Zh, true) => "zh-elder",
            (Lang::En, false) => "en",
            (Lang::En, true) => "en-elder",
        }
    }
}

pub fn cookie(name: &str, value: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax; HttpOnly"))
        .expect("cookie values are ASCII")
}

/// Only same-site paths are allowed as a destination, so `/prefs` is no open redirect.
pub fn safe_back(back: Option<&str>) -> &str {
    match back {
        Some(b)
            if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') && !b.chars().any(char::is_control) =>
        {
            b
        }
        _ => "/",
    }
}

#[derive(Deserialize)]
pub struct PrefsQuery {
    lang: Option<String>,
    elder: Option<String>,
    back: Option<String>,
}

pub async fn set_prefs(Query(q): Query<PrefsQuery>) -> Response {
    let back = safe_back(q.back.as_deref());
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, back.to_owned())]).into_response();
    let h = response.headers_mut();
    if let Some(lang) = q.lang.as_deref() {
        h.append(header::SET_COOKIE, cookie(LANG_COOKIE, if lang == "en" { "en" } else { "zh" }));
    }
    if let Some(elder) = q.elder.as_deref() {
        h.append(header::SET_COOKIE, cookie(ELDER_COOKIE, if elder == "1" { "1" } else { "0" }));
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_and_garbage_ignored() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; yg_lang=en; yg_elder=1; yg_village=339921100201"));
        let p = Prefs::from_headers(&h);
        assert_eq!(
            (p.lang, p.elder, p.last_village.map(|c| c.to_string())),
            (Lang::En, true, Some("339921100201".into()))
        );
        h.insert(header::COOKIE, HeaderValue::from_static("yg_village=../../x; yg_elder=yes"));
        let p = Prefs::from_headers(&h);
        assert_eq!((p.lang, p.elder, p.last_village), (Lang::Zh, false, None));
    }

    #[test]
    fn only_local_paths_are_destinations() {
        assert_eq!(safe_back(Some("/v/339921100201")), "/v/339921100201");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil"] {
            assert_eq!(safe_back(Some(bad)), "/", "{bad}");
        }
    }
}
