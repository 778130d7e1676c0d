//! C2SP tlog-cosignature (the Ed25519 `cosignature/v1` type) and the tlog-witness
//! `add-checkpoint` exchange: request and response bodies, and the witness's decision as a
//! pure function of what it last cosigned for the log.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey};

use super::checkpoint::Checkpoint;
use super::merkle::{EMPTY_ROOT, Hash, verify_consistency};
use super::note::{KEY_TYPE_COSIGNATURE_V1, MAX_NOTE_SIGNATURES, MAX_NOTE_SIZE, Note, NoteSignature, Verifier};
use super::{TlogError, canonical_decimal};

/// A client sends at most 63 consistency-proof lines (tlog-witness).
pub const MAX_PROOF_LINES: usize = 63;
/// Header lines: `old <20 digits>\n` and 63 lines of 44 base64 characters.
const MAX_REQUEST_SIZE: usize = MAX_NOTE_SIZE + 32 + MAX_PROOF_LINES * 45 + 1;

/// The message a cosignature/v1 signs: `cosignature/v1\ntime <seconds>\n` and the note text.
pub fn cosignature_message(timestamp: u64, note_text: &str) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{note_text}").into_bytes()
}

/// A witness's key (Ed25519, signature type 0x04).
#[derive(Clone)]
pub struct Cosigner {
    name: String,
    key: SigningKey,
    key_id: u32,
}

impl Cosigner {
    /// `secret` is the 32-byte Ed25519 seed. The spec wants a key of its own per cosigner
    /// (the signed message does not name the cosigner), never the log's key.
    pub fn new(name: &str, secret: [u8; 32]) -> Result<Self, TlogError> {
        let key = SigningKey::from_bytes(&secret);
        let verifier = Verifier::new(name, KEY_TYPE_COSIGNATURE_V1, key.verifying_key().to_bytes())?;
        Ok(Cosigner { name: name.to_owned(), key, key_id: verifier.key_id() })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn verifier(&self) -> Verifier {
        Verifier::new(&self.name, KEY_TYPE_COSIGNATURE_V1, self.public_key()).expect("the name was checked")
    }

    /// `<name>+<hex8 key ID>+<base64(0x04 ‖ public key)>`.
    pub fn vkey(&self) -> String {
        self.verifier().vkey()
    }

    /// Cosigns a checkpoint at `timestamp` (Unix seconds, 1 to 2^63−1). `.line()` of the
    /// result is the signature line to append to the checkpoint note.
    pub fn cosign(&self, checkpoint: &Checkpoint, timestamp: u64) -> Result<NoteSignature, TlogError> {
        if timestamp == 0 || timestamp > i64::MAX as u64 {
            return Err(TlogError::BadTimestamp(timestamp));
        }
        let sig = self.key.sign(&cosignature_message(timestamp, &checkpoint.body()));
        let mut signature = timestamp.to_be_bytes().to_vec();
        signature.extend_from_slice(&sig.to_bytes());
        Ok(NoteSignature { name: self.name.clone(), key_id: self.key_id, signature })
    }
}

impl fmt::Debug for Cosigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cosigner({}, secret hidden)", self.vkey())
    }
}

/// Verifies one cosignature line on a checkpoint against a witness's key; its timestamp
/// comes back.
pub fn verify_cosignature(line: &str, checkpoint: &Checkpoint, witness: &Verifier) -> Result<u64, TlogError> {
    if witness.key_type() != KEY_TYPE_COSIGNATURE_V1 {
        return Err(TlogError::MalformedCosignature("the key is not a cosignature/v1 key"));
    }
    let sig = NoteSignature::parse_line(line)?;
    if sig.name != witness.name() || sig.key_id != witness.key_id() {
        return Err(TlogError::MalformedCosignature("the line is not by this witness"));
    }
    if sig.signature.len() != 8 + 64 {
        return Err(TlogError::MalformedCosignature("not a timestamp and an Ed25519 signature"));
    }
    witness.check(&checkpoint.body(), &sig.signature)?.ok_or(TlogError::MalformedCosignature("no timestamp"))
}

