//! The fault matrix's table: one markdown row per fault, appended to the
//! file named by `PITWALL_FAULT_REPORT` (the header first when the file is
//! new), so rows run as separate tests end up in one table.

use std::io::Write;
use std::time::Duration;

use super::measure::Outcome;

pub const HEADER: &str = "| fault | samples published | stored | lost | duplicated | \
republished by the simulator | laps | pit stops | classification equal | recovery time | \
rejoined (Tansu workaround) | row time |\n\
|---|---|---|---|---|---|---|---|---|---|---|---|\n";

pub fn row(
    fault: &str,
    o: &Outcome,
    recovery: Duration,
    rejoined: &[&str],
    total: Duration,
) -> String {
    format!(
        "| {fault} | {} | {} | {} | {} | {} | {}/{} | {}/{} | {} | {:.1} s | {} | {:.0} s |\n",
        o.published,
        o.stored,
        o.lost,
        o.duplicated,
        o.republished,
        o.laps.0,
        o.laps.1,
        o.pit_stops.0,
        o.pit_stops.1,
        if o.classification_equal && o.truth_file_equal {
            "yes"
        } else {
            "**no**"
        },
        recovery.as_secs_f64(),
        if rejoined.is_empty() {
            "—".to_owned()
        } else {
            rejoined.join(", ")
        },
        total.as_secs_f64(),
    )
}

/// Appends the row when `PITWALL_FAULT_REPORT` names a file.
pub fn append(line: &str) {
    let Some(path) = std::env::var_os("PITWALL_FAULT_REPORT") else {
        return;
    };
    let fresh = std::fs::metadata(&path).map_or(true, |m| m.len() == 0);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .expect("fault report file");
    if fresh {
        file.write_all(HEADER.as_bytes()).expect("write report");
    }
    file.write_all(line.as_bytes()).expect("write report");
}
