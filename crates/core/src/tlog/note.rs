//! C2SP signed notes with Ed25519 keys: key IDs, verifier keys (vkeys), signing, parsing and
//! verifying. Cosignature/v1 signatures (type 0x04) are verified here too, so a checkpoint
//! carrying a log signature and witness cosignatures is checked in one pass.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::TlogError;
use super::witness::cosignature_message;

/// Signature type of plain Ed25519 note signatures.
pub const KEY_TYPE_ED25519: u8 = 0x01;
/// Signature type of timestamped Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature).
pub const KEY_TYPE_COSIGNATURE_V1: u8 = 0x04;
/// The largest note accepted, signatures included.
pub const MAX_NOTE_SIZE: usize = 1_000_000;
/// The most signature lines a note may carry (the spec asks for at least 16).
pub const MAX_NOTE_SIGNATURES: usize = 100;

const EM_DASH_SPACE: &str = "\u{2014} ";

/// Key names are non-empty and contain no Unicode space and no `+` (nor, being part of a
/// note, a control character below U+0020).
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+' || c < ' ')
}

/// `SHA-256(name ‖ 0x0A ‖ key type ‖ public key)[..4]`, big-endian.
pub fn key_id(name: &str, key_type: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', key_type]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

fn check_name(name: &str) -> Result<(), TlogError> {
    if is_valid_key_name(name) { Ok(()) } else { Err(TlogError::KeyName(name.chars().take(200).collect())) }
}

/// A public key that verifies note signatures: Ed25519 (type 0x01) or cosignature/v1 (0x04).
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    key_type: u8,
    key_id: u32,
    key: VerifyingKey,
}

impl Verifier {
    pub fn new(name: &str, key_type: u8, public_key: [u8; 32]) -> Result<Self, TlogError> {
        check_name(name)?;
        if key_type != KEY_TYPE_ED25519 && key_type != KEY_TYPE_COSIGNATURE_V1 {
            return Err(TlogError::UnsupportedKeyType(key_type));
        }
        let key = VerifyingKey::from_bytes(&public_key).map_err(|_| TlogError::MalformedVkey("not an Ed25519 key"))?;
        Ok(Verifier { name: name.to_owned(), key_type, key_id: key_id(name, key_type, &public_key), key })
    }

    /// Parses `<name>+<hex key ID>+<base64(type ‖ public key)>`, checking the key ID.
    pub fn parse(vkey: &str) -> Result<Self, TlogError> {
        let (name, rest) = vkey.split_once('+').ok_or(TlogError::MalformedVkey("expected name+id+key"))?;
        let (id, key) = rest.split_once('+').ok_or(TlogError::MalformedVkey("expected name+id+key"))?;
        if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(TlogError::MalformedVkey("the key ID is not 8 hex digits"));
        }
        let id = u32::from_str_radix(id, 16).map_err(|_| TlogError::MalformedVkey("bad key ID"))?;
        let key = BASE64.decode(key).map_err(|_| TlogError::MalformedVkey("the key is not base64"))?;
        let (&key_type, public) = key.split_first().ok_or(TlogError::MalformedVkey("empty key"))?;
        if key_type != KEY_TYPE_ED25519 && key_type != KEY_TYPE_COSIGNATURE_V1 {
            return Err(TlogError::UnsupportedKeyType(key_type));
        }
        let public: [u8; 32] = public.try_into().map_err(|_| TlogError::MalformedVkey("not a 32-byte key"))?;
        let verifier = Verifier::new(name, key_type, public)?;
        if verifier.key_id != id {
            return Err(TlogError::MalformedVkey("the key ID does not match the key"));
        }
        Ok(verifier)
    }

    /// The vkey string, e.g. `yangguang.example/county-339921+1a2b3c4d+AR…`.
    pub fn vkey(&self) -> String {
        let mut key = vec![self.key_type];
        key.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, BASE64.encode(key))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_type(&self) -> u8 {
        self.key_type
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Checks one signature (the bytes after the key ID) over `text`; a cosignature's
    /// timestamp comes back.
    pub(super) fn check(&self, text: &str, sig: &[u8]) -> Result<Option<u64>, TlogError> {
        let bad = || TlogError::BadSignature(self.name.clone());
        match self.key_type {
            KEY_TYPE_COSIGNATURE_V1 => {
                if sig.len() != 8 + 64 {
                    return Err(bad());
                }
                let (time, sig) = sig.split_at(8);
                let time = u64::from_be_bytes(time.try_into().expect("8 bytes"));
                if time > i64::MAX as u64 {
                    return Err(bad());
                }
                let sig = Signature::from_slice(sig).map_err(|_| bad())?;
                self.key.verify_strict(&cosignature_message(time, text), &sig).map_err(|_| bad())?;
                Ok(Some(time))
            }
            _ => {
                let sig = Signature::from_slice(sig).map_err(|_| bad())?;
                self.key.verify_strict(text.as_bytes(), &sig).map_err(|_| bad())?;
                Ok(None)
            }
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vkey())
    }
}

