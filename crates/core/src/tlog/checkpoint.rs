//! C2SP tlog-checkpoint: the signed note text `<origin>\n<size>\n<base64 root>\n`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::merkle::Hash;
use super::note::{MAX_NOTE_SIZE, Note, Signer, VerifiedSignature, Verifier, is_valid_key_name};
use super::{TlogError, canonical_decimal};

/// A tree head: which log, how many leaves, which root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// A checkpoint of ours. The origin doubles as the log's key name, so beyond the
    /// spec's "non-empty, one line" it must be a valid key name (no spaces, no `+`), as the
    /// spec recommends, e.g. `yangguang.example/county-339921`.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, TlogError> {
        let origin = origin.into();
        if !is_valid_key_name(&origin) {
            return Err(TlogError::MalformedCheckpoint("the origin must be a key name: no spaces, no “+”"));
        }
        Ok(Checkpoint { origin, size, root })
    }

    /// The note text.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, BASE64.encode(self.root))
    }

    /// Parses a note text. Any non-empty origin line is taken, as the spec requires of
    /// clients; extension lines are refused (the spec discourages them and we never sign
    /// any, so a checkpoint with them is not one of ours).
    pub fn parse(text: &str) -> Result<Self, TlogError> {
        if text.len() > MAX_NOTE_SIZE {
            return Err(TlogError::MalformedCheckpoint("too large"));
        }
        let body =
            text.strip_suffix('\n').ok_or(TlogError::MalformedCheckpoint("the text does not end in a newline"))?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, root] = lines[..] else {
            return Err(if lines.len() > 3 {
                TlogError::MalformedCheckpoint("extension lines are not supported")
            } else {
                TlogError::MalformedCheckpoint("expected origin, size and root lines")
            });
        };
        if origin.is_empty() || origin.chars().any(|c| c < ' ') {
            return Err(TlogError::MalformedCheckpoint("empty or invalid origin"));
        }
        let size = canonical_decimal(size).ok_or(TlogError::MalformedCheckpoint("the size is not a plain decimal"))?;
        let root = BASE64
            .decode(root)
            .ok()
            .and_then(|r| Hash::try_from(r).ok())
            .filter(|r| BASE64.encode(r) == root)
            .ok_or(TlogError::MalformedCheckpoint("the root is not a base64 SHA-256 hash"))?;
        Ok(Checkpoint { origin: origin.to_owned(), size, root })
    }

    /// The checkpoint as a note signed by the log's key.
    pub fn sign(&self, signer: &Signer) -> Result<Note, TlogError> {
        let mut note = Note::new(self.body())?;
        note.sign(signer)?;
        Ok(note)
    }

    /// Parses a signed checkpoint and verifies it against the known keys (log keys and,
    /// if given, witness keys): the checkpoint, the note and who signed it.
    pub fn open(signed: &[u8], known: &[Verifier]) -> Result<(Checkpoint, Note, Vec<VerifiedSignature>), TlogError> {
        let note = Note::parse(signed)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        let verified = note.verify(known)?;
        Ok((checkpoint, note, verified))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlog::EMPTY_ROOT;

    #[test]
    fn the_specs_example_body_parses_and_formats_back() {
        let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let c = Checkpoint::parse(text).unwrap();
        assert_eq!((c.origin.as_str(), c.size), ("example.com/behind-the-sofa", 20_852_163));
        assert_eq!(c.body(), text);
        let empty = Checkpoint::new("yangguang.example/county-339921", 0, EMPTY_ROOT).unwrap();
        assert_eq!(empty.body(), "yangguang.example/county-339921\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
        assert_eq!(Checkpoint::parse(&empty.body()), Ok(empty));
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        for bad in [
            String::new(),
            format!("o\n1\n{root}"),
            format!("\n1\n{root}\n"),
            format!("o\n01\n{root}\n"),
            format!("o\n+1\n{root}\n"),
            format!("o\n-1\n{root}\n"),
            format!("o\n\n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n".into(),
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".into(),
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=AAAA\n".into(),
            format!("o\n1\n{root}\nextension\n"),
            format!("o\n1\n{root}\n\n"),
            "o\n1\n".into(),
        ] {
            assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(Checkpoint::parse(&format!("a b\n1\n{root}\n")).unwrap().origin, "a b");
        assert!(Checkpoint::new("a b", 1, EMPTY_ROOT).is_err());
        assert!(Checkpoint::new("", 1, EMPTY_ROOT).is_err());
        assert!(Checkpoint::new("a\nb", 1, EMPTY_ROOT).is_err());
    }

    #[test]
    fn a_signed_checkpoint_opens_only_with_the_log_key() {
        let log = Signer::new("yangguang.example/county-339921", [5; 32]).unwrap();
        let c = Checkpoint::new(log.name(), 42, [7; 32]).unwrap();
        let signed = c.sign(&log).unwrap().format();
        let (opened, note, who) = Checkpoint::open(signed.as_bytes(), &[log.verifier()]).unwrap();
        assert_eq!((opened, note.text(), who.len()), (c.clone(), c.body().as_str(), 1));
        let stranger = Signer::new("yangguang.example/county-339921", [6; 32]).unwrap();
        assert_eq!(
            Checkpoint::open(signed.as_bytes(), &[stranger.verifier()]).unwrap_err(),
            TlogError::NoKnownSignature
        );
        let forged = signed.replace("\n42\n", "\n43\n");
        assert!(matches!(Checkpoint::open(forged.as_bytes(), &[log.verifier()]), Err(TlogError::BadSignature(_))));
    }
}
