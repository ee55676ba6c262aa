//! What the load generator itself costs: CPU time of the whole process and of
//! one thread (from `/proc/self/stat` and `/proc/thread-self/stat`) and the
//! resident memory (`/proc/self/status`). The parsers are pure and tested;
//! reading the files is the only I/O. On a system without `/proc` the
//! readings are simply absent.

use std::time::Duration;

/// Linux reports CPU times in clock ticks of `USER_HZ`, which the kernel ABI
/// fixes at 100 on every architecture Rust targets.
const USER_HZ: u64 = 100;

/// User + system CPU time from the text of a `stat` file.
pub fn parse_stat_cpu(stat: &str) -> Option<Duration> {
    // The command name (field 2) may hold spaces and parentheses: count
    // fields from the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 1000 / USER_HZ))
}

/// A `kB` value such as `VmRSS:` from the text of a `status` file, in bytes.
pub fn parse_status_kb(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        let kb: u64 = value.split_whitespace().next()?.parse().ok()?;
        Some(kb * 1024)
    })
}

/// CPU time of the whole process so far.
pub fn process_cpu() -> Option<Duration> {
    parse_stat_cpu(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// CPU time of the calling thread so far.
pub fn thread_cpu() -> Option<Duration> {
    parse_stat_cpu(&std::fs::read_to_string("/proc/thread-self/stat").ok()?)
}

/// The command name (thread name for a task) from the text of a `stat` file.
pub fn parse_stat_comm(stat: &str) -> Option<&str> {
    Some(&stat[stat.find('(')? + 1..stat.rfind(')')?])
}

/// CPU time so far of this process's threads whose name starts with
/// `prefix` (librdkafka names its threads `rdk:…`).
pub fn threads_cpu(prefix: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        if parse_stat_comm(&stat).is_some_and(|c| c.starts_with(prefix)) {
            total += parse_stat_cpu(&stat).unwrap_or_default();
        }
    }
    Some(total)
}

/// Resident memory now and at its peak, in bytes.
pub fn memory() -> (Option<u64>, Option<u64>) {
    match std::fs::read_to_string("/proc/self/status") {
        Ok(s) => (parse_status_kb(&s, "VmRSS"), parse_status_kb(&s, "VmHWM")),
        Err(_) => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_cpu_is_user_plus_system_even_with_odd_command_names() {
        let stat = "4242 (pit (wall) x) S 1 4242 4242 0 -1 4194560 2010 0 0 0 \
                    250 75 0 0 20 0 9 0 12345 1000000 5000 18446744073709551615";
        assert_eq!(parse_stat_cpu(stat), Some(Duration::from_millis(3250)));
        assert_eq!(parse_stat_cpu("4242 (short) S 1"), None);
        assert_eq!(parse_stat_cpu("garbage"), None);
        assert_eq!(parse_stat_comm(stat), Some("pit (wall) x"));
        assert_eq!(parse_stat_comm("9 (rdk:main) S"), Some("rdk:main"));
    }

    #[test]
    fn status_values_are_read_in_bytes() {
        let status = "Name:\tpitwall\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t9\n";
        assert_eq!(parse_status_kb(status, "VmRSS"), Some(100 * 1024 * 1024));
        assert_eq!(parse_status_kb(status, "VmHWM"), Some(200 * 1024 * 1024));
        assert_eq!(parse_status_kb(status, "VmSwap"), None);
    }

    #[test]
    fn this_process_can_be_measured() {
        if std::path::Path::new("/proc/self/stat").exists() {
            assert!(process_cpu().is_some());
            assert!(thread_cpu().is_some());
            assert!(threads_cpu("no-such-thread").is_some_and(|d| d.is_zero()));
            assert!(memory().0.unwrap_or(0) > 0);
        }
    }
}