/// A log's signing key (Ed25519, signature type 0x01).
#[derive(Clone)]
pub struct Signer {
    name: String,
    key: SigningKey,
    key_id: u32,
}

impl Signer {
    /// `secret` is the 32-byte Ed25519 seed; `name` is the key name (for a log, its origin).
    pub fn new(name: &str, secret: [u8; 32]) -> Result<Self, TlogError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(&secret);
        let key_id = key_id(name, KEY_TYPE_ED25519, key.verifying_key().as_bytes());
        Ok(Signer { name: name.to_owned(), key, key_id })
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
        Verifier {
            name: self.name.clone(),
            key_type: KEY_TYPE_ED25519,
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// `<name>+<hex8 key ID>+<base64(0x01 ‖ public key)>`.
    pub fn vkey(&self) -> String {
        self.verifier().vkey()
    }

    /// The signature of a note's text.
    pub fn sign(&self, note: &Note) -> NoteSignature {
        use ed25519_dalek::Signer as _;
        let sig = self.key.sign(note.text.as_bytes());
        NoteSignature { name: self.name.clone(), key_id: self.key_id, signature: sig.to_bytes().to_vec() }
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}, secret hidden)", self.vkey())
    }
}

/// One signature line: `— <name> base64(key ID ‖ signature)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: u32,
    /// The bytes after the key ID (for a cosignature: timestamp ‖ Ed25519 signature).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line, newline included.
    pub fn line(&self) -> String {
        let mut bytes = self.key_id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.signature);
        format!("{EM_DASH_SPACE}{} {}\n", self.name, BASE64.encode(bytes))
    }

    /// Parses one line, with or without its newline.
    pub fn parse_line(line: &str) -> Result<Self, TlogError> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let rest =
            line.strip_prefix(EM_DASH_SPACE).ok_or(TlogError::MalformedNote("a signature line starts with “— ”"))?;
        let (name, sig) =
            rest.split_once(' ').ok_or(TlogError::MalformedNote("a signature line is “— name signature”"))?;
        check_name(name)?;
        let bytes = BASE64.decode(sig).map_err(|_| TlogError::MalformedNote("the signature is not base64"))?;
        if bytes.len() < 5 {
            return Err(TlogError::MalformedNote("the signature is too short"));
        }
        let key_id = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        Ok(NoteSignature { name: name.to_owned(), key_id, signature: bytes[4..].to_vec() })
    }
}

/// A signature that verified against a known key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    pub name: String,
    pub key_id: u32,
    pub key_type: u8,
    /// For a cosignature: when the witness cosigned (Unix seconds).
    pub timestamp: Option<u64>,
}

/// A signed note: text (ending in a newline), a blank line, signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// UTF-8 is given by `&str`; the spec also forbids the control characters below U+0020
/// but newline.
fn check_chars(s: &str) -> Result<(), TlogError> {
    if s.chars().any(|c| c < ' ' && c != '\n') {
        return Err(TlogError::MalformedNote("a control character other than newline"));
    }
    Ok(())
}

impl Note {
    /// A note with this text and no signature yet. The text must be non-empty and end in
    /// a newline.
    pub fn new(text: impl Into<String>) -> Result<Self, TlogError> {
        let text = text.into();
        if text.len() > MAX_NOTE_SIZE {
            return Err(TlogError::MalformedNote("too large"));
        }
        if !text.ends_with('\n') {
            return Err(TlogError::MalformedNote("the text does not end in a newline"));
        }
        check_chars(&text)?;
        Ok(Note { text, signatures: Vec::new() })
    }

