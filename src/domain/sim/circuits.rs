//! The built-in circuits, as authored data. Three characters are covered so
//! timing and strategy see different problems: a power track (long straights,
//! easy overtaking, big pit loss), a twisty track (medium corners, harder to
//! pass) and a street track (short, slow, walls: overtaking is rare). Angles
//! are in degrees, positive to the left; the lists only need to close roughly,
//! `track::build` fixes the rest.

/// One piece of centre line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    Straight(f64),
    Arc { radius: f64, angle_deg: f64 },
}

const fn s(len: f64) -> Seg {
    Seg::Straight(len)
}

const fn a(radius: f64, angle_deg: f64) -> Seg {
    Seg::Arc { radius, angle_deg }
}

#[derive(Debug, Clone, Copy)]
pub struct CircuitDef {
    pub id: &'static str,
    pub name: &'static str,
    pub segments: &'static [Seg],
    pub target_length_m: f64,
    /// The start/finish line lies on this segment at this fraction of it.
    pub line_segment: usize,
    pub line_fraction: f64,
    /// Pit lane, as distances from the line: it runs along the main straight,
    /// so it starts before the line and ends after it.
    pub pit_entry_before_line_m: f64,
    pub pit_box_after_line_m: f64,
    pub pit_exit_after_line_m: f64,
    /// Lateral offset of the pit lane from the centre line (left positive).
    pub pit_lateral_m: f64,
    /// Indices into `segments` of the straights that carry a DRS zone.
    pub drs_straights: &'static [usize],
    /// Pace advantage (seconds per lap, DRS included) at which a pass
    /// succeeds half of the time.
    pub overtake_difficulty_s: f64,
    /// Multiplies the tyre wear per metre (abrasive surfaces, heavy braking).
    pub tyre_wear_factor: f64,
}

const POWER: &[Seg] = &[
    s(1050.0),
    a(18.0, -80.0),
    s(30.0),
    a(18.0, 80.0),
    s(250.0),
    a(300.0, -90.0),
    s(650.0),
    a(22.0, 50.0),
    s(25.0),
    a(22.0, -50.0),
    s(350.0),
    a(80.0, -90.0),
    s(200.0),
    a(90.0, -40.0),
    s(900.0),
    a(25.0, 40.0),
    s(30.0),
    a(45.0, -60.0),
    s(40.0),
    a(60.0, 30.0),
    s(950.0),
    a(160.0, -150.0),
    s(300.0),
];

const TWISTY: &[Seg] = &[
    s(980.0),
    a(40.0, -100.0),
    s(260.0),
    a(110.0, -60.0),
    s(390.0),
    a(30.0, 80.0),
    s(200.0),
    a(50.0, -90.0),
    s(320.0),
    a(70.0, 60.0),
    s(160.0),
    a(35.0, -110.0),
    s(390.0),
    a(120.0, -70.0),
    s(260.0),
    a(45.0, 50.0),
    s(200.0),
    a(30.0, -60.0),
    s(520.0),
    a(60.0, -60.0),
    s(260.0),
];

const STREET: &[Seg] = &[
    s(720.0),
    a(20.0, -90.0),
    s(360.0),
    a(25.0, -90.0),
    s(220.0),
    a(18.0, 90.0),
    s(260.0),
    a(15.0, -90.0),
    s(580.0),
    a(30.0, -45.0),
    s(140.0),
    a(20.0, -45.0),
    s(510.0),
    a(22.0, -90.0),
    s(290.0),
    a(15.0, 60.0),
    s(30.0),
    a(15.0, -60.0),
    s(290.0),
];

pub const CIRCUITS: &[CircuitDef] = &[
    CircuitDef {
        id: "power",
        name: "Autodromo Veloce",
        segments: POWER,
        target_length_m: 5800.0,
        line_segment: 0,
        line_fraction: 0.65,
        pit_entry_before_line_m: 220.0,
        pit_box_after_line_m: 140.0,
        pit_exit_after_line_m: 460.0,
        pit_lateral_m: 14.0,
        drs_straights: &[0, 14, 20],
        overtake_difficulty_s: 0.7,
        tyre_wear_factor: 0.9,
    },
    CircuitDef {
        id: "twisty",
        name: "Circuito Serpente",
        segments: TWISTY,
        target_length_m: 4600.0,
        line_segment: 0,
        line_fraction: 0.6,
        pit_entry_before_line_m: 200.0,
        pit_box_after_line_m: 150.0,
        pit_exit_after_line_m: 500.0,
        pit_lateral_m: 14.0,
        drs_straights: &[0, 4],
        overtake_difficulty_s: 1.0,
        tyre_wear_factor: 1.15,
    },
    CircuitDef {
        id: "street",
        name: "Harbour Street Circuit",
        segments: STREET,
        target_length_m: 3300.0,
        line_segment: 0,
        line_fraction: 0.55,
        pit_entry_before_line_m: 180.0,
        pit_box_after_line_m: 100.0,
        pit_exit_after_line_m: 310.0,
        pit_lateral_m: 12.0,
        drs_straights: &[0],
        overtake_difficulty_s: 1.5,
        tyre_wear_factor: 0.8,
    },
];

/// The ids of the built-in circuits, in a stable order.
pub const TRACK_IDS: &[&str] = &["power", "twisty", "street"];

pub fn find(id: &str) -> Option<&'static CircuitDef> {
    CIRCUITS.iter().find(|c| c.id == id)
}
