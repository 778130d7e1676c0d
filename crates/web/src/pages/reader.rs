//! What the villager-facing pages share beyond their layout: tap-to-call links, the address
//! of the picture a shared link shows (`og:image`), and the "开放数据" section that puts the
//! technical formats (Atom, OCDS, Fiscal Data Package) under one heading with plain words.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use yangguang_app::i18n::Lang;

/// A `tel:` link for a phone number as people write it (`0571-8888 1234`, `138 0013 8000`,
/// `+86 …`): digits, a leading `+`, and `-` kept; `None` when it holds too few digits to call.
pub fn tel_href(number: &str) -> Option<String> {
    let number = number.trim();
    let mut out = String::from("tel:");
    for (i, c) in number.chars().enumerate() {
        match c {
            '0'..='9' | '-' => out.push(c),
            '+' if i == 0 => out.push(c),
            ' ' | '(' | ')' => {}
            _ => return None,
        }
    }
    (out.chars().filter(char::is_ascii_digit).count() >= 5).then_some(out)
}

/// The site's own address as the reader asked for it (`https://host`), for the absolute URLs
/// a shared link needs; the Host header is checked to be a host name and port, nothing else.
pub fn request_origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| {
        !h.is_empty() && h.len() <= 255 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
    })?;
    let https = headers.get("x-forwarded-proto").is_some_and(|v| v == "https");
    Some(format!("{}://{host}", if https { "https" } else { "http" }))
}

/// The picture WeChat and other apps show beside a shared link: 300 × 300, the site's sun.
pub const OG_IMAGE: &[u8] = include_bytes!("../../assets/og.png");
pub const OG_IMAGE_PATH: &str = "/og.png";

pub async fn og_image() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=604800")),
        ],
        OG_IMAGE,
    )
        .into_response()
}

/// One file of the "开放数据" section: its name with the format's term, a plain-words line,
/// and its address.
pub struct OpenDataLink {
    pub label: &'static str,
    pub plain: &'static str,
    pub href: String,
}

pub fn atom(lang: Lang, href: String) -> OpenDataLink {
    let v = lang.villager();
    OpenDataLink { label: v.atom, plain: v.atom_plain, href }
}

pub fn ocds(lang: Lang, href: String) -> OpenDataLink {
    let v = lang.villager();
    OpenDataLink { label: v.ocds, plain: v.ocds_plain, href }
}

pub fn fiscal_data(lang: Lang, href: String) -> OpenDataLink {
    let v = lang.villager();
    OpenDataLink { label: v.fdp, plain: v.fdp_plain, href }
}

/// The village's open-data page, where every dataset is listed.
pub fn village_open_data(lang: Lang, href: String) -> OpenDataLink {
    let o = lang.open_data();
    OpenDataLink { label: o.link, plain: o.bulk_plain, href }
}

/// The county's trading data, every village's listings in one OCDS package.
pub fn county_ocds(lang: Lang) -> OpenDataLink {
    OpenDataLink {
        label: lang.open_data().county_ocds_title,
        plain: lang.villager().ocds_plain,
        href: "/open-data/ocds.json".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_become_tel_links() {
        assert_eq!(tel_href("0570-6123456").as_deref(), Some("tel:0570-6123456"));
        assert_eq!(tel_href(" 138 0013 8000 ").as_deref(), Some("tel:13800138000"));
        assert_eq!(tel_href("+86 (571) 8888").as_deref(), Some("tel:+865718888"));
        assert_eq!(tel_href("工作日 8:00"), None);
        assert_eq!(tel_href("12"), None);
        assert_eq!(tel_href("javascript:1"), None);
    }

    #[test]
    fn the_origin_comes_from_a_plain_host_only() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("cunwu.example.cn:8080"));
        assert_eq!(request_origin(&h).as_deref(), Some("http://cunwu.example.cn:8080"));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(request_origin(&h).as_deref(), Some("https://cunwu.example.cn:8080"));
        h.insert(header::HOST, HeaderValue::from_static("evil.example/\"><script>"));
        assert_eq!(request_origin(&h), None);
    }
}