    /// Parses a signed note: size, characters and every signature line are checked;
    /// signatures themselves are checked by [`Note::verify`].
    pub fn parse(msg: &[u8]) -> Result<Self, TlogError> {
        if msg.len() > MAX_NOTE_SIZE {
            return Err(TlogError::MalformedNote("too large"));
        }
        let msg = std::str::from_utf8(msg).map_err(|_| TlogError::MalformedNote("not UTF-8"))?;
        check_chars(msg)?;
        // The text ends at the last blank line; it may itself contain blank lines.
        let split = msg.rfind("\n\n").ok_or(TlogError::MalformedNote("no blank line before the signatures"))?;
        let (text, sigs) = (&msg[..=split], &msg[split + 2..]);
        if sigs.is_empty() {
            return Err(TlogError::MalformedNote("no signature"));
        }
        let body =
            sigs.strip_suffix('\n').ok_or(TlogError::MalformedNote("the last line does not end in a newline"))?;
        let lines: Vec<&str> = body.split('\n').collect();
        if lines.len() > MAX_NOTE_SIGNATURES {
            return Err(TlogError::MalformedNote("too many signatures"));
        }
        let signatures = lines.into_iter().map(NoteSignature::parse_line).collect::<Result<_, _>>()?;
        Ok(Note { text: text.to_owned(), signatures })
    }

