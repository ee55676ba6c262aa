//! The independent delivery check: every (race, car, seq) read back from
//! `telemetry_raw` is marked in a per-car bitmap, and at the end the marks
//! are compared with what the simulators say the broker acknowledged. A
//! sample read twice is a duplicate; a seq the simulator had acknowledged but
//! that never came back (a gap or a missing tail) is lost. Pure logic: the
//! reader feeds it, nothing here talks to the broker.
//!
//! The simulator numbers each car's samples 0, 1, 2, … (one per tick), so a
//! race whose simulator reports `n × cars` samples delivered should yield
//! seqs `0..n` for every car.

use serde::Serialize;

/// One car's seqs seen so far.
#[derive(Debug, Default, Clone)]
struct CarSeqs {
    bits: Vec<u64>,
    distinct: u64,
    duplicates: u64,
}

impl CarSeqs {
    fn mark(&mut self, seq: u64) {
        let word = (seq / 64) as usize;
        let bit = 1u64 << (seq % 64);
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        if self.bits[word] & bit != 0 {
            self.duplicates += 1;
        } else {
            self.bits[word] |= bit;
            self.distinct += 1;
        }
    }

    /// Distinct seqs seen in `0..end`.
    fn seen_below(&self, end: u64) -> u64 {
        let full = (end / 64) as usize;
        let mut n: u64 = self
            .bits
            .iter()
            .take(full)
            .map(|w| u64::from(w.count_ones()))
            .sum();
        let rest = end % 64;
        if rest > 0 {
            if let Some(w) = self.bits.get(full) {
                n += u64::from((w & ((1u64 << rest) - 1)).count_ones());
            }
        }
        n
    }
}

/// The seqs of one race's cars; cars are numbered from 1.
#[derive(Debug, Clone)]
pub struct RaceSeqs {
    cars: Vec<CarSeqs>,
    /// Samples naming a car outside `1..=cars`.
    foreign: u64,
}

/// The verdict for one race (or several, added up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeqSummary {
    /// Samples the simulator's producer saw acknowledged.
    pub delivered: u64,
    /// Samples read back, repeats included.
    pub read: u64,
    /// Acknowledged samples never read back.
    pub lost: u64,
    /// Reads of a sample already read.
    pub duplicated: u64,
    /// Distinct samples read that lie beyond what was acknowledged (or name
    /// an unknown car): should be 0.
    pub unexpected: u64,
}

impl std::ops::AddAssign for SeqSummary {
    fn add_assign(&mut self, o: SeqSummary) {
        self.delivered += o.delivered;
        self.read += o.read;
        self.lost += o.lost;
        self.duplicated += o.duplicated;
        self.unexpected += o.unexpected;
    }
}

impl RaceSeqs {
    pub fn new(cars: u32) -> RaceSeqs {
        RaceSeqs {
            cars: vec![CarSeqs::default(); cars as usize],
            foreign: 0,
        }
    }

    pub fn record(&mut self, car_id: u32, seq: u64) {
        match car_id
            .checked_sub(1)
            .and_then(|i| self.cars.get_mut(i as usize))
        {
            Some(car) => car.mark(seq),
            None => self.foreign += 1,
        }
    }

    /// Samples read so far, repeats included.
    pub fn read(&self) -> u64 {
        self.foreign
            + self
                .cars
                .iter()
                .map(|c| c.distinct + c.duplicates)
                .sum::<u64>()
    }

    /// Compares what was read with `delivered` acknowledged samples. A frame
    /// is chunked by car, so when `delivered` is not a whole number of ticks
    /// the extra samples belong to the lowest-numbered cars (the first
    /// chunks of the last tick).
    pub fn summary(&self, delivered: u64) -> SeqSummary {
        let n = self.cars.len() as u64;
        let ticks = delivered.checked_div(n).unwrap_or(0);
        let extra = delivered.checked_rem(n).unwrap_or(0);
        let mut s = SeqSummary {
            delivered,
            read: self.read(),
            unexpected: self.foreign,
            ..Default::default()
        };
        for (i, car) in self.cars.iter().enumerate() {
            let expected = ticks + u64::from((i as u64) < extra);
            let seen = car.seen_below(expected);
            s.lost += expected - seen;
            s.unexpected += car.distinct - seen;
            s.duplicated += car.duplicates;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_stream_has_nothing_lost_or_repeated() {
        let mut r = RaceSeqs::new(3);
        for seq in 0..100 {
            for car in 1..=3 {
                r.record(car, seq);
            }
        }
        assert_eq!(
            r.summary(300),
            SeqSummary {
                delivered: 300,
                read: 300,
                ..Default::default()
            }
        );
    }

    #[test]
    fn gaps_missing_tails_and_repeats_are_counted() {
        let mut r = RaceSeqs::new(2);
        for seq in 0..10 {
            if seq != 4 {
                r.record(1, seq);
            }
            if seq < 7 {
                r.record(2, seq);
            }
        }
        r.record(1, 3);
        r.record(1, 3);
        let s = r.summary(20);
        assert_eq!(s.lost, 1 + 3, "car 1 misses seq 4, car 2 misses 7..10");
        assert_eq!(s.duplicated, 2);
        assert_eq!(s.read, 9 + 7 + 2);
        assert_eq!(s.unexpected, 0);
    }

    #[test]
    fn reads_beyond_the_acknowledged_and_unknown_cars_are_unexpected() {
        let mut r = RaceSeqs::new(2);
        for seq in 0..5 {
            r.record(1, seq);
            r.record(2, seq);
        }
        r.record(3, 0);
        r.record(0, 0);
        let s = r.summary(8);
        assert_eq!(s.lost, 0);
        assert_eq!(s.unexpected, 2 + 2);
    }

    #[test]
    fn a_partial_last_tick_belongs_to_the_first_cars() {
        let mut r = RaceSeqs::new(4);
        for seq in 0..3 {
            for car in 1..=4 {
                r.record(car, seq);
            }
        }
        r.record(1, 3);
        r.record(2, 3);
        assert_eq!(r.summary(14).lost, 0);
        assert_eq!(r.summary(14).unexpected, 0);
        assert_eq!(r.summary(15).lost, 1, "car 3's seq 3 was acknowledged");
    }

    #[test]
    fn seqs_across_word_boundaries_count_once() {
        let mut r = RaceSeqs::new(1);
        for seq in (0..200).rev() {
            r.record(1, seq);
        }
        for seq in [63, 64, 127, 128] {
            r.record(1, seq);
        }
        let s = r.summary(200);
        assert_eq!((s.lost, s.duplicated, s.unexpected), (0, 4, 0));
        assert_eq!(r.summary(130).unexpected, 70);
    }
}
