//! The transparency log over HTTP, checked with someone else's tool: Cloudflare's `tlog_tiles`
//! and `signed_note` crates (crates.io, pinned), not code of this project, verify the served
//! checkpoint's signature, inclusion and consistency proofs, and rebuild the root from the
//! served entry bundles; they reject a tampered bundle, a wrong root and a split view. Two
//! witnesses run as real servers: they cosign, and refuse a split view.

mod common;

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{TimeZone, Utc};
use common::code;
use signed_note::{Note as TheirNote, StandardVerifier, VerifierList};
use tlog_tiles::{Hash as TheirHash, HashReader, check_record, check_tree, stored_hashes, tree_hash};
use tower::ServiceExt;
use yangguang_app::transparency;
use yangguang_core::tlog;
use yangguang_core::{DisclosureKind, DisclosureState, NewDisclosure};
use yangguang_web::{AppState, router};

const VILLAGE: &str = "339921100201";

fn items(n: usize, day: u32) -> Vec<NewDisclosure> {
    let at = Utc.with_ymd_and_hms(2026, 3, day, 2, 0, 0).unwrap();
    (0..n)
        .map(|i| NewDisclosure {
            village: code(VILLAGE),
            column: "affairs-subsidy".into(),
            catalog_item: None,
            period: None,
            title: format!("公告 {day}-{i}"),
            body_md: format!("正文 {i}：\"引号\" 与 \\ 反斜杠\n\n| 项目 | 金额 |\n|---|---|\n| 办公费 | 1.00 |"),
            state: DisclosureState::Published,
            created_at: at,
            published_at: Some(at),
            attachments: vec![],
            kind: DisclosureKind::Original,
            replaces: None,
            reason: None,
            created_by: None,
            signoffs: vec![],
        })
        .collect()
}

