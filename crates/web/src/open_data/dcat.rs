//! The DCAT-AP 3 catalog of every dataset the site offers — `dcat:Catalog`, its
//! `dcat:Dataset`s and their `dcat:Distribution`s, each with `dct:publisher` (the region),
//! licence and modified date — as JSON-LD (`/open-data/catalog.jsonld`) and Turtle
//! (`/open-data/catalog.ttl`). Both are written from one list of statements, so they say the
//! same; absolute IRIs come from the request's host.

use std::fmt::Write;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use yangguang_app::Scope;
use yangguang_app::bulk::LICENSE_URL;
use yangguang_app::i18n::Lang;

use super::datasets::village_datasets;
use crate::AppState;
use crate::error::WebError;
use crate::pages::cached_page_over;

const PREFIXES: [(&str, &str); 6] = [
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
];

/// An RDF object.
pub enum Object {
    Iri(String),
    /// Text in Chinese.
    Text(String),
    /// A typed literal: value and the `xsd:` type's local name.
    Typed(String, &'static str),
}

/// A node and what is said of it: (prefixed predicate, object).
pub struct Node {
    pub iri: String,
    pub types: Vec<&'static str>,
    pub props: Vec<(&'static str, Object)>,
}

fn turtle_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An IRI for Turtle's `<…>`: characters Turtle forbids there are percent-encoded.
fn turtle_iri(iri: &str) -> String {
    let mut out = String::from("<");
    for c in iri.chars() {
        if c <= ' ' || "<>\"{}|^`\\".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out.push('>');
    out
}

pub fn turtle(nodes: &[Node]) -> String {
    let mut out = String::new();
    for (p, iri) in PREFIXES {
        let _ = writeln!(out, "@prefix {p}: <{iri}> .");
    }
    for n in nodes {
        let _ = write!(out, "\n{}", turtle_iri(&n.iri));
        let mut parts: Vec<String> = vec![];
        if !n.types.is_empty() {
            parts.push(format!("a {}", n.types.join(", ")));
        }
        for (pred, obj) in &n.props {
            let o = match obj {
                Object::Iri(i) => turtle_iri(i),
                Object::Text(t) => format!("{}@zh-CN", turtle_string(t)),
                Object::Typed(v, ty) => format!("{}^^xsd:{ty}", turtle_string(v)),
            };
            parts.push(format!("{pred} {o}"));
        }
        let _ = writeln!(out, "\n    {} .", parts.join(" ;\n    "));
    }
    out
}

pub fn json_ld(nodes: &[Node]) -> Value {
    let mut context = Map::new();
    for (p, iri) in PREFIXES {
        context.insert(p.into(), json!(iri));
    }
    let graph: Vec<Value> = nodes
        .iter()
        .map(|n| {
            let mut m = Map::new();
            m.insert("@id".into(), json!(n.iri));
            if !n.types.is_empty() {
                m.insert("@type".into(), json!(n.types));
            }
            for (pred, obj) in &n.props {
                let v = match obj {
                    Object::Iri(i) => json!({ "@id": i }),
                    Object::Text(t) => json!({ "@value": t, "@language": "zh-CN" }),
                    Object::Typed(v, ty) => json!({ "@value": v, "@type": format!("xsd:{ty}") }),
                };
                match m.get_mut(*pred) {
                    Some(Value::Array(a)) => a.push(v),
                    _ => {
                        m.insert((*pred).into(), json!([v]));
                    }
                }
            }
            Value::Object(m)
        })
        .collect();
    json!({ "@context": context, "@graph": graph })
}

fn iana(media_type: &str) -> String {
    format!("http://www.iana.org/assignments/media-types/{media_type}")
}

/// Every dataset of every village, and the county's own, as DCAT-AP statements.
pub async fn catalog_nodes(state: &AppState, origin: &str) -> Result<Vec<Node>, WebError> {
    let regions = state.site.regions();
    let home = regions.home().cloned();
    let home_name = home.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| "阳光村务公开".into());
    let publisher = |code: String, name: &str| Node {
        iri: format!("{origin}/r/{code}#publisher"),
        types: vec!["foaf:Agent"],
        props: vec![("foaf:name", Object::Text(name.into()))],
    };
    let catalog_iri = format!("{origin}/open-data/catalog");
    let county_publisher =
        format!("{origin}/r/{}#publisher", home.as_ref().map(|r| r.code.to_string()).unwrap_or_default());
    let mut nodes = vec![
        publisher(home.as_ref().map(|r| r.code.to_string()).unwrap_or_default(), &home_name),
        Node { iri: LICENSE_URL.into(), types: vec!["dct:LicenseDocument"], props: vec![] },
    ];
    let mut catalog = Node {
        iri: catalog_iri,
        types: vec!["dcat:Catalog"],
        props: vec![
            ("dct:title", Object::Text(format!("{home_name}村务公开开放数据目录"))),
            (
                "dct:description",
                Object::Text("各村公开的事项、账目、资产、合同、交易、决策和质询答复的开放数据。".into()),
            ),
            ("dct:publisher", Object::Iri(county_publisher.clone())),
            ("dct:license", Object::Iri(LICENSE_URL.into())),
            ("dcat:homepage", Object::Iri(format!("{origin}/open-data"))),
            ("dct:language", Object::Iri("http://publications.europa.eu/resource/authority/language/ZHO".into())),
            ("dct:modified", Object::Typed(yangguang_app::today().to_string(), "date")),
        ],
    };
    let villages: Vec<_> = regions.villages().cloned().collect();
    let mut any_listings = false;
    for village in &villages {
        let sets = village_datasets(state, village, Lang::Zh).await?;
        let who = format!("{origin}/r/{}#publisher", village.code);
        nodes.push(Node {
            iri: who.clone(),
            types: vec!["foaf:Agent"],
            props: vec![("foaf:name", Object::Text(format!("{}村民委员会", village.name)))],
        });
        let page = format!("{origin}/v/{}/open-data", village.code);
        any_listings |= sets.iter().any(|d| d.slug == "ocds");
        for d in sets {
            let iri = format!("{page}#{}", d.slug);
            catalog.props.push(("dcat:dataset", Object::Iri(iri.clone())));
            let mut set = Node {
                iri: iri.clone(),
                types: vec!["dcat:Dataset"],
                props: vec![
                    ("dct:title", Object::Text(d.title.clone())),
                    ("dct:description", Object::Text(d.description.clone())),
                    ("dct:publisher", Object::Iri(who.clone())),
                    ("dcat:landingPage", Object::Iri(page.clone())),
                    ("dct:spatial", Object::Iri(format!("{origin}/v/{}", village.code))),
                ],
            };
            for k in &d.keywords {
                set.props.push(("dcat:keyword", Object::Text((*k).into())));
            }
            let modified =
                d.modified.map(|at| Object::Typed(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "dateTime"));
            for (i, f) in d.distributions.iter().enumerate() {
                let file = format!("{iri}-{}", i + 1);
                set.props.push(("dcat:distribution", Object::Iri(file.clone())));
                let mut dist = Node {
                    iri: file,
                    types: vec!["dcat:Distribution"],
                    props: vec![
                        ("dct:title", Object::Text(f.title.clone())),
                        ("dcat:accessURL", Object::Iri(format!("{origin}{}", f.href))),
                        ("dcat:downloadURL", Object::Iri(format!("{origin}{}", f.href))),
                        ("dcat:mediaType", Object::Iri(iana(f.media_type))),
                        ("dct:format", Object::Text(f.format.into())),
                        ("dct:license", Object::Iri(LICENSE_URL.into())),
                    ],
                };
                if let Some(c) = f.conforms_to {
                    dist.props.push(("dct:conformsTo", Object::Iri(c.into())));
                }
                if let Some(Object::Typed(v, t)) = &modified {
                    dist.props.push(("dct:modified", Object::Typed(v.clone(), t)));
                }
                nodes.push(dist);
            }
            if let Some(m) = modified {
                set.props.push(("dct:modified", m));
            }
            nodes.push(set);
        }
    }
    // The county's trading data, which exists once some village has a listing.
    if any_listings {
        let ocds_iri = format!("{origin}/open-data/ocds.json#dataset");
        catalog.props.push(("dcat:dataset", Object::Iri(ocds_iri.clone())));
        nodes.push(Node {
            iri: ocds_iri,
            types: vec!["dcat:Dataset"],
            props: vec![
                ("dct:title", Object::Text(format!("{home_name}产权交易数据（OCDS）"))),
                ("dct:description", Object::Text(Lang::Zh.villager().ocds_plain.into())),
                ("dct:publisher", Object::Iri(county_publisher.clone())),
                ("dcat:distribution", Object::Iri(format!("{origin}/open-data/ocds.json"))),
            ],
        });
        nodes.push(Node {
            iri: format!("{origin}/open-data/ocds.json"),
            types: vec!["dcat:Distribution"],
            props: vec![
                ("dcat:accessURL", Object::Iri(format!("{origin}/open-data/ocds.json"))),
                ("dcat:downloadURL", Object::Iri(format!("{origin}/open-data/ocds.json"))),
                ("dcat:mediaType", Object::Iri(iana("application/json"))),
                ("dct:license", Object::Iri(LICENSE_URL.into())),
                ("dct:conformsTo", Object::Iri(super::datasets::OCDS.into())),
            ],
        });
    }
    nodes.insert(0, catalog);
    Ok(nodes)
}

/// The catalog in one format, cached until any village publishes (or the regions change).
async fn catalog(state: AppState, headers: HeaderMap, turtle_format: bool) -> Result<Response, WebError> {
    let origin = crate::public_base::base(&state, &headers);
    let regions = state.site.regions();
    let mut scopes = vec![Scope::Regions];
    scopes.extend(regions.villages().map(|v| Scope::Village(v.code)));
    let key = format!("dcat|{turtle_format}|{origin}");
    let encoding = crate::render::negotiate(&headers);
    let page = cached_page_over(&state, key, &scopes, encoding, || async {
        let nodes = catalog_nodes(&state, &origin).await?;
        Ok(if turtle_format {
            turtle(&nodes)
        } else {
            serde_json::to_string_pretty(&json_ld(&nodes)).unwrap_or_default()
        })
    })
    .await?;
    let mut response = page.respond(&headers, &state.security).into_response();
    let h = response.headers_mut();
    let media = if turtle_format { "text/turtle; charset=utf-8" } else { "application/ld+json; charset=utf-8" };
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(super::DOWNLOAD_CACHE));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    let (ascii, name) = if turtle_format {
        ("catalog.ttl", "开放数据目录.ttl")
    } else {
        ("catalog.jsonld", "开放数据目录.jsonld")
    };
    h.insert(
        header::CONTENT_DISPOSITION,
        super::attachment(ascii, name)
            .to_str()
            .map(|s| s.replacen("attachment", "inline", 1))
            .ok()
            .and_then(|s| HeaderValue::from_str(&s).ok())
            .unwrap_or_else(|| HeaderValue::from_static("inline")),
    );
    Ok(response)
}

pub async fn catalog_jsonld(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    catalog(state, headers, false).await
}

pub async fn catalog_turtle(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    catalog(state, headers, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turtle_escapes_what_would_break_a_literal_or_an_iri() {
        let nodes = [Node {
            iri: "http://x/v/1#a b".into(),
            types: vec!["dcat:Dataset"],
            props: vec![("dct:title", Object::Text("租金\"押金\"\n\\".into()))],
        }];
        let t = turtle(&nodes);
        assert!(t.contains("<http://x/v/1#a%20b>"), "{t}");
        assert!(t.contains("\"租金\\\"押金\\\"\\n\\\\\"@zh-CN"), "{t}");
    }
}