/// Parses a witness's `add-checkpoint` response: one or more signature lines.
pub fn parse_signature_lines(body: &str) -> Result<Vec<NoteSignature>, TlogError> {
    let lines = body.strip_suffix('\n').ok_or(TlogError::MalformedCosignature("the body does not end in a newline"))?;
    let sigs: Vec<NoteSignature> = lines.split('\n').map(NoteSignature::parse_line).collect::<Result<_, _>>()?;
    if sigs.len() > MAX_NOTE_SIGNATURES {
        return Err(TlogError::MalformedCosignature("too many lines"));
    }
    Ok(sigs)
}

/// Parses the body of a 409 answer (`text/x.tlog.size`): the witness's size.
pub fn parse_conflict_body(body: &str) -> Result<u64, TlogError> {
    body.strip_suffix('\n')
        .and_then(canonical_decimal)
        .ok_or(TlogError::MalformedCosignature("a 409 body is a size and a newline"))
}

/// What a witness remembers of a log: the last checkpoint it cosigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WitnessState {
    pub size: u64,
    pub root: Hash,
}

/// An `add-checkpoint` request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    pub old_size: u64,
    pub proof: Vec<Hash>,
    pub note: Note,
    /// The note's text, parsed: its origin says which log keys and state to use.
    pub checkpoint: Checkpoint,
}

impl AddCheckpointRequest {
    /// A request for a signed checkpoint note, with the consistency proof from `old_size`.
    pub fn new(old_size: u64, proof: Vec<Hash>, note: Note) -> Result<Self, TlogError> {
        if proof.len() > MAX_PROOF_LINES {
            return Err(TlogError::ConsistencyProof);
        }
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(AddCheckpointRequest { old_size, proof, note, checkpoint })
    }

    /// `old <size>\n`, one base64 hash per line, a blank line, the signed checkpoint.
    pub fn format(&self) -> String {
        let mut out = format!("old {}\n", self.old_size);
        for h in &self.proof {
            out.push_str(&BASE64.encode(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.note.format());
        out
    }

    /// Parses a request body; anything malformed is a 400.
    pub fn parse(body: &[u8]) -> Result<Self, WitnessRefusal> {
        let bad = |why: &str| WitnessRefusal::BadRequest(why.to_owned());
        if body.len() > MAX_REQUEST_SIZE {
            return Err(bad("the body is too large"));
        }
        let mut rest = body;
        let mut next_line = || -> Result<&[u8], WitnessRefusal> {
            let end = rest.iter().position(|&b| b == b'\n').ok_or_else(|| bad("a line does not end in a newline"))?;
            let line = &rest[..end];
            rest = &rest[end + 1..];
            Ok(line)
        };
        let old = next_line()?;
        let old_size = old
            .strip_prefix(b"old ")
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(canonical_decimal)
            .ok_or_else(|| bad("the first line is not “old <size>”"))?;
        let mut proof = Vec::new();
        loop {
            let line = next_line()?;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad("more than 63 proof lines"));
            }
            let hash = BASE64
                .decode(line)
                .ok()
                .and_then(|h| Hash::try_from(h).ok())
                .ok_or_else(|| bad("a proof line is not a base64 hash"))?;
            proof.push(hash);
        }
        let note = Note::parse(rest).map_err(|e| WitnessRefusal::BadRequest(e.to_string()))?;
        let checkpoint = Checkpoint::parse(note.text()).map_err(|e| WitnessRefusal::BadRequest(e.to_string()))?;
        Ok(AddCheckpointRequest { old_size, proof, note, checkpoint })
    }
}

