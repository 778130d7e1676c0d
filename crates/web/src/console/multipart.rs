//! The multipart forms of the console (drafting, the registers, the books, the bank): reading
//! them whole with the CSRF check, and storing the files they carry one by one, so that a
//! refused file is named and the accepted ones are kept for the form's next try.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::response::{IntoResponse, Response};
use yangguang_app::uploads;
use yangguang_core::Attachment;

use crate::AppState;
use crate::error::WebError;
use crate::session::{SignedInStaff, Staff, check_csrf};

/// Uploaded files: each one's name and bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// A multipart form: its text fields, repeated fields and uploaded files.
pub struct Submitted {
    pub(super) fields: HashMap<String, String>,
    pub(super) keep: Vec<usize>,
    /// `uploaded` fields: files stored with an earlier try of this form.
    carried: Vec<String>,
    pub files: Files,
}

async fn read_multipart(mut mp: Multipart) -> Result<Submitted, WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("上传内容无法读取 / unreadable upload: {e}"))
    };
    let mut out = Submitted { fields: HashMap::new(), keep: vec![], carried: vec![], files: vec![] };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        match (name.as_str(), field.file_name().map(str::to_owned)) {
            ("files", Some(file_name)) => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !file_name.is_empty() && !bytes.is_empty() {
                    out.files.push((file_name, bytes.to_vec()));
                }
            }
            ("uploaded", _) => out.carried.push(field.text().await.map_err(bad)?),
            ("keep", _) => {
                if let Ok(i) = field.text().await.map_err(bad)?.parse() {
                    out.keep.push(i);
                }
            }
            (_, _) => {
                let text = field.text().await.map_err(bad)?;
                out.fields.insert(name, text);
            }
        }
    }
    Ok(out)
}

impl Submitted {
    pub fn get(&self, k: &str) -> &str {
        self.fields.get(k).map(String::as_str).unwrap_or("")
    }
}

/// A multipart form from a signed-in staff member (`S`, a `Staff` unless said otherwise),
/// read whole, whose `csrf` field matches the session's token and whose Origin, when sent,
/// is this site. In the order a handler taking `Multipart` had: the content type, then the
/// session, then the body, then the token.
pub struct CsrfMultipart<S = Staff>(pub S, pub Submitted);

impl<S: SignedInStaff> FromRequest<AppState> for CsrfMultipart<S> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let mp = Multipart::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| crate::session::form_refused(&e.body_text()))?;
        let staff = S::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let form = read_multipart(mp).await.map_err(IntoResponse::into_response)?;
        let given = form.fields.get("csrf").map(String::as_str);
        check_csrf(&parts.headers, &staff.signed_in().session.csrf_token, given)
            .map_err(IntoResponse::into_response)?;
        Ok(Self(staff, form))
    }
}

/// Stores the files of a form one by one: those refused are a problem with `files` (named,
/// with the reason) and the others are kept; files carried from an earlier try are checked
/// against the store.
pub(super) async fn store_uploads(
    state: &AppState,
    form: &mut Submitted,
    problems: &mut HashMap<String, String>,
) -> Vec<Attachment> {
    let limits = state.site.upload_limits;
    let store = state.site.files.clone();
    let files = std::mem::take(&mut form.files);
    let mut kept: Vec<Attachment> = vec![];
    for c in std::mem::take(&mut form.carried) {
        kept.extend(carried_attachment(&store, &c).await);
    }
    let checked = tokio::task::spawn_blocking(move || {
        let mut refused = vec![];
        if kept.len() + files.len() > limits.max_files {
            refused.push(uploads::UploadError::TooManyFiles(limits.max_files).to_string());
        } else {
            for (name, bytes) in files {
                match uploads::accept_all(vec![(name, bytes)], &limits, &store) {
                    Ok(mut a) => kept.append(&mut a),
                    Err(e) => refused.push(e.to_string()),
                }
            }
        }
        (kept, refused)
    })
    .await;
    let (kept, refused) = checked.unwrap_or_else(|e| (vec![], vec![e.to_string()]));
    if !refused.is_empty() {
        problems.insert("files".into(), format!("{}。其余附件已保留，不必重新上传。", refused.join("；")));
    }
    kept
}

/// A file carried in the form (`sha256|media type|name`), if the store has it and it is of a
/// kind uploads accept.
async fn carried_attachment(store: &yangguang_app::files::FileStore, value: &str) -> Option<Attachment> {
    let mut parts = value.splitn(3, '|');
    let (sha256, media_type, name) = (parts.next()?, parts.next()?, parts.next()?);
    if !uploads::accepted_media_type(media_type) {
        return None;
    }
    let bytes = store.get(sha256).await.ok()?;
    Some(Attachment {
        file_name: yangguang_core::disclosure::without_bidi_controls(name).into_owned(),
        media_type: media_type.into(),
        byte_size: bytes.len() as i64,
        sha256: sha256.into(),
    })
}
