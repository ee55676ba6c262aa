//! A private Tansu broker for one test: its own free port on 127.0.0.1 and
//! its own data directory, so killing and restarting it disturbs no other
//! test. Found where `scripts/stack.sh` installs it (`PITWALL_CACHE`,
//! `XDG_CACHE_HOME` or `~/.cache`, then `pitwall/tansu-0.6.0/bin/tansu`),
//! else `TANSU_BIN`. Started, like the stack's, from its data directory
//! with a relative sqlite path (an absolute one makes Tansu exit).

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::processes::free_port;
use super::random_name;

pub struct PrivateBroker {
    pub port: u16,
    pub dir: PathBuf,
    bin: PathBuf,
    child: Option<Child>,
}

fn tansu_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("TANSU_BIN") {
        return bin.into();
    }
    let cache = std::env::var_os("PITWALL_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("pitwall")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/pitwall")))
        .expect("a cache directory (HOME unset)");
    cache.join("tansu-0.6.0/bin/tansu")
}

impl PrivateBroker {
    /// Starts a broker on a free port with an empty data directory.
    pub fn start() -> PrivateBroker {
        let bin = tansu_bin();
        assert!(
            bin.exists(),
            "Tansu not found at {} (run scripts/stack.sh up, or set TANSU_BIN)",
            bin.display()
        );
        let dir = std::env::temp_dir().join(random_name("tansu"));
        std::fs::create_dir_all(&dir).expect("broker data directory");
        let mut broker = PrivateBroker {
            port: free_port(),
            dir,
            bin,
            child: None,
        };
        broker.launch();
        broker
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts the broker process on this port and data directory and waits
    /// until it accepts connections.
    pub fn launch(&mut self) {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.dir.join("tansu.log"))
            .expect("broker log");
        let url = format!("tcp://{}", self.address());
        let child = Command::new(&self.bin)
            .args(["broker", "--listener-url", &url])
            .args(["--advertised-listener-url", &url])
            .args(["--storage-engine", "sqlite://tansu.db"])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("broker log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start tansu");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(self.address()).is_err() {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("tansu exited ({status}); log:\n{}", self.log_tail());
            }
            assert!(Instant::now() < deadline, "tansu not listening within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `kill -9` of the broker; its data directory stays.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("tansu.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!(
                "----- private tansu ({}) log tail -----\n{}",
                self.dir.display(),
                self.log_tail()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