/// Why a witness will not cosign, with the HTTP status tlog-witness assigns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessRefusal {
    #[error("见证请求格式错误 / malformed add-checkpoint request: {0}")]
    BadRequest(String),
    #[error("见证不认识这个日志 / unknown log origin “{0}”")]
    UnknownLog(String),
    #[error("检查点没有日志的有效签名 / the checkpoint is not validly signed by the log: {0}")]
    Forbidden(TlogError),
    #[error("旧的树大小与见证所记的 {known} 不符 / the old size does not match the witness's size {known}")]
    Conflict { known: u64 },
    #[error("检查点与见证所见不一致 / the checkpoint is not consistent with what the witness saw: {0}")]
    Unprocessable(&'static str),
    #[error("见证无法副署 / the witness cannot cosign: {0}")]
    Internal(TlogError),
}

impl WitnessRefusal {
    /// The HTTP status: 400, 403, 404, 409, 422, or 500 for a witness set up wrong.
    pub fn status(&self) -> u16 {
        match self {
            WitnessRefusal::BadRequest(_) => 400,
            WitnessRefusal::Forbidden(_) => 403,
            WitnessRefusal::UnknownLog(_) => 404,
            WitnessRefusal::Conflict { .. } => 409,
            WitnessRefusal::Unprocessable(_) => 422,
            WitnessRefusal::Internal(_) => 500,
        }
    }

    /// The response's content type: a 409 carries `text/x.tlog.size`.
    pub fn content_type(&self) -> &'static str {
        match self {
            WitnessRefusal::Conflict { .. } => "text/x.tlog.size",
            _ => "text/plain; charset=utf-8",
        }
    }

    /// The response body: for a 409 the witness's size and a newline, else the message.
    pub fn body(&self) -> String {
        match self {
            WitnessRefusal::Conflict { known } => format!("{known}\n"),
            other => format!("{other}\n"),
        }
    }
}

/// A cosigned checkpoint: the lines to answer with and the state to store (atomically with
/// the check that `old` matched, as tlog-witness requires).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigned {
    pub checkpoint: Checkpoint,
    pub state: WitnessState,
    pub signatures: Vec<NoteSignature>,
}

impl Cosigned {
    /// The 200 response body: the signature lines.
    pub fn response_body(&self) -> String {
        self.signatures.iter().map(NoteSignature::line).collect()
    }
}

