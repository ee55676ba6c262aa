//! Settings: built-in defaults (`config/default.toml`), then an optional file,
//! then `PITWALL__SECTION__KEY` environment variables. Unknown keys and bad
//! values are refused at start with a message naming the key.

use std::path::Path;

use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("settings: {0}")]
    Load(#[from] config::ConfigError),
    #[error("settings: {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub kafka: KafkaSettings,
    pub postgres: PostgresSettings,
    pub redis: RedisSettings,
    pub http: HttpSettings,
    pub processing: ProcessingSettings,
    pub storage: StorageSettings,
    pub websocket: WebSocketSettings,
    pub simulator: SimulatorSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaSettings {
    pub brokers: String,
    pub partitions: i32,
    pub replication: i32,
    pub group_prefix: String,
    pub fetch_wait_ms: u32,
    pub bulk_fetch_wait_ms: u32,
    pub session_timeout_ms: u32,
    /// How long the broker keeps records of the topics Pitwall creates
    /// (`retention.ms`, with `cleanup.policy=delete`); 0: forever.
    pub retention_hours: u64,
    pub topics: Topics,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topics {
    pub raw: String,
    pub processed: String,
    pub dlq: String,
    pub commands: String,
}

impl Topics {
    pub fn all(&self) -> [&str; 4] {
        [&self.raw, &self.processed, &self.dlq, &self.commands]
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresSettings {
    pub url: String,
    pub pool_size: usize,
    pub connect_timeout_ms: u64,
    pub statement_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    pub url: String,
    pub prefix: String,
    pub pool_size: usize,
    pub timeout_ms: u64,
    pub finished_ttl_s: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    pub bind: String,
    pub allowed_origins: Vec<String>,
    pub graphql_timeout_ms: u64,
    /// Bearer token for starting and stopping races; empty: no token asked.
    pub auth_token: String,
    /// With a token set, also ask it of GraphQL, `/ws` and race reads.
    pub protect_reads: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessingSettings {
    pub leaderboard_interval_ms: u64,
    /// Changes among this many first places publish a leaderboard at once.
    pub leaderboard_watch_positions: usize,
    /// Leaderboard entries a race may publish per second of race clock.
    pub leaderboard_max_entries_per_s: u64,
}

impl ProcessingSettings {
    pub fn board_policy(&self) -> crate::domain::board_policy::BoardPolicy {
        crate::domain::board_policy::BoardPolicy {
            interval_ms: self.leaderboard_interval_ms,
            watch_positions: self.leaderboard_watch_positions,
            max_entries_per_s: self.leaderboard_max_entries_per_s,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    pub batch_max_samples: usize,
    pub flush_interval_ms: u64,
    /// Races that ended longer ago lose their samples; 0 keeps them forever.
    pub retention_days: u32,
    /// How often the store role looks for such races.
    pub retention_interval_s: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSocketSettings {
    pub heartbeat_interval_ms: u64,
    pub client_timeout_ms: u64,
    pub max_frame_bytes: usize,
    pub max_connections: usize,
    pub send_queue: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatorSettings {
    pub max_cars: u32,
    pub truth_dir: String,
}

impl Settings {
    /// Loads the layers: defaults, `file` if given, then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// As `load`, with the environment given explicitly (tests do not touch
    /// the process environment, which other tests share).
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("PITWALL__"))
            .collect();
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(path) = file {
            builder = builder.add_source(config::File::from(path).required(true));
        }
        let settings: Settings = builder
            .add_source(
                config::Environment::with_prefix("PITWALL")
                    .prefix_separator("__")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("http.allowed_origins")
                    .try_parsing(true)
                    .source(Some(env)),
            )
            .build()?
            .try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if self.kafka.brokers.trim().is_empty() {
            return bad("kafka.brokers", "must name at least one broker");
        }
        if !(1..=1024).contains(&self.kafka.partitions) {
            return bad("kafka.partitions", "must be 1..=1024");
        }
        if self.kafka.replication < 1 {
            return bad("kafka.replication", "must be at least 1");
        }
        let topics = self.kafka.topics.all();
        if topics.iter().any(|t| t.is_empty()) {
            return bad("kafka.topics", "topic names must not be empty");
        }
        if (1..topics.len()).any(|i| topics[..i].contains(&topics[i])) {
            return bad("kafka.topics", "topic names must differ");
        }
        if self.postgres.pool_size == 0 {
            return bad("postgres.pool_size", "must be at least 1");
        }
        if self.redis.pool_size == 0 {
            return bad("redis.pool_size", "must be at least 1");
        }
        if self.http.bind.parse::<std::net::SocketAddr>().is_err() {
            return bad("http.bind", "must be an address such as 127.0.0.1:8080");
        }
        // A header value cannot carry spaces or control characters, so such
        // a token could never be presented.
        if !self.http.auth_token.bytes().all(|b| b.is_ascii_graphic()) {
            return bad("http.auth_token", "must be printable ASCII without spaces");
        }
        if self.http.protect_reads && self.http.auth_token.is_empty() {
            return bad(
                "http.protect_reads",
                "needs http.auth_token: there is no token to ask for",
            );
        }
        if self.processing.leaderboard_interval_ms == 0 {
            return bad("processing.leaderboard_interval_ms", "must be above 0");
        }
        if self.storage.batch_max_samples == 0
            || self.storage.flush_interval_ms == 0
            || self.storage.retention_interval_s == 0
        {
            return bad(
                "storage",
                "batch_max_samples, flush_interval_ms and retention_interval_s must be above 0",
            );
        }
        if self.websocket.send_queue == 0 || self.websocket.max_frame_bytes < 256 {
            return bad(
                "websocket",
                "send_queue must be above 0 and max_frame_bytes at least 256",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_load() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.kafka.topics.raw, "telemetry_raw");
        assert_eq!(s.redis.prefix, "pitwall:");
        assert_eq!(s.kafka.partitions, 1);
    }

    #[test]
    fn file_overrides_defaults_and_env_overrides_file() {
        let mut file = tempfile("[kafka]\npartitions = 3\nbrokers = \"file:9092\"\n");
        file.flush().unwrap();
        let path = file_path();
        let s = Settings::load_from(Some(&path), env(&[])).unwrap();
        assert_eq!(s.kafka.partitions, 3);
        assert_eq!(s.kafka.brokers, "file:9092");
        let s = Settings::load_from(
            Some(&path),
            env(&[
                ("PITWALL__KAFKA__PARTITIONS", "5"),
                ("PITWALL__KAFKA__TOPICS__RAW", "raw_x"),
                ("PITWALL__HTTP__ALLOWED_ORIGINS", "http://a,http://b"),
                ("UNRELATED", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(s.kafka.partitions, 5);
        assert_eq!(s.kafka.brokers, "file:9092");
        assert_eq!(s.kafka.topics.raw, "raw_x");
        assert_eq!(s.http.allowed_origins, vec!["http://a", "http://b"]);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Settings::load_from(None, env(&[("PITWALL__KAFKA__BROKRS", "x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("brokrs"), "{err}");
    }

    #[test]
    fn bad_value_is_named() {
        let err = Settings::load_from(None, env(&[("PITWALL__KAFKA__PARTITIONS", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("partitions"), "{err}");
        let err = Settings::load_from(None, env(&[("PITWALL__HTTP__BIND", "nowhere")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("http.bind"), "{err}");
    }

    #[test]
    fn token_settings_are_checked() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert!(s.http.auth_token.is_empty() && !s.http.protect_reads);
        let s = Settings::load_from(
            None,
            env(&[
                ("PITWALL__HTTP__AUTH_TOKEN", "s3cret-token"),
                ("PITWALL__HTTP__PROTECT_READS", "true"),
            ]),
        )
        .unwrap();
        assert_eq!(s.http.auth_token, "s3cret-token");
        assert!(s.http.protect_reads);
        let err = Settings::load_from(None, env(&[("PITWALL__HTTP__PROTECT_READS", "true")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("http.protect_reads"), "{err}");
        let err = Settings::load_from(None, env(&[("PITWALL__HTTP__AUTH_TOKEN", "two words")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("http.auth_token"), "{err}");
    }

    fn file_path() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("pitwall-config-test-{}.toml", std::process::id()))
    }

    fn tempfile(text: &str) -> std::fs::File {
        let mut f = std::fs::File::create(file_path()).unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }
}
