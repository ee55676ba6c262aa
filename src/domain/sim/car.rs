//! The field: generated teams, drivers and car numbers, and each car's fixed
//! performance. Pace is drawn per team (the car) plus per driver (skill) so
//! team mates are close and the whole field spans about 2 % of a lap. Drivers
//! also differ in consistency (lap-to-lap noise), mistake rate and start
//! reaction; cars differ in reliability.

use super::rng::Rng;
use crate::domain::records::Entry;

#[derive(Debug, Clone, PartialEq)]
pub struct CarSpec {
    /// Fraction of the reference lap this car loses when everything else is
    /// equal (0 = the fastest possible car).
    pub pace_frac: f64,
    /// Standard deviation of the lap-to-lap noise, fraction of a lap.
    pub consistency_frac: f64,
    /// Chance per lap of a mistake costing 0.5-3 s.
    pub mistake_per_lap: f64,
    /// Chance per lap of a retirement.
    pub failure_per_lap: f64,
    /// Delay before the car moves at the start, seconds.
    pub reaction_s: f64,
}

const FIRST: &[&str] = &[
    "Alex", "Ben", "Carla", "Dario", "Elena", "Felix", "Gina", "Hugo", "Ines", "Jonas", "Kira",
    "Luca", "Mara", "Nico", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Wim", "Xenia", "Yuki", "Zane", "Arno", "Bea", "Cyril", "Dana", "Emil", "Freya", "Goran",
    "Hana", "Ivo", "Jade", "Kai", "Lena", "Milo", "Nora",
];

const LAST: &[&str] = &[
    "Albers",
    "Brandt",
    "Castro",
    "Dubois",
    "Eriksen",
    "Fontana",
    "Gallo",
    "Hartmann",
    "Ivanov",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zeller",
    "Acosta",
    "Bauer",
    "Costa",
    "Dvorak",
    "Engel",
    "Ferreira",
    "Grant",
    "Holm",
    "Ito",
    "Jovanovic",
    "Keller",
    "Lopez",
    "Meyer",
    "Nakamura",
    "Olsen",
    "Park",
    "Reyes",
    "Sato",
    "Torres",
    "Vidal",
    "Wolf",
    "Young",
    "Ziegler",
    "Moretti",
];

const TEAM_A: &[&str] = &[
    "Apex", "Vortex", "Falcon", "Meridian", "Crimson", "Polar", "Titan", "Nova", "Aurora",
    "Zenith", "Cobalt", "Onyx", "Vector", "Solstice", "Granite", "Helix", "Orbit", "Summit",
];

const TEAM_B: &[&str] = &[
    "Racing",
    "Motorsport",
    "GP",
    "Works",
    "Engineering",
    "Autosport",
];

/// Picks `n` distinct indices of `0..m` in a seed-dependent order by walking
/// with a stride coprime to `m` (distinct as long as `n <= m`).
fn spread(rng: &mut Rng, m: usize, k: usize) -> usize {
    let offset = (rng.next_u64() % m as u64) as usize;
    let mut stride = 1 + (rng.next_u64() % m as u64) as usize;
    while gcd(stride, m) != 1 {
        stride += 1;
    }
    (offset + k * stride) % m
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Entries and car performance for `n` cars, teams of two.
pub fn generate_field(n: u32, seed: u64) -> (Vec<Entry>, Vec<CarSpec>) {
    let mut rng = Rng::stream(seed, 0xF1E1D);
    let teams = n.div_ceil(2) as usize;
    let team_pace: Vec<f64> = (0..teams).map(|_| rng.range(0.0, 0.015)).collect();
    let names_m = FIRST.len() * LAST.len();
    let teams_m = TEAM_A.len() * TEAM_B.len();
    let (name_rng_a, name_rng_b) = (rng.next_u64(), rng.next_u64());
    let max_number = (n as usize).max(99);
    let mut numbers: Vec<u32> = (1..=max_number as u32).collect();
    rng.shuffle(&mut numbers);
    let mut entries = Vec::with_capacity(n as usize);
    let mut specs = Vec::with_capacity(n as usize);
    for (k, &number) in numbers.iter().take(n as usize).enumerate() {
        let team = k / 2;
        let ni = spread(&mut Rng::new(name_rng_a), names_m, k);
        let mut driver = format!("{} {}", FIRST[ni % FIRST.len()], LAST[ni / FIRST.len()]);
        if k >= names_m {
            driver = format!("{driver} {}", k / names_m + 1);
        }
        let ti = spread(&mut Rng::new(name_rng_b), teams_m, team);
        let mut team_name = format!(
            "{} {}",
            TEAM_A[ti % TEAM_A.len()],
            TEAM_B[ti / TEAM_A.len()]
        );
        if team >= teams_m {
            team_name = format!("{team_name} {}", team / teams_m + 1);
        }
        entries.push(Entry {
            car_id: k as u32 + 1,
            number,
            driver,
            team: team_name,
        });
        specs.push(CarSpec {
            pace_frac: team_pace[team] + rng.range(0.0, 0.005),
            consistency_frac: rng.range(0.0015, 0.004),
            mistake_per_lap: rng.range(0.005, 0.03),
            failure_per_lap: rng.range(0.0002, 0.0015),
            reaction_s: rng.range(0.15, 0.45),
        });
    }
    (entries, specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_is_deterministic_with_unique_ids_numbers_and_names() {
        let (e1, s1) = generate_field(40, 9);
        let (e2, s2) = generate_field(40, 9);
        assert_eq!(e1, e2);
        assert_eq!(s1, s2);
        let (e3, _) = generate_field(40, 10);
        assert_ne!(e1, e3);
        let mut numbers: Vec<u32> = e1.iter().map(|e| e.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), 40);
        let mut names: Vec<&str> = e1.iter().map(|e| e.driver.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 40);
        assert_eq!(e1[0].team, e1[1].team);
        assert_ne!(e1[1].team, e1[2].team);
        let spread = s1.iter().map(|s| s.pace_frac).fold(0.0, f64::max);
        assert!(spread <= 0.02);
    }

    #[test]
    fn large_fields_stay_unique() {
        let (e, _) = generate_field(5000, 1);
        let mut names: Vec<&str> = e.iter().map(|e| e.driver.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 5000);
    }
}