/// The witness's decision on an `add-checkpoint` request, in the order tlog-witness lists
/// the checks. `log_keys` are the keys configured for `request.checkpoint.origin` (empty:
/// the log is unknown, 404); `last` is what this witness last cosigned for that origin;
/// `now` is the Unix time to put in the cosignatures.
pub fn add_checkpoint(
    request: &AddCheckpointRequest,
    log_keys: &[Verifier],
    last: Option<&WitnessState>,
    cosigners: &[Cosigner],
    now: u64,
) -> Result<Cosigned, WitnessRefusal> {
    let cp = &request.checkpoint;
    if log_keys.is_empty() {
        return Err(WitnessRefusal::UnknownLog(cp.origin.clone()));
    }
    request.note.verify(log_keys).map_err(WitnessRefusal::Forbidden)?;
    if request.old_size > cp.size {
        return Err(WitnessRefusal::BadRequest(format!(
            "old size {} is above the checkpoint's {}",
            request.old_size, cp.size
        )));
    }
    let known = last.map_or(0, |s| s.size);
    if request.old_size != known {
        return Err(WitnessRefusal::Conflict { known });
    }
    if cp.size == 0 && cp.root != EMPTY_ROOT {
        return Err(WitnessRefusal::Unprocessable("a checkpoint of size 0 must have the empty root"));
    }
    match last {
        None | Some(WitnessState { size: 0, .. }) => {
            if !request.proof.is_empty() {
                return Err(WitnessRefusal::Unprocessable("from size 0 the proof must be empty"));
            }
        }
        Some(state) if state.size == cp.size => {
            if state.root != cp.root {
                return Err(WitnessRefusal::Unprocessable("same size, different root"));
            }
            if !request.proof.is_empty() {
                return Err(WitnessRefusal::Unprocessable("between equal sizes the proof must be empty"));
            }
        }
        Some(state) => verify_consistency(state.size, cp.size, &state.root, &cp.root, &request.proof)
            .map_err(|_| WitnessRefusal::Unprocessable("the consistency proof does not verify"))?,
    }
    if cosigners.is_empty() {
        return Err(WitnessRefusal::Internal(TlogError::MalformedCosignature("the witness has no key")));
    }
    let signatures =
        cosigners.iter().map(|c| c.cosign(cp, now)).collect::<Result<Vec<_>, _>>().map_err(WitnessRefusal::Internal)?;
    Ok(Cosigned { checkpoint: cp.clone(), state: WitnessState { size: cp.size, root: cp.root }, signatures })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlog::{Signer, Tree, leaf_hash};

    const ORIGIN: &str = "yangguang.example/county-339921";

    struct Log {
        key: Signer,
        tree: Tree,
    }

    impl Log {
        fn new() -> Self {
            Log { key: Signer::new(ORIGIN, [1; 32]).unwrap(), tree: Tree::new() }
        }
        fn grow(&mut self, to: u64) {
            while self.tree.size() < to {
                self.tree.push(leaf_hash(format!("entry {}", self.tree.size()).as_bytes()));
            }
        }
        fn checkpoint(&self, size: u64) -> Checkpoint {
            Checkpoint::new(ORIGIN, size, self.tree.root(size).unwrap()).unwrap()
        }
        fn request(&self, old: u64, size: u64) -> AddCheckpointRequest {
            let note = self.checkpoint(size).sign(&self.key).unwrap();
            AddCheckpointRequest::new(old, self.tree.consistency_proof(old, size).unwrap(), note).unwrap()
        }
    }

    fn witness() -> Cosigner {
        Cosigner::new("witness.example/w1", [2; 32]).unwrap()
    }

    fn decide(log: &Log, req: &AddCheckpointRequest, last: Option<&WitnessState>) -> Result<Cosigned, WitnessRefusal> {
        add_checkpoint(req, &[log.key.verifier()], last, &[witness()], 1_790_000_000)
    }

    #[test]
    fn the_message_and_the_line_have_the_spec_layout() {
        let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            cosignature_message(1_679_315_147, text),
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
        let w = witness();
        let cp = Checkpoint::parse(text).unwrap();
        let sig = w.cosign(&cp, 1_679_315_147).unwrap();
        let raw = BASE64.decode(sig.line().trim_end().rsplit_once(' ').unwrap().1).unwrap();
        assert_eq!(raw.len(), 4 + 8 + 64);
        assert_eq!(&raw[..4], &w.key_id().to_be_bytes());
        assert_eq!(&raw[4..12], &1_679_315_147u64.to_be_bytes());
        assert_eq!(verify_cosignature(&sig.line(), &cp, &w.verifier()), Ok(1_679_315_147));
        let vkey = w.vkey();
        let (head, key) = vkey.rsplit_once('+').unwrap();
        assert_eq!(head, format!("witness.example/w1+{:08x}", w.key_id()));
        assert_eq!(BASE64.decode(key).unwrap(), [&[0x04][..], &w.public_key()].concat());
        assert_eq!(Verifier::parse(&w.vkey()).unwrap(), w.verifier());
        assert_eq!(w.key_id(), crate::tlog::key_id("witness.example/w1", 0x04, &w.public_key()));
    }

    #[test]
    fn a_cosignature_fails_on_another_checkpoint_time_or_key() {
        let w = witness();
        let cp = Checkpoint::new(ORIGIN, 10, [3; 32]).unwrap();
        let line = w.cosign(&cp, 1_700_000_000).unwrap().line();
        let other = Checkpoint::new(ORIGIN, 11, [3; 32]).unwrap();
        assert!(verify_cosignature(&line, &other, &w.verifier()).is_err());
        let mut sig = NoteSignature::parse_line(&line).unwrap();
        sig.signature[7] ^= 1; // the timestamp
        assert!(verify_cosignature(&sig.line(), &cp, &w.verifier()).is_err());
        let stranger = Cosigner::new("witness.example/w1", [4; 32]).unwrap();
        assert!(verify_cosignature(&line, &cp, &stranger.verifier()).is_err());
        let log = Signer::new("witness.example/w1", [2; 32]).unwrap();
        assert!(verify_cosignature(&line, &cp, &log.verifier()).is_err(), "a type-0x01 key is not a witness key");
        assert_eq!(w.cosign(&cp, 0), Err(TlogError::BadTimestamp(0)));
        assert_eq!(w.cosign(&cp, 1 << 63), Err(TlogError::BadTimestamp(1 << 63)));
        // Added to the note, the cosignature verifies there too, with its time.
        let mut note = cp.sign(&Signer::new(ORIGIN, [1; 32]).unwrap()).unwrap();
        note.add_signature(NoteSignature::parse_line(&line).unwrap()).unwrap();
        let got = Note::parse(note.format().as_bytes()).unwrap().verify(&[w.verifier()]).unwrap();
        assert_eq!(got[0].timestamp, Some(1_700_000_000));
    }

    #[test]
    fn requests_round_trip_and_the_spec_example_parses() {
        let mut log = Log::new();
        log.grow(1000);
        let req = log.request(300, 1000);
        assert_eq!(AddCheckpointRequest::parse(req.format().as_bytes()), Ok(req.clone()));
        let example = "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
        let parsed = AddCheckpointRequest::parse(example.as_bytes()).unwrap();
        assert_eq!((parsed.old_size, parsed.proof.len(), parsed.checkpoint.size), (20_852_014, 4, 20_852_163));
        assert_eq!(parsed.format(), example);
    }

    #[test]
    fn malformed_requests_are_400() {
        let mut log = Log::new();
        log.grow(10);
        let good = log.request(3, 10).format();
        let note = log.checkpoint(10).sign(&log.key).unwrap().format();
        let hash = format!("{}\n", BASE64.encode([9u8; 32]));
        for bad in [
            String::new(),
            "old 3".into(),
            good.replace("old 3", "old 03"),
            good.replace("old 3", "old  3"),
            good.replace("old 3", "Old 3"),
            good.replace("old 3", "old -3"),
            format!("old 3\n{}", note),
            format!("old 3\nnot-base64\n\n{note}"),
            format!("old 3\n{}\n\n{note}", BASE64.encode([9u8; 31])),
            format!("old 3\n{}\n{note}", hash.repeat(64)),
            format!("old 3\n\n{}", log.checkpoint(10).body()),
            format!("old 3\n\nx\n\n\u{2014} {ORIGIN} AAAAAAAA\n"),
        ] {
            let got = AddCheckpointRequest::parse(bad.as_bytes());
            assert_eq!(got.as_ref().map_err(WitnessRefusal::status), Err(400), "{bad:?}");
        }
        assert!(AddCheckpointRequest::parse(format!("old 3\n{}\n{note}", hash.repeat(63)).as_bytes()).is_ok());
    }

    #[test]
    fn the_witness_follows_the_log_and_refuses_with_the_specs_statuses() {
        let mut log = Log::new();
        log.grow(1000);
        // First contact: old 0, no proof.
        let first = decide(&log, &log.request(0, 300), None).unwrap();
        assert_eq!(first.state, WitnessState { size: 300, root: log.tree.root(300).unwrap() });
        assert_eq!(first.signatures.len(), 1);
        let body = first.response_body();
        let sigs = parse_signature_lines(&body).unwrap();
        assert_eq!(verify_cosignature(&sigs[0].line(), &log.checkpoint(300), &witness().verifier()), Ok(1_790_000_000));
        // Then with a consistency proof; the same checkpoint again is fine too.
        let second = decide(&log, &log.request(300, 1000), Some(&first.state)).unwrap();
        assert_eq!(second.state.size, 1000);
        assert!(decide(&log, &log.request(1000, 1000), Some(&second.state)).is_ok());

        let status = |r: Result<Cosigned, WitnessRefusal>| r.map(|_| 200).unwrap_or_else(|e| e.status());
        // 409 when old is not the witness's size, with that size in the body.
        let stale = decide(&log, &log.request(0, 1000), Some(&first.state)).unwrap_err();
        assert_eq!((stale.status(), stale.body(), stale.content_type()), (409, "300\n".into(), "text/x.tlog.size"));
        assert_eq!(parse_conflict_body(&stale.body()), Ok(300));
        assert_eq!(status(decide(&log, &log.request(300, 1000), None)), 409);
        // A rollback to a smaller size is a conflict too.
        assert_eq!(status(decide(&log, &log.request(300, 300), Some(&second.state))), 409);
        // 400 when old is above the checkpoint's size.
        let mut backwards = log.request(300, 300);
        backwards.old_size = 1000;
        assert_eq!(status(decide(&log, &backwards, Some(&second.state))), 400);
        // 404 for a log the witness does not know, 403 without a valid log signature.
        assert_eq!(status(add_checkpoint(&log.request(0, 300), &[], None, &[witness()], 1)), 404);
        let stranger = Signer::new(ORIGIN, [9; 32]).unwrap();
        assert_eq!(status(add_checkpoint(&log.request(0, 300), &[stranger.verifier()], None, &[witness()], 1)), 403);
        let mut forged = log.request(0, 300);
        let mut sig = forged.note.signatures()[0].clone();
        sig.signature[5] ^= 1;
        forged.note = Note::new(forged.note.text()).unwrap();
        forged.note.add_signature(sig).unwrap();
        assert_eq!(status(decide(&log, &forged, None)), 403);
        // 422: a bad proof, a proof from 0, a different root at the same size, size 0 with a root.
        let mut bad_proof = log.request(300, 1000);
        bad_proof.proof[0][0] ^= 1;
        assert_eq!(status(decide(&log, &bad_proof, Some(&first.state))), 422);
        let mut proof_from_zero = log.request(0, 300);
        proof_from_zero.proof.push([0; 32]);
        assert_eq!(status(decide(&log, &proof_from_zero, None)), 422);
        let other_root = WitnessState { size: 1000, root: [0; 32] };
        assert_eq!(status(decide(&log, &log.request(1000, 1000), Some(&other_root))), 422);
        let empty_with_root = Checkpoint::new(ORIGIN, 0, [1; 32]).unwrap().sign(&log.key).unwrap();
        let req = AddCheckpointRequest::new(0, vec![], empty_with_root).unwrap();
        assert_eq!(status(decide(&log, &req, None)), 422);
        // 500 for a witness without keys or a clock at 0.
        assert_eq!(status(add_checkpoint(&log.request(0, 300), &[log.key.verifier()], None, &[], 1)), 500);
        assert_eq!(status(add_checkpoint(&log.request(0, 300), &[log.key.verifier()], None, &[witness()], 0)), 500);
    }

    #[test]
    fn a_split_view_is_refused() {
        // The witness saw 300 of one tree; the log then shows a different tree of 1000 that
        // does not extend it.
        let mut honest = Log::new();
        honest.grow(1000);
        let first = decide(&honest, &honest.request(0, 300), None).unwrap();
        let mut leaves: Vec<Hash> = (0..1000).map(|i| honest.tree.leaf(i).unwrap()).collect();
        leaves[100] = leaf_hash(b"rewritten");
        let forked = Log { key: Signer::new(ORIGIN, [1; 32]).unwrap(), tree: Tree::from_leaf_hashes(leaves) };
        let req = forked.request(300, 1000);
        assert_eq!(decide(&forked, &req, Some(&first.state)).unwrap_err().status(), 422);
    }

    #[test]
    fn response_bodies_parse() {
        let w = witness();
        let cp = Checkpoint::new(ORIGIN, 1, [0; 32]).unwrap();
        let body = format!("{}{}", w.cosign(&cp, 5).unwrap().line(), w.cosign(&cp, 6).unwrap().line());
        assert_eq!(parse_signature_lines(&body).unwrap().len(), 2);
        for bad in ["", "\n", "\u{2014} w AAAAAAAA", "- w AAAAAAAA\n"] {
            assert!(parse_signature_lines(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "12", "012\n", "x\n"] {
            assert!(parse_conflict_body(bad).is_err(), "{bad:?}");
        }
    }
}
