//! Roles as separate OS processes: the `pitwall` binary cargo built beside
//! the test (`CARGO_BIN_EXE_pitwall`), each with the same isolated settings
//! (topics, group prefix, database, Redis prefix) passed as environment
//! variables, its own HTTP port on 127.0.0.1 and its own log file. The
//! [`Cluster`] kills every child when dropped, also when the test panics, and
//! then prints the tail of each log.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pitwall::config::Settings;
use serde_json::Value;

use super::isolated_vars;

/// The environment of an isolated test, for child processes, and the same
/// settings parsed for the test itself.
pub struct IsolatedEnv {
    pub id: String,
    pub vars: Vec<(String, String)>,
    pub settings: Settings,
}

impl IsolatedEnv {
    /// Fresh topics with `partitions` partitions, a group prefix, a new
    /// PostgreSQL database and a Redis prefix.
    pub async fn new(partitions: i32) -> IsolatedEnv {
        let (id, mut vars) = isolated_vars(partitions).await;
        // Leaderboards once a race-clock second (plus one on every change
        // of order) instead of five: fewer events for the clients of a
        // busy 2-core machine.
        vars.push((
            "PITWALL__PROCESSING__LEADERBOARD_INTERVAL_MS".into(),
            "1000".into(),
        ));
        let mut with_bind = vars.clone();
        with_bind.push(("PITWALL__HTTP__BIND".into(), "127.0.0.1:0".into()));
        let settings = Settings::load_from(None, with_bind).expect("test settings");
        IsolatedEnv { id, vars, settings }
    }
}

/// A port free on 127.0.0.1 at the time of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One role running as a child process.
pub struct Proc {
    pub name: String,
    pub base: String,
    pub log: PathBuf,
    child: Option<Child>,
}

impl Proc {
    /// The last `lines` lines of the process's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// The lines of the process's log that contain any of `needles`.
    pub fn log_lines_with(&self, needles: &[&str]) -> Vec<String> {
        self.log_text()
            .lines()
            .filter(|l| needles.iter().any(|n| l.contains(n)))
            .map(str::to_owned)
            .collect()
    }

    pub fn log_text(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = File::open(&self.log) {
            let mut bytes = Vec::new();
            let _ = f.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    }

    /// `kill -9`: SIGKILL, no shutdown, no leaving the group.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }
}

/// The children of one test; all killed on drop.
pub struct Cluster {
    pub env: Vec<(String, String)>,
    pub dir: PathBuf,
    pub procs: Vec<Proc>,
    pub http: awc::Client,
}

impl Cluster {
    pub fn new(isolated: &IsolatedEnv) -> Cluster {
        let dir = std::env::temp_dir().join(format!("pitwall-{}", isolated.id));
        std::fs::create_dir_all(&dir).expect("log directory");
        Cluster {
            env: isolated.vars.clone(),
            dir,
            procs: Vec::new(),
            http: awc::Client::builder()
                .timeout(Duration::from_secs(10))
                .finish(),
        }
    }

    /// Starts `pitwall <role>` as `name`, on a free port; returns its index.
    pub fn spawn(&mut self, name: &str, role: &str) -> usize {
        let port = free_port();
        let log = self.dir.join(format!("{name}.log"));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_pitwall"))
            .arg(role)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PITWALL__HTTP__BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "info,pitwall::http=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        eprintln!(
            "started {name} (pitwall {role}, pid {}) on 127.0.0.1:{port}, log {}",
            child.id(),
            log.display()
        );
        self.procs.push(Proc {
            name: name.into(),
            base: format!("http://127.0.0.1:{port}"),
            log,
            child: Some(child),
        });
        self.procs.len() - 1
    }

    pub fn index(&self, name: &str) -> usize {
        self.procs
            .iter()
            .position(|p| p.name == name)
            .unwrap_or_else(|| panic!("no process {name}"))
    }

    pub fn proc(&self, name: &str) -> &Proc {
        &self.procs[self.index(name)]
    }

    pub fn proc_mut(&mut self, name: &str) -> &mut Proc {
        let i = self.index(name);
        &mut self.procs[i]
    }

    /// `GET /readyz`: (HTTP status, body); None while the process does not
    /// answer.
    pub async fn readyz(&self, name: &str) -> Option<(u16, Value)> {
        let url = format!("{}/readyz", self.proc(name).base);
        let mut resp = self.http.get(url).send().await.ok()?;
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        Some((status, body))
    }

    /// Partitions the consumer `consumer` of `name` holds, per `/readyz`.
    pub async fn partitions(&self, name: &str, consumer: &str) -> Option<u64> {
        let (_, body) = self.readyz(name).await?;
        body["consumers"]
            .as_array()?
            .iter()
            .find(|c| c["name"] == consumer)
            .and_then(|c| c["partitions"].as_u64())
    }

    /// Waits until `name` answers `/readyz` with 200, failing (with its
    /// log) if it exits or takes longer than `within`.
    pub async fn wait_ready(&mut self, name: &str, within: Duration) -> Duration {
        let started = Instant::now();
        let mut last = String::new();
        loop {
            if let Some((status, body)) = self.readyz(name).await {
                if status == 200 {
                    return started.elapsed();
                }
                last = body.to_string();
            }
            let proc = self.proc_mut(name);
            if !proc.is_running() {
                panic!(
                    "{name} exited before it was ready; log tail:\n{}",
                    proc.log_tail(40)
                );
            }
            assert!(
                started.elapsed() < within,
                "{name} not ready within {within:?}: {last}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// `GET /metrics` as text.
    pub async fn metrics(&self, name: &str) -> String {
        let url = format!("{}/metrics", self.proc(name).base);
        let mut resp = self
            .http
            .get(url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name} /metrics: {e}"));
        let body = resp.body().limit(8 << 20).await.expect("metrics body");
        String::from_utf8_lossy(&body).into_owned()
    }
}

/// Sum of a Prometheus counter over the series whose labels contain every
/// `label="value"` pair given.
pub fn metric_sum(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let rest = series.strip_prefix(name)?;
            if !(rest.is_empty() || rest.starts_with('{')) {
                return None;
            }
            labels
                .iter()
                .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
                .then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for proc in &mut self.procs {
            proc.kill9();
        }
        if std::thread::panicking() {
            for proc in &self.procs {
                eprintln!(
                    "----- {} ({}) log tail -----\n{}",
                    proc.name,
                    proc.log.display(),
                    proc.log_tail(40)
                );
            }
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Kafka's default partitioner (murmur2 of the key, as Java clients and
/// librdkafka's `murmur2_random` compute it): the partition of `key`.
pub fn murmur2_partition(key: &[u8], partitions: i32) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = key.len();
    let mut h: u32 = SEED ^ (len as u32);
    let chunks = key.chunks_exact(4);
    let tail = chunks.remainder();
    for chunk in chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    ((h & 0x7fff_ffff) % partitions as u32) as i32
}
