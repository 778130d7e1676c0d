//! Settings: defaults in code → a TOML file (`--config` or `YANGGUANG_CONFIG`) →
//! `YANGGUANG__SECTION__KEY` environment variables → command-line flags. Unknown keys, in
//! the file or the environment, are errors: a typo must not silently fall back to a default.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub server: ServerSettings,
    pub storage: StorageSettings,
    pub catalog: CatalogSettings,
    pub log: LogSettings,
    pub uploads: UploadSettings,
    pub trading: TradingSettings,
    pub sms: SmsSettings,
    pub transparency: TransparencySettings,
    pub tips: TipsSettings,
    pub villagers: VillagerSettings,
    pub cache: crate::scale::CacheSettings,
    pub jobs: crate::scale::JobSettings,
    pub search: SearchSettings,
    pub visits: VisitSettings,
    pub files: crate::file_settings::FilesSettings,
}

/// Where the full-text search index lives (derived from the database: it can be deleted and
/// is rebuilt at the next start).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchSettings {
    /// Empty for `<data_dir>/search`.
    pub dir: String,
}

/// Visit statistics (访问统计): whether page views are counted, how often the counts are
/// written, how many may wait. Strings, like the server's numbers, so that the environment
/// can set them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VisitSettings {
    pub enabled: String,
    pub flush_seconds: String,
    pub queue: String,
}

impl Default for VisitSettings {
    fn default() -> Self {
        let d = yangguang_app::visits::VisitSettings::default();
        Self {
            enabled: d.enabled.to_string(),
            flush_seconds: d.flush_every.as_secs().to_string(),
            queue: d.queue.to_string(),
        }
    }
}

impl VisitSettings {
    pub fn settings(&self) -> anyhow::Result<yangguang_app::visits::VisitSettings> {
        let enabled = match self.enabled.trim() {
            "true" => true,
            "false" => false,
            other => bail!("visits.enabled must be \"true\" or \"false\", not {other:?}"),
        };
        let num = |name: &str, v: &str, max: u64| -> anyhow::Result<u64> {
            match v.trim().parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => bail!("visits.{name} must be a whole number from 1 to {max}, not {v:?}"),
            }
        };
        Ok(yangguang_app::visits::VisitSettings {
            enabled,
            flush_every: std::time::Duration::from_secs(num("flush_seconds", &self.flush_seconds, 3600)?),
            queue: num("queue", &self.queue, 10_000_000)? as usize,
        })
    }
}

/// 监督举报: the discipline commission's public key (from `yangguang tips keygen`); empty
/// keeps the whistle-blowing form closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TipsSettings {
    pub public_key: String,
}

impl TipsSettings {
    pub fn public_key(&self) -> anyhow::Result<Option<yangguang_app::tips::seal::PublicKey>> {
        if self.public_key.trim().is_empty() {
            return Ok(None);
        }
        yangguang_app::tips::seal::parse_public_key(&self.public_key)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("tips.public_key: {e}"))
    }
}

/// Villagers' questions: the days the village has to answer (the law's 10 by default; some
/// rules say 7), and other deadlines for some counties by county code
/// (`[villagers.question_days_by_county]` `"339921000000" = 7`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VillagerSettings {
    pub question_days: i64,
    pub question_days_by_county: std::collections::BTreeMap<String, i64>,
}

impl Default for VillagerSettings {
    fn default() -> Self {
        Self { question_days: 10, question_days_by_county: Default::default() }
    }
}

impl VillagerSettings {
    /// Checks the days (1 to 60) and county codes, and puts them in the site's settings.
    pub fn apply(&self, to: &mut yangguang_app::questions::QuestionSettings) -> anyhow::Result<()> {
        let check = |days: i64, key: &str| {
            if !(1..=60).contains(&days) {
                bail!("{key} must be a number of days from 1 to 60, not {days}");
            }
            Ok(())
        };
        check(self.question_days, "villagers.question_days")?;
        for (county, days) in &self.question_days_by_county {
            let code = yangguang_core::RegionCode::parse(county)
                .map_err(|e| anyhow::anyhow!("villagers.question_days_by_county: {county:?}: {e}"))?;
            if code.ancestor_at(yangguang_core::region::CodeLevel::County) != code {
                bail!("villagers.question_days_by_county: {county} is not a county code (like 339921000000)");
            }
            check(*days, &format!("villagers.question_days_by_county.{county}"))?;
        }
        to.days = self.question_days;
        to.county_days = self.question_days_by_county.clone();
        Ok(())
    }
}