    /// The text, a blank line and the signature lines.
    pub fn format(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.line());
        }
        out
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature line (for instance a witness's cosignature).
    pub fn add_signature(&mut self, signature: NoteSignature) -> Result<(), TlogError> {
        if self.signatures.len() >= MAX_NOTE_SIGNATURES {
            return Err(TlogError::MalformedNote("too many signatures"));
        }
        self.signatures.push(signature);
        Ok(())
    }

    /// Signs the text with `signer` and adds the line.
    pub fn sign(&mut self, signer: &Signer) -> Result<(), TlogError> {
        let sig = signer.sign(self);
        self.add_signature(sig)
    }

    /// Verifies the note against known keys, as signed-note says: lines whose (name, key
    /// ID) match no known key are ignored; a line that matches a known key but does not
    /// verify rejects the note; at least one known key must have signed. Returns one entry
    /// per known key that signed (the latest timestamp for a cosigner that signed twice).
    pub fn verify(&self, known: &[Verifier]) -> Result<Vec<VerifiedSignature>, TlogError> {
        let mut verified: Vec<VerifiedSignature> = Vec::new();
        for sig in &self.signatures {
            let candidates: Vec<&Verifier> =
                known.iter().filter(|v| v.name == sig.name && v.key_id == sig.key_id).collect();
            if candidates.is_empty() {
                continue;
            }
            let mut outcome = Err(TlogError::BadSignature(sig.name.clone()));
            for v in &candidates {
                if let Ok(time) = v.check(&self.text, &sig.signature) {
                    outcome = Ok((v.key_type, time));
                    break;
                }
            }
            let (key_type, timestamp) = outcome?;
            match verified.iter_mut().find(|v| v.name == sig.name && v.key_id == sig.key_id) {
                Some(seen) => seen.timestamp = seen.timestamp.max(timestamp),
                None => {
                    verified.push(VerifiedSignature { name: sig.name.clone(), key_id: sig.key_id, key_type, timestamp })
                }
            }
        }
        if verified.is_empty() { Err(TlogError::NoKnownSignature) } else { Ok(verified) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(name: &str, seed: u8) -> Signer {
        Signer::new(name, [seed; 32]).unwrap()
    }

    #[test]
    fn the_specs_example_note_verifies_with_its_vkey() {
        let v = Verifier::parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k").unwrap();
        assert_eq!(v.vkey(), "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
        let msg = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
        let note = Note::parse(msg.as_bytes()).unwrap();
        assert_eq!(note.text(), "This is an example message.\n");
        assert_eq!(note.format(), msg);
        let ok = note.verify(std::slice::from_ref(&v)).unwrap();
        assert_eq!(
            ok,
            vec![VerifiedSignature {
                name: "example.com/foo".into(),
                key_id: 0x530d903a,
                key_type: 1,
                timestamp: None
            }]
        );
        let forged = msg.replace("example message", "example massage");
        assert_eq!(
            Note::parse(forged.as_bytes()).unwrap().verify(&[v]),
            Err(TlogError::BadSignature("example.com/foo".into()))
        );
    }

    #[test]
    fn signing_reproduces_the_go_reference_vector() {
        // golang.org/x/mod/sumdb/note's example key and signature.
        let seed = BASE64.decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz").unwrap();
        let s = Signer::new("PeterNeumann", seed[1..].try_into().unwrap()).unwrap();
        assert_eq!(s.vkey(), "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
        let mut note = Note::new(
            "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
        )
        .unwrap();
        note.sign(&s).unwrap();
        assert!(note.format().ends_with(
            "\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        ));
    }

    #[test]
    fn unknown_signatures_are_ignored_and_a_bad_known_one_rejects() {
        let (log, other) = (signer("yangguang.example/county-339921", 1), signer("elsewhere.example/log", 2));
        let mut note = Note::new("yangguang.example/county-339921\n5\nAAAA\n").unwrap();
        note.sign(&other).unwrap();
        note.sign(&log).unwrap();
        let parsed = Note::parse(note.format().as_bytes()).unwrap();
        assert_eq!(parsed, note);
        assert_eq!(parsed.verify(&[log.verifier()]).unwrap().len(), 1);
        assert_eq!(parsed.verify(&[other.verifier(), log.verifier()]).unwrap().len(), 2);
        assert_eq!(parsed.verify(&[]), Err(TlogError::NoKnownSignature));
        // Same name, other key: a different key ID, so ignored rather than failed.
        let impostor = signer("yangguang.example/county-339921", 3);
        assert_eq!(parsed.verify(&[impostor.verifier()]), Err(TlogError::NoKnownSignature));
        // A line under the known name and ID that does not verify rejects the whole note.
        let mut bad = note.clone();
        let mut sig = log.sign(&note);
        sig.signature[0] ^= 1;
        bad.add_signature(sig).unwrap();
        assert!(matches!(bad.verify(&[log.verifier()]), Err(TlogError::BadSignature(_))));
    }

    #[test]
    fn vkeys_round_trip_and_malformed_ones_are_refused() {
        let s = signer("yangguang.example/county-339921", 9);
        let v = Verifier::parse(&s.vkey()).unwrap();
        assert_eq!(v, s.verifier());
        assert_eq!(v.key_id(), key_id(s.name(), 1, &s.public_key()));
        let vkey = s.vkey();
        let (head, key) = vkey.rsplit_once('+').unwrap();
        assert_eq!(head, format!("yangguang.example/county-339921+{:08x}", s.key_id()));
        assert_eq!(BASE64.decode(key).unwrap(), [&[0x01][..], &s.public_key()].concat());
        let good = s.vkey();
        for bad in [
            String::new(),
            "name".into(),
            "name+12345678".into(),
            good.replacen("+", "++", 1),
            good.replacen("yangguang", "Yangguang", 1),
            format!("bad name+{}", &good[good.find('+').unwrap() + 1..]),
            format!("{}+1234567+AQ", s.name()),
            format!("{}+{:08x}+{}", s.name(), s.key_id(), BASE64.encode([2u8; 33])),
            format!("{}+{:08x}+{}", s.name(), s.key_id(), BASE64.encode([1u8; 32])),
            good.clone() + "A",
        ] {
            assert!(Verifier::parse(&bad).is_err(), "{bad}");
        }
        assert_eq!(Verifier::new("a b", 1, s.public_key()), Err(TlogError::KeyName("a b".into())));
        assert!(Signer::new("a+b", [0; 32]).is_err());
        assert!(!format!("{s:?}").contains(&hex::encode([9u8; 32])));
    }

    #[test]
    fn malformed_notes_are_refused() {
        let s = signer("log.example", 4);
        let mut note = Note::new("hello\n\nworld\n").unwrap();
        note.sign(&s).unwrap();
        let good = note.format();
        // Blank lines inside the text are fine: the last one separates.
        assert_eq!(Note::parse(good.as_bytes()).unwrap().text(), "hello\n\nworld\n");
        let line = s.sign(&note).line();
        for bad in [
            String::new(),
            "hello\n".into(),
            "hello\n\n".into(),
            good.trim_end().into(),
            good.replace('\u{2014}', "-"),
            good.replace("\u{2014} ", "\u{2014}  "),
            good.replace("log.example ", "log.example"),
            good.replace("hello", "he\tllo"),
            good.replace("hello", "he\rllo"),
            "hello\n\n\u{2014} log.example AAAA\n".into(),
            "hello\n\n\u{2014} log.example !!!!\n".into(),
        ] {
            assert!(Note::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(Note::parse(b"hi\n\n\xff\n").is_err());
        assert!(Note::new("no newline").is_err());
        // Only controls below U+0020 are forbidden: DEL and C1 controls are text.
        assert!(Note::new("a\u{7f}b\u{85}c\n").is_ok());
        assert!(Note::new("").is_err());
        let many = format!("hello\n\n{}", line.repeat(MAX_NOTE_SIGNATURES + 1));
        assert_eq!(Note::parse(many.as_bytes()), Err(TlogError::MalformedNote("too many signatures")));
        let huge = format!("{}\n\n{line}", "a".repeat(MAX_NOTE_SIZE));
        assert_eq!(Note::parse(huge.as_bytes()), Err(TlogError::MalformedNote("too large")));
        let enough = format!("hello\n\n{}", line.repeat(MAX_NOTE_SIGNATURES));
        assert_eq!(Note::parse(enough.as_bytes()).unwrap().signatures().len(), MAX_NOTE_SIGNATURES);
    }
}