async fn site_with(witnesses: Vec<transparency::Witness>) -> AppState {
    let regions = common::county_with(&[(VILLAGE, "前山村")]);
    let mut site = common::site_over(common::store_with(&regions).await, "tlog").await;
    site.log = transparency::TransparencyLog::new(None, site.key.secret(), witnesses).unwrap();
    AppState::new(Arc::new(site))
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, Vec<u8>) {
    let r = router(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    (r.status(), to_bytes(r.into_body(), 64 << 20).await.unwrap().to_vec())
}

async fn json(state: &AppState, uri: &str) -> serde_json::Value {
    let (status, body) = get(state, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

fn hash(b64: &str) -> TheirHash {
    TheirHash(B64.decode(b64).unwrap().try_into().unwrap())
}

/// The size and root a checkpoint note states, read from its text as their note gives it.
fn size_and_root(note: &TheirNote) -> (u64, TheirHash) {
    let text = std::str::from_utf8(note.text()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    (lines[1].parse().unwrap(), hash(lines[2]))
}

/// Their tree, built by their code from the entries' bytes alone.
struct TheirTree(Vec<TheirHash>);

impl HashReader for TheirTree {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TheirHash>, tlog_tiles::Error> {
        indexes.iter().map(|&i| self.0.get(i as usize).copied().ok_or(tlog_tiles::Error::IndexesNotInTree)).collect()
    }
}

fn their_tree(entries: &[Vec<u8>]) -> TheirTree {
    let mut t = TheirTree(vec![]);
    for (n, e) in entries.iter().enumerate() {
        let new = stored_hashes(n as u64, e, &t).unwrap();
        t.0.extend(new);
    }
    t
}

/// Every entry of a tree of `size`, from the served entry bundles.
async fn served_entries(state: &AppState, size: u64) -> Vec<Vec<u8>> {
    let mut out = vec![];
    for index in 0..size.div_ceil(256) {
        let width = (size - index * 256).min(256) as u16;
        let path = tlog::entries_path(index, (width < 256).then_some(width));
        let (status, bundle) = get(state, &format!("/log/{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        out.extend(tlog::parse_entry_bundle(&bundle).unwrap().into_iter().map(<[u8]>::to_vec));
    }
    out
}

#[tokio::test]
async fn an_independent_implementation_verifies_the_served_log_and_rejects_tampering() {
    let state = site_with(vec![]).await;
    state.site.add_disclosures(&items(300, 1)).await.unwrap();
    yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap();
    let keys = json(&state, "/api/log/keys").await;
    let verifier = StandardVerifier::new(keys["log_key"].as_str().unwrap()).expect("they read our key");
    let verifiers = VerifierList::new(vec![Box::new(verifier)]);

    // The checkpoint: their note parser and Ed25519 verifier accept it.
    let (status, note) = get(&state, "/log/checkpoint").await;
    assert_eq!(status, StatusCode::OK);
    let note = TheirNote::from_bytes(&note).unwrap();
    note.verify(&verifiers).expect("the log's signature verifies with their code");
    let (size, root) = size_and_root(&note);
    assert_eq!(size, 300);

    // Their tree from the served entries has the signed root; a changed byte does not.
    let entries = served_entries(&state, size).await;
    assert_eq!(entries.len(), 300);
    let theirs = their_tree(&entries);
    assert_eq!(tree_hash(size, &theirs).unwrap(), root, "the root their code computes from our entries");
    let mut tampered = entries.clone();
    let at = tampered[77].iter().position(|&b| b == b'0').unwrap();
    tampered[77][at] = b'1';
    assert_ne!(tree_hash(size, &their_tree(&tampered)).unwrap(), root, "a tampered entry is caught");
    // The hash tiles hold the leaf hashes their code computes.
    let (_, tile) = get(&state, "/log/tile/0/000").await;
    assert_eq!(&tile[..32], &theirs.0[0].0[..], "tile/0/000 starts with leaf 0's hash");
    let (status, _) = get(&state, "/log/tile/0/001").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a full tile the tree does not hold yet");

    // Inclusion proofs: their checker accepts them against the signed root, not a wrong one.
    for id in [1i64, 150, 300] {
        let proof = json(&state, &format!("/api/disclosures/{id}/proof")).await;
        let entry = proof["entry"].as_str().unwrap().as_bytes().to_vec();
        let index = proof["leaf_index"].as_u64().unwrap();
        assert_eq!(entry, entries[index as usize], "the proof carries the served entry");
        let hashes: Vec<TheirHash> =
            proof["inclusion_proof"].as_array().unwrap().iter().map(|h| hash(h.as_str().unwrap())).collect();
        let leaf = TheirHash(tlog::leaf_hash(&entry));
        check_record(&hashes, size, root, index, leaf).expect("their inclusion check passes");
        let mut wrong = root;
        wrong.0[0] ^= 1;
        assert!(check_record(&hashes, size, wrong, index, leaf).is_err(), "a wrong root fails");
        let mut bad = hashes.clone();
        bad[0].0[5] ^= 1;
        assert!(check_record(&bad, size, root, index, leaf).is_err(), "a tampered proof fails");
    }

    // More entries, a new checkpoint, and a consistency proof their checker accepts.
    state.site.add_disclosures(&items(50, 2)).await.unwrap();
    yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap();
    let (_, note2) = get(&state, "/log/checkpoint").await;
    let note2 = TheirNote::from_bytes(&note2).unwrap();
    note2.verify(&verifiers).unwrap();
    let (size2, root2) = size_and_root(&note2);
    assert_eq!(size2, 350);
    let consistency = json(&state, &format!("/api/log/consistency?from={size}&to={size2}")).await;
    let hashes: Vec<TheirHash> =
        consistency["proof"].as_array().unwrap().iter().map(|h| hash(h.as_str().unwrap())).collect();
    check_tree(&hashes, size2, root2, size, root).expect("their consistency check passes");
    // A split view: another tree of the first size (one entry changed) is not consistent.
    let other_root = tree_hash(size, &their_tree(&tampered)).unwrap();
    assert!(check_tree(&hashes, size2, root2, size, other_root).is_err(), "their check refuses a split view");

    // Both checkpoints are kept and listed; bad sizes are refused with a message.
    let list = json(&state, "/api/log/checkpoints").await;
    let sizes: Vec<u64> =
        list["checkpoints"].as_array().unwrap().iter().map(|c| c["tree_size"].as_u64().unwrap()).collect();
    assert_eq!(sizes, vec![350, 300]);
    let (status, body) = get(&state, "/api/log/consistency?from=351&to=300").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&body));
    let (status, _) = get(&state, "/log/tile/0/x1/000").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a non-canonical tile path");
}

/// The canonical JSON gives back the content hash the log recorded, computed as
/// docs/TRANSPARENCY.md says (each attachment's `url` dropped, the rest as served).
#[tokio::test]
async fn the_content_hash_is_recomputed_from_the_canonical_json() {
    let state = site_with(vec![]).await;
    let mut new = items(1, 3);
    let bytes = "户主,金额\n张*明,300.00\n".as_bytes();
    new[0].attachments = vec![yangguang_core::Attachment {
        file_name: "名单 \"一\".csv".into(),
        media_type: "text/csv; charset=utf-8".into(),
        byte_size: bytes.len() as i64,
        sha256: state.site.files.put(bytes).await.unwrap(),
    }];
    let id = state.site.add_disclosures(&new).await.unwrap()[0];
    let (status, served) = get(&state, &format!("/api/disclosures/{id}/content.json")).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(served).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let url = value["attachments"][0]["url"].as_str().unwrap();
    assert_eq!(url, format!("/v/{VILLAGE}/d/{id}/a/0"));
    let (status, file) = get(&state, url).await;
    assert_eq!((status, file.as_slice()), (StatusCode::OK, bytes), "the URL serves the file");
    let hashed = text.replace(&format!(",\"url\":{}", serde_json::to_string(url).unwrap()), "");
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest([b"yangguang-content-v1\n".as_slice(), hashed.as_bytes()].concat()))
    };
    let proof = json(&state, &format!("/api/disclosures/{id}/proof")).await;
    let entry: serde_json::Value = serde_json::from_str(proof["entry"].as_str().unwrap()).unwrap();
    assert_eq!(entry["content_hash"], digest.as_str());
    assert_eq!(entry["kind"], "publish");
    assert_eq!(entry["disclosure"], id.0);
    // A draft has no canonical JSON: it is not published.
    let mut draft = items(1, 4);
    draft[0].state = DisclosureState::Draft;
    draft[0].published_at = None;
    let draft = state.site.add_disclosures(&draft).await.unwrap()[0];
    let (status, _) = get(&state, &format!("/api/disclosures/{draft}/content.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A witness server on a random port.
async fn start_witness(name: &str, log_key: &str) -> (String, Arc<yangguang_app::witness::Witness>) {
    let dir = std::env::temp_dir().join(format!(
        "yg-witness-{name}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let witness = Arc::new(yangguang_app::witness::Witness::open(&dir, name, &[log_key.to_owned()]).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(yangguang_web::witness::serve(listener, witness.clone(), std::future::pending()));
    (url, witness)
}

#[tokio::test]
async fn two_witnesses_cosign_and_refuse_a_split_view() {
    // The log's key, as its /verify page shows it, is what each witness is told.
    let probe = site_with(vec![]).await;
    let id = transparency::identity(&probe.site).await.unwrap();
    let log_key = id.vkey();
    let (url_a, a) = start_witness("witness.town.example", &log_key).await;
    let (url_b, b) = start_witness("witness.jiwei.example", &log_key).await;
    let witnesses = vec![
        transparency::Witness::new(&url_a, &a.vkey()).unwrap(),
        transparency::Witness::new(&url_b, &b.vkey()).unwrap(),
    ];
    let state = site_with(witnesses).await;
    state.site.add_disclosures(&items(10, 1)).await.unwrap();
    let cp = yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap().unwrap();
    let cosigners = transparency::cosigners(&state.site, &cp.note);
    assert_eq!(cosigners.len(), 2, "both witnesses cosigned: {}", cp.note);
    let (_, served) = get(&state, "/log/checkpoint").await;
    assert_eq!(String::from_utf8(served).unwrap(), cp.note, "the served checkpoint carries the cosignatures");

    // The log grows: both cosign again, each checking the consistency proof from size 10.
    state.site.add_disclosures(&items(5, 2)).await.unwrap();
    let cp2 = yangguang_app::jobs::make_checkpoint(&state.site, Utc::now()).await.unwrap().unwrap();
    assert_eq!((cp2.tree_size, transparency::cosigners(&state.site, &cp2.note).len()), (15, 2));
    let listed = json(&state, "/api/log/checkpoints").await;
    assert_eq!(listed["checkpoints"][0]["cosigned"].as_array().unwrap().len(), 2);

    // The operator (it has the log key) shows someone else another tree of the same size.
    let origin = id.origin.clone();
    let forged_tree = tlog::Tree::from_leaf_hashes((0..15u8).map(|i| tlog::leaf_hash(&[i])).collect());
    let forged = tlog::Checkpoint::new(origin.clone(), 15, forged_tree.root(15).unwrap()).unwrap();
    let note = forged.sign(&id.signer).unwrap();
    let client = reqwest::Client::new();
    for (url, witness) in [(&url_a, &a), (&url_b, &b)] {
        let before = witness.last(&origin).await.unwrap();
        assert_eq!(before.size, 15);
        for (old, proof) in [(15, vec![]), (10, forged_tree.consistency_proof(10, 15).unwrap())] {
            let body = tlog::AddCheckpointRequest::new(old, proof, note.clone()).unwrap().format();
            let r = client.post(format!("{url}add-checkpoint")).body(body).send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            assert!(status == 409 || status == 422, "old {old}: refused, not {status}: {text}");
        }
        assert_eq!(witness.last(&origin).await.unwrap(), before, "the witness still holds the real tree");
    }
    // A note not signed by the log is refused too (403), and garbage is a 400.
    let stranger = tlog::Signer::new(&origin, [9; 32]).unwrap();
    let real = tlog::Checkpoint::new(origin.clone(), 15, state.site.log.with_tree(|t| t.root(15)).unwrap()).unwrap();
    let body = tlog::AddCheckpointRequest::new(15, vec![], real.sign(&stranger).unwrap()).unwrap().format();
    let r = client.post(format!("{url_a}add-checkpoint")).body(body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = client.post(format!("{url_a}add-checkpoint")).body("hello").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
}