/// The transparency log's name and the witnesses asked to cosign its checkpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransparencySettings {
    /// The checkpoints' origin line (and the log key's name); empty for `yangguang/<county code>`.
    pub origin: String,
    /// Witnesses: `[[transparency.witness]]` with `url` and `key` (the witness's vkey).
    pub witness: Vec<WitnessSettings>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WitnessSettings {
    /// Where the witness answers, e.g. `https://witness.example.org/` (`add-checkpoint` is appended).
    pub url: String,
    /// The witness's verifier key, `<name>+<key id>+<base64 key>` (it prints it when it starts).
    pub key: String,
}

/// Limits on attachments clerks upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadSettings {
    pub max_megabytes: String,
    pub max_megapixels: String,
    pub max_side_pixels: String,
    pub max_files: String,
}

impl Default for UploadSettings {
    fn default() -> Self {
        let d = yangguang_app::uploads::UploadLimits::default();
        Self {
            max_megabytes: (d.max_bytes / 1024 / 1024).to_string(),
            max_megapixels: (d.max_pixels / 1_000_000).to_string(),
            max_side_pixels: d.max_side.to_string(),
            max_files: d.max_files.to_string(),
        }
    }
}

impl UploadSettings {
    /// The limits, checked: each a positive whole number within reason.
    pub fn limits(&self) -> anyhow::Result<yangguang_app::uploads::UploadLimits> {
        let num = |name: &str, v: &str, max: u64| -> anyhow::Result<u64> {
            match v.trim().parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => bail!("uploads.{name} must be a whole number from 1 to {max}, not {v:?}"),
            }
        };
        Ok(yangguang_app::uploads::UploadLimits {
            max_bytes: num("max_megabytes", &self.max_megabytes, 50)? as usize * 1024 * 1024,
            max_pixels: num("max_megapixels", &self.max_megapixels, 200)? * 1_000_000,
            max_side: num("max_side_pixels", &self.max_side_pixels, 30_000)? as u32,
            max_files: num("max_files", &self.max_files, 50)? as usize,
        })
    }
}

/// How villagers' one-time login codes are sent: `console` prints them (development, demo);
/// `http` posts `{"to", "text"}` as JSON to `url` with `token` as a bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsSettings {
    pub sender: String,
    pub url: String,
    pub token: String,
    /// Staff with a number on file get one text a day (08:00–20:00) summing up what waits
    /// for them; `false` sends none.
    pub staff_digest: bool,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self { sender: "console".into(), url: String::new(), token: String::new(), staff_digest: true }
    }
}

impl SmsSettings {
    pub fn sender(&self) -> anyhow::Result<std::sync::Arc<dyn yangguang_app::villagers::SmsSender>> {
        match self.sender.as_str() {
            "console" => Ok(yangguang_app::villagers::default_sender()),
            "http" if self.url.starts_with("https://") || self.url.starts_with("http://") => {
                let token = Some(self.token.clone()).filter(|t| !t.is_empty());
                Ok(std::sync::Arc::new(yangguang_app::villagers::HttpSms::new(&self.url, token)))
            }
            "http" => bail!("sms.url must be the gateway's http:// or https:// address when sms.sender is \"http\""),
            other => bail!("sms.sender must be \"console\" or \"http\", not {other:?}"),
        }
    }
}

/// The property trading platform: where its feed is pulled from and the secret its pushes are
/// signed with. Both empty: no feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TradingSettings {
    pub feed_url: String,
    pub feed_token: String,
    pub pull_every_minutes: String,
    pub push_secret: String,
    pub ocid_prefix: String,
}

impl Default for TradingSettings {
    fn default() -> Self {
        let d = yangguang_app::trading::TradingConfig::default();
        Self {
            feed_url: String::new(),
            feed_token: String::new(),
            pull_every_minutes: (d.interval.as_secs() / 60).to_string(),
            push_secret: String::new(),
            ocid_prefix: d.ocid_prefix,
        }
    }
}

impl TradingSettings {
    pub fn config(&self) -> anyhow::Result<yangguang_app::trading::TradingConfig> {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let minutes = match self.pull_every_minutes.trim().parse::<u64>() {
            Ok(n) if (1..=24 * 60).contains(&n) => n,
            _ => bail!(
                "trading.pull_every_minutes must be a whole number from 1 to 1440, not {:?}",
                self.pull_every_minutes
            ),
        };
        if let Some(url) = some(&self.feed_url)
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            bail!(
                "trading.feed_url must be an http:// or https:// address, not {:?}",
                yangguang_app::redact::url(&url)
            );
        }
        if some(&self.push_secret).is_some_and(|s| s.len() < 16) {
            bail!("trading.push_secret must be at least 16 characters long");
        }
        if !self.ocid_prefix.starts_with("ocds-") {
            bail!("trading.ocid_prefix must be an OCDS prefix such as ocds-a1b2c3, not {:?}", self.ocid_prefix);
        }
        Ok(yangguang_app::trading::TradingConfig {
            feed_url: some(&self.feed_url),
            feed_token: some(&self.feed_token),
            interval: std::time::Duration::from_secs(minutes * 60),
            push_secret: some(&self.push_secret),
            ocid_prefix: self.ocid_prefix.clone(),
            ..Default::default()
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    pub listen: String,
    /// The reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed. In
    /// the file a list; in the environment a comma-separated string.
    #[serde(deserialize_with = "list_or_string")]
    pub trusted_proxies: Vec<String>,
    /// Seconds a client has to send a request's headers (an idle connection is closed after it).
    pub header_timeout_seconds: String,
    /// Seconds a request body may pause between two reads.
    pub body_timeout_seconds: String,
    /// Connections served at once; more wait until one ends.
    pub max_connections: String,
    /// The public base URL (`https://cunwu.example.gov.cn`): absolute links in feeds and open
    /// data, the domain of feed ids, and the QR code of every paper board sheet. Empty: the
    /// address each request came to.
    pub public_url: String,
}

impl ServerSettings {
    /// The limits on slow clients, checked: each a whole number within reason.
    pub fn limits(&self) -> anyhow::Result<yangguang_web::ServerLimits> {
        let num = |name: &str, v: &str, max: u64| -> anyhow::Result<u64> {
            match v.trim().parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => bail!("server.{name} must be a whole number from 1 to {max}, not {v:?}"),
            }
        };
        Ok(yangguang_web::ServerLimits {
            header_timeout: std::time::Duration::from_secs(num(
                "header_timeout_seconds",
                &self.header_timeout_seconds,
                600,
            )?),
            body_timeout: std::time::Duration::from_secs(num(
                "body_timeout_seconds",
                &self.body_timeout_seconds,
                3600,
            )?),
            max_connections: num("max_connections", &self.max_connections, 1_000_000)? as usize,
        })
    }

    /// The public base URL, checked: `http(s)://host[:port][/path]`, without a trailing slash.
    pub fn public_url(&self) -> anyhow::Result<Option<String>> {
        let url = self.public_url.trim().trim_end_matches('/');
        if url.is_empty() {
            return Ok(None);
        }
        let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        match host.and_then(|h| h.split('/').next()) {
            Some(h) if !h.is_empty() && !h.contains('@') && !url.contains(['?', '#', ' ']) => Ok(Some(url.to_owned())),
            _ => bail!(
                "server.public_url must be an http:// or https:// address such as https://cunwu.example.gov.cn, not {url:?}"
            ),
        }
    }

    pub fn trusted_proxies(&self) -> anyhow::Result<yangguang_web::proxy::TrustedProxies> {
        yangguang_web::proxy::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("server.trusted_proxies: {e}"))
    }
}

/// A list of strings, given as a TOML array or as one comma-separated string (what an
/// environment variable can say).
fn list_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<String>),
        String(String),
    }
    Ok(match ListOrString::deserialize(d)? {
        ListOrString::List(list) => list,
        ListOrString::String(s) => s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSettings {
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; empty for the SQLite file in the data directory.
    pub database: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CatalogSettings {
    /// Where `columns.toml` and `items.toml` live; empty for `<data_dir>/catalog`.
    pub dir: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter such as `info` or `yangguang_web=debug`; `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for Settings {
    fn default() -> Self {
        let limits = yangguang_web::ServerLimits::default();
        Self {
            server: ServerSettings {
                listen: "127.0.0.1:8080".into(),
                trusted_proxies: vec!["127.0.0.0/8".into(), "::1/128".into()],
                header_timeout_seconds: limits.header_timeout.as_secs().to_string(),
                body_timeout_seconds: limits.body_timeout.as_secs().to_string(),
                max_connections: limits.max_connections.to_string(),
                public_url: String::new(),
            },
            storage: StorageSettings { data_dir: PathBuf::from("./yangguang-data"), database: String::new() },
            catalog: CatalogSettings::default(),
            log: LogSettings { format: "text".into(), level: "info".into() },
            uploads: UploadSettings::default(),
            trading: TradingSettings::default(),
            sms: SmsSettings::default(),
            transparency: TransparencySettings::default(),
            tips: TipsSettings::default(),
            villagers: VillagerSettings::default(),
            cache: Default::default(),
            jobs: Default::default(),
            search: SearchSettings::default(),
            visits: VisitSettings::default(),
            files: Default::default(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Settings::default().server
    }
}

impl Default for StorageSettings {
    fn default() -> Self {
        Settings::default().storage
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Settings::default().log
    }
}

/// What the command line says; `None` leaves the lower layers' value.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database: Option<String>,
    /// `--files`: `local` or `s3://bucket/prefix`.
    pub files: Option<String>,
}

const ENV_PREFIX: &str = "YANGGUANG__";

impl Settings {
    pub fn load(overrides: &Overrides, env: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Self> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let config = overrides
            .config
            .clone()
            .or_else(|| env.iter().find(|(k, _)| k == "YANGGUANG_CONFIG").map(|(_, v)| PathBuf::from(v)));
        let mut value = toml::Value::try_from(Settings::default()).context("default settings")?;
        if let Some(path) = &config {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the config file {}", path.display()))?;
            let file: toml::Value = toml::from_str(&text)
                .with_context(|| format!("the config file {} is not valid TOML", path.display()))?;
            merge(&mut value, file);
        }
        for (key, v) in env.iter().filter(|(k, _)| k.starts_with(ENV_PREFIX)) {
            let path: Vec<String> = key[ENV_PREFIX.len()..].split("__").map(|s| s.to_ascii_lowercase()).collect();
            let [section, name] = path.as_slice() else {
                bail!("environment variable {key}: expected YANGGUANG__SECTION__KEY");
            };
            let table = value.as_table_mut().expect("settings are a table");
            let Some(section_table) = table.get_mut(section).and_then(|s| s.as_table_mut()) else {
                bail!("environment variable {key}: there is no settings section [{section}]");
            };
            if !section_table.contains_key(name) {
                bail!("environment variable {key}: section [{section}] has no key {name}");
            }
            section_table.insert(name.clone(), toml::Value::String(v.clone()));
        }
        let mut settings: Settings = value.try_into().map_err(|e: toml::de::Error| {
            anyhow::anyhow!(
                "invalid settings{}: {}",
                config.as_deref().map(|p| format!(" in {}", p.display())).unwrap_or_default(),
                e.message()
            )
        })?;
        if let Some(listen) = &overrides.listen {
            settings.server.listen = listen.clone();
        }
        if let Some(dir) = &overrides.data_dir {
            settings.storage.data_dir = dir.clone();
        }
        if let Some(db) = &overrides.database {
            settings.storage.database = db.clone();
        }
        if let Some(files) = &overrides.files {
            settings.files.apply_url(files)?;
        }
        settings.server.trusted_proxies()?;
        settings.server.limits()?;
        settings.uploads.limits()?;
        settings.trading.config()?;
        settings.server.public_url()?;
        settings.sms.sender()?;
        settings.tips.public_key()?;
        settings.villagers.apply(&mut Default::default())?;
        settings.visits.settings()?;
        settings.files.validate()?;
        if !matches!(settings.log.format.as_str(), "text" | "json") {
            bail!("log.format must be \"text\" or \"json\", not {:?}", settings.log.format);
        }
        Ok(settings)
    }

    pub fn database(&self) -> Option<&str> {
        Some(self.storage.database.as_str()).filter(|d| !d.is_empty())
    }

    pub fn search_dir(&self) -> PathBuf {
        if self.search.dir.is_empty() {
            self.storage.data_dir.join("search")
        } else {
            Path::new(&self.search.dir).to_path_buf()
        }
    }

    pub fn catalog_dir(&self) -> PathBuf {
        if self.catalog.dir.is_empty() {
            self.storage.data_dir.join("catalog")
        } else {
            Path::new(&self.catalog.dir).to_path_buf()
        }
    }

    /// The effective settings as TOML, with credentials redacted: secrets shown as `***`, and
    /// passwords, tokens and secret parameters inside every URL.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        for url in [&mut shown.storage.database, &mut shown.trading.feed_url, &mut shown.sms.url] {
            *url = yangguang_app::redact::url(url);
        }
        for secret in [&mut shown.trading.feed_token, &mut shown.trading.push_secret, &mut shown.sms.token] {
            if !secret.is_empty() {
                *secret = "***".into();
            }
        }
        toml::to_string(&shown).expect("settings serialise")
    }
}

fn merge(base: &mut toml::Value, top: toml::Value) {
    match (base, top) {
        (toml::Value::Table(b), toml::Value::Table(t)) => {
            for (k, v) in t {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, t) => *b = t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn layers_apply_in_order_and_flags_win() {
        let dir = std::env::temp_dir().join(format!("yg-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("y.toml");
        std::fs::write(&file, "[server]\nlisten = \"0.0.0.0:9000\"\n[storage]\ndata_dir = \"/srv/yg\"\n").unwrap();
        let o = Overrides { config: Some(file.clone()), ..Overrides::default() };
        let s = Settings::load(&o, env(&[("YANGGUANG__STORAGE__DATA_DIR", "/env/yg")])).unwrap();
        assert_eq!((s.server.listen.as_str(), s.storage.data_dir.as_path()), ("0.0.0.0:9000", Path::new("/env/yg")));
        let o = Overrides { config: Some(file), listen: Some("127.0.0.1:1".into()), ..Overrides::default() };
        let s = Settings::load(&o, env(&[])).unwrap();
        assert_eq!(s.server.listen, "127.0.0.1:1");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = Settings::load(&Overrides::default(), env(&[("YANGGUANG__SERVER__LISTN", "x")])).unwrap_err();
        assert!(err.to_string().contains("no key listn"), "{err}");
        let dir = std::env::temp_dir().join(format!("yg-settings-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("y.toml");
        std::fs::write(&file, "[server]\nport = 1\n").unwrap();
        let err = Settings::load(&Overrides { config: Some(file), ..Overrides::default() }, env(&[])).unwrap_err();
        assert!(format!("{err:#}").contains("port"), "{err:#}");
    }

    #[test]
    fn the_public_url_is_checked() {
        let mut s = Settings::default();
        assert_eq!(s.server.public_url().unwrap(), None);
        s.server.public_url = "https://cunwu.example.cn/".into();
        assert_eq!(s.server.public_url().unwrap().as_deref(), Some("https://cunwu.example.cn"));
        for bad in ["cunwu.example.cn", "ftp://x.cn", "https://u@x.cn", "https://"] {
            s.server.public_url = bad.into();
            assert!(s.server.public_url().is_err(), "{bad}");
        }
    }

    #[test]
    fn trusted_proxies_are_a_list_in_the_file_or_the_environment_and_checked() {
        let s = Settings::load(&Overrides::default(), env(&[])).unwrap();
        let local = s.server.trusted_proxies().unwrap();
        assert!(local.contains("127.0.0.1".parse().unwrap()) && local.contains("::1".parse().unwrap()));
        assert!(!local.contains("10.0.0.1".parse().unwrap()), "by default only a proxy on this machine");

        let dir = std::env::temp_dir().join(format!("yg-settings-proxies-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("y.toml");
        std::fs::write(&file, "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\"]\n").unwrap();
        let s = Settings::load(&Overrides { config: Some(file), ..Overrides::default() }, env(&[])).unwrap();
        assert_eq!(s.server.trusted_proxies, ["10.0.0.0/8", "192.0.2.7"]);
        assert!(s.server.trusted_proxies().unwrap().contains("10.9.9.9".parse().unwrap()));

        let vars = [("YANGGUANG__SERVER__TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8")];
        let s = Settings::load(&Overrides::default(), env(&vars)).unwrap();
        assert_eq!(s.server.trusted_proxies, ["10.0.0.0/8", "fd00::/8"]);
        let vars = [("YANGGUANG__SERVER__TRUSTED_PROXIES", "")];
        let none = Settings::load(&Overrides::default(), env(&vars)).unwrap().server.trusted_proxies().unwrap();
        assert!(!none.contains("127.0.0.1".parse().unwrap()), "an empty list trusts nobody");
        let vars = [("YANGGUANG__SERVER__TRUSTED_PROXIES", "nginx")];
        let err = Settings::load(&Overrides::default(), env(&vars)).unwrap_err();
        assert!(err.to_string().contains("server.trusted_proxies") && err.to_string().contains("nginx"), "{err}");
    }

    #[test]
    fn server_limits_are_read_and_checked() {
        let s = Settings::load(&Overrides::default(), env(&[])).unwrap();
        assert_eq!(s.server.limits().unwrap(), yangguang_web::ServerLimits::default());
        let vars = [("YANGGUANG__SERVER__HEADER_TIMEOUT_SECONDS", "3"), ("YANGGUANG__SERVER__MAX_CONNECTIONS", "64")];
        let limits = Settings::load(&Overrides::default(), env(&vars)).unwrap().server.limits().unwrap();
        assert_eq!((limits.header_timeout.as_secs(), limits.max_connections), (3, 64));
        for (key, value) in [
            ("YANGGUANG__SERVER__HEADER_TIMEOUT_SECONDS", "0"),
            ("YANGGUANG__SERVER__BODY_TIMEOUT_SECONDS", "soon"),
            ("YANGGUANG__SERVER__MAX_CONNECTIONS", "-1"),
        ] {
            let err = Settings::load(&Overrides::default(), env(&[(key, value)])).unwrap_err();
            let name = key.rsplit("__").next().unwrap().to_ascii_lowercase();
            assert!(err.to_string().contains(&format!("server.{name}")), "{err}");
        }
    }

    #[test]
    fn upload_limits_are_read_and_checked() {
        let s = Settings::load(&Overrides::default(), env(&[("YANGGUANG__UPLOADS__MAX_MEGABYTES", "4")])).unwrap();
        assert_eq!(s.uploads.limits().unwrap().max_bytes, 4 * 1024 * 1024);
        let err = Settings::load(&Overrides::default(), env(&[("YANGGUANG__UPLOADS__MAX_FILES", "lots")])).unwrap_err();
        assert!(err.to_string().contains("uploads.max_files"), "{err}");
    }

    #[test]
    fn printed_config_hides_the_password() {
        let o = Overrides { database: Some("postgres://yg:s3cret@db/yg".into()), ..Overrides::default() };
        let printed = Settings::load(&o, env(&[])).unwrap().to_redacted_toml();
        assert!(!printed.contains("s3cret") && printed.contains("yg:***@db"), "{printed}");
    }

    #[test]
    fn credentials_in_every_url_are_redacted_in_print_config_and_errors() {
        let vars = [
            ("YANGGUANG__STORAGE__DATABASE", "postgres://yg:db-pass@db.internal/yg?sslpassword=ssl-pass"),
            ("YANGGUANG__TRADING__FEED_URL", "https://feed-user:feed-pass@trade.example.cn/api?access_token=feed-tok"),
            ("YANGGUANG__SMS__SENDER", "http"),
            ("YANGGUANG__SMS__URL", "https://sms-token@sms.example.cn/send?key=sms-key"),
        ];
        let printed = Settings::load(&Overrides::default(), env(&vars)).unwrap().to_redacted_toml();
        for secret in ["db-pass", "ssl-pass", "feed-pass", "feed-tok", "sms-token", "sms-key"] {
            assert!(!printed.contains(secret), "{secret} shown: {printed}");
        }
        assert!(
            printed.contains("yg:***@db.internal") && printed.contains("feed-user:***@trade.example.cn"),
            "{printed}"
        );
        assert!(printed.contains("https://***@sms.example.cn/send?key=***"), "{printed}");

        let vars = [("YANGGUANG__TRADING__FEED_URL", "ftp://u:ftp-pass@trade.example.cn/")];
        let err = Settings::load(&Overrides::default(), env(&vars)).unwrap_err().to_string();
        assert!(err.contains("trading.feed_url") && !err.contains("ftp-pass"), "{err}");
    }

    #[test]
    fn the_trading_feed_is_configured_and_its_secrets_never_printed() {
        let vars = [
            ("YANGGUANG__TRADING__FEED_URL", "https://trade.example.cn/api/listings"),
            ("YANGGUANG__TRADING__FEED_TOKEN", "tok-abc"),
            ("YANGGUANG__TRADING__PUSH_SECRET", "a-long-enough-secret"),
            ("YANGGUANG__TRADING__PULL_EVERY_MINUTES", "15"),
        ];
        let s = Settings::load(&Overrides::default(), env(&vars)).unwrap();
        let c = s.trading.config().unwrap();
        assert_eq!(c.interval.as_secs(), 900);
        assert_eq!(c.feed_url.as_deref(), Some("https://trade.example.cn/api/listings"));
        let printed = s.to_redacted_toml();
        assert!(!printed.contains("tok-abc") && !printed.contains("a-long-enough-secret"), "{printed}");
        for (key, value, says) in [
            ("YANGGUANG__TRADING__PUSH_SECRET", "short", "at least 16"),
            ("YANGGUANG__TRADING__FEED_URL", "ftp://x", "http"),
            ("YANGGUANG__TRADING__PULL_EVERY_MINUTES", "0", "pull_every_minutes"),
            ("YANGGUANG__SMS__SENDER", "pigeon", "sms.sender"),
            ("YANGGUANG__SMS__SENDER", "http", "sms.url"),
        ] {
            let err = Settings::load(&Overrides::default(), env(&[(key, value)])).unwrap_err();
            assert!(err.to_string().contains(says), "{err}");
        }
    }

    #[test]
    fn question_deadlines_are_days_per_county() {
        let dir = std::env::temp_dir().join(format!("yg-villagers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("v.toml");
        std::fs::write(
            &file,
            "[villagers]\nquestion_days = 7\n[villagers.question_days_by_county]\n\"339921000000\" = 5\n",
        )
        .unwrap();
        let overrides = Overrides { config: Some(file.clone()), ..Default::default() };
        let settings = Settings::load(&overrides, std::iter::empty()).unwrap();
        let mut q = yangguang_app::questions::QuestionSettings::default();
        settings.villagers.apply(&mut q).unwrap();
        assert_eq!(q.days_for(yangguang_core::RegionCode::parse("339921100201").unwrap()), 5);
        assert_eq!(q.days_for(yangguang_core::RegionCode::parse("339922100201").unwrap()), 7);
        for (bad, says) in [
            ("[villagers]\nquestion_days = 0\n", "villagers.question_days must be a number of days from 1 to 60"),
            ("[villagers.question_days_by_county]\n\"339921100000\" = 5\n", "is not a county code"),
        ] {
            std::fs::write(&file, bad).unwrap();
            let e = Settings::load(&overrides, std::iter::empty()).unwrap_err();
            assert!(format!("{e:#}").contains(says), "{e:#}");
        }
    }

    #[test]
    fn visit_counting_is_on_by_default_and_its_settings_are_checked() {
        let s = Settings::load(&Overrides::default(), env(&[])).unwrap().visits.settings().unwrap();
        assert!(s.enabled);
        assert_eq!(s.flush_every, std::time::Duration::from_secs(60));
        let vars = [("YANGGUANG__VISITS__ENABLED", "false"), ("YANGGUANG__VISITS__FLUSH_SECONDS", "5")];
        let s = Settings::load(&Overrides::default(), env(&vars)).unwrap().visits.settings().unwrap();
        assert!(!s.enabled);
        assert_eq!(s.flush_every, std::time::Duration::from_secs(5));
        for (var, value, says) in [
            ("YANGGUANG__VISITS__ENABLED", "yes", "visits.enabled"),
            ("YANGGUANG__VISITS__FLUSH_SECONDS", "0", "visits.flush_seconds"),
            ("YANGGUANG__VISITS__QUEUE", "many", "visits.queue"),
        ] {
            let err = Settings::load(&Overrides::default(), env(&[(var, value)])).unwrap_err();
            assert!(err.to_string().contains(says), "{err}");
        }
    }
}
