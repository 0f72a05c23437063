//! A generator of realistic synthetic incident tables, for benchmarks and
//! scale tests: a bursty time profile with escalation spikes, Zipf-like
//! actors (~300), 12 target types, 8 weapons, ~2000 locations, heavy-tailed
//! fatalities (some unknown) and a free-text notes column. Deterministic per
//! seed, and streamed in batches so 50 M rows need little memory.
//!
//! Rows come out in descending date order, as ACLED exports do: dates are
//! drawn as descending order statistics of the time profile.

use std::io::Write;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use polars::prelude::*;

use crate::atomic::write_atomic_with;
use crate::error::Result;
use crate::schema::dates::epoch_days;
use crate::schema::{col, CANONICAL};

/// Rows per generated batch.
const BATCH: usize = 256 * 1024;

/// splitmix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
}

const TARGET_TYPES: [&str; 12] = [
    "military base",
    "convoy/logistics",
    "embassy/diplomatic",
    "airport",
    "energy/oil site",
    "civilians",
    "government",
    "checkpoint",
    "police",
    "religious site",
    "infrastructure",
    "other",
];
const WEAPONS: [&str; 8] =
    ["rocket", "drone/UAV", "IED", "mortar", "small arms", "ballistic missile", "artillery", "other/unknown"];
const COUNTRIES: [&str; 6] = ["Iraq", "Syria", "Jordan", "Yemen", "Lebanon", "Israel"];
const NAMED: [&str; 12] = [
    "Islamic Resistance in Iraq",
    "Kataib Hezbollah",
    "Asaib Ahl al-Haq",
    "Harakat Hezbollah al-Nujaba",
    "Kataib Sayyid al-Shuhada",
    "IS",
    "Government of Syria",
    "SDF",
    "Government of Turkey",
    "Hezbollah",
    "Houthis",
    "Unidentified Armed Group",
];
const WORDS: [&str; 24] = [
    "rockets",
    "struck",
    "near",
    "the",
    "base",
    "hosting",
    "coalition",
    "forces",
    "drone",
    "intercepted",
    "convoy",
    "targeted",
    "on",
    "road",
    "no",
    "casualties",
    "reported",
    "according",
    "to",
    "local",
    "sources",
    "claimed",
    "attack",
    "security",
];

/// The generator's fixed vocabulary and time profile.
struct Model {
    actors: Vec<String>,
    actor_cdf: Vec<f64>,
    locations: Vec<(String, &'static str, f64, f64)>,
    day_cdf: Vec<f64>,
    first_day: NaiveDate,
}

fn cdf(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    let mut v: Vec<f64> = weights
        .map(|w| {
            acc += w;
            acc
        })
        .collect();
    let total = acc.max(f64::MIN_POSITIVE);
    v.iter_mut().for_each(|x| *x /= total);
    v
}

fn pick(cdf: &[f64], u: f64) -> usize {
    cdf.partition_point(|c| *c < u).min(cdf.len() - 1)
}

impl Model {
    fn new(rng: &mut Rng) -> Self {
        let first_day = NaiveDate::from_ymd_opt(2014, 1, 1).unwrap_or_default();
        let days = 11 * 365 + 3;
        // A slow baseline with ~20 escalation spikes of 1-6 weeks, up to 15× the baseline.
        let spikes: Vec<(f64, f64, f64)> =
            (0..20).map(|_| (rng.unit() * days as f64, 7.0 + rng.unit() * 35.0, 2.0 + rng.unit() * 13.0)).collect();
        let day_cdf = cdf((0..days).map(|d| {
            let t = d as f64;
            let base = 1.0 + 0.5 * (t / 365.0 * std::f64::consts::TAU).sin().abs();
            base + spikes.iter().map(|(c, w, h)| h * (-((t - c) / w).powi(2)).exp()).sum::<f64>()
        }));
        let actors: Vec<String> = NAMED
            .iter()
            .map(|s| s.to_string())
            .chain((NAMED.len()..300).map(|i| format!("Armed group {i:03}")))
            .collect();
        let actor_cdf = cdf((0..actors.len()).map(|i| 1.0 / ((i + 1) as f64).powf(1.1)));
        let locations = (0..2000)
            .map(|i| {
                let country = COUNTRIES[pick(&cdf([8.0, 6.0, 1.0, 2.0, 1.5, 1.0].into_iter()), rng.unit())];
                (format!("Location {i:04}"), country, 29.0 + rng.unit() * 8.0, 36.0 + rng.unit() * 10.0)
            })
            .collect();
        Model { actors, actor_cdf, locations, day_cdf, first_day }
    }
}

/// One generated batch, column by column.
#[derive(Default)]
struct Batch {
    id: Vec<String>,
    date: Vec<i32>,
    precision: Vec<&'static str>,
    country: Vec<&'static str>,
    location: Vec<String>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    actor: Vec<String>,
    target_type: Vec<&'static str>,
    weapon: Vec<&'static str>,
    fatalities: Vec<Option<i64>>,
    injured: Vec<Option<i64>>,
    notes: Vec<String>,
}

/// Streams rows in descending date order.
struct Generator {
    rng: Rng,
    model: Model,
    remaining: u64,
    /// Current order statistic of the descending uniform sequence.
    u: f64,
    next_id: u64,
}

impl Generator {
    fn new(rows: u64, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let model = Model::new(&mut rng);
        Generator { rng, model, remaining: rows, u: 1.0, next_id: 0 }
    }

    fn count(&mut self, p_zero: f64, p_unknown: f64) -> Option<i64> {
        let u = self.rng.unit();
        if u < p_unknown {
            None
        } else if u < p_unknown + p_zero {
            Some(0)
        } else {
            // Pareto-like tail: mostly 1-5, rarely hundreds.
            Some((1.0 / self.rng.unit().powf(0.8)).floor().min(2000.0) as i64)
        }
    }

    fn batch(&mut self) -> Option<Batch> {
        if self.remaining == 0 {
            return None;
        }
        let n = BATCH.min(self.remaining as usize);
        let mut b = Batch::default();
        for _ in 0..n {
            // Descending order statistics: U(n) = U^(1/n), U(k) = U(k+1) · U^(1/k).
            self.u *= self.rng.unit().powf(1.0 / self.remaining as f64);
            self.remaining -= 1;
            let day = pick(&self.model.day_cdf, self.u);
            let date = self.model.first_day + Duration::days(day as i64);
            self.next_id += 1;
            b.id.push(format!("SYN{:09}", self.next_id));
            b.date.push(epoch_days(date));
            let p = self.rng.unit();
            b.precision.push(if p < 0.9 {
                "day"
            } else if p < 0.97 {
                "week"
            } else {
                "month"
            });
            let (loc, country, lat, lon) = &self.model.locations[self.rng.below(2000)];
            b.country.push(country);
            b.location.push(loc.clone());
            b.lat.push(*lat);
            b.lon.push(*lon);
            let a = pick(&self.model.actor_cdf, self.rng.unit());
            b.actor.push(self.model.actors[a].clone());
            b.target_type.push(
                TARGET_TYPES[pick(
                    &cdf([9.0, 5.0, 1.0, 1.0, 2.0, 6.0, 3.0, 3.0, 2.0, 0.5, 1.0, 1.0].into_iter()),
                    self.rng.unit(),
                )],
            );
            b.weapon.push(WEAPONS[pick(&cdf([6.0, 5.0, 4.0, 3.0, 4.0, 0.5, 2.0, 1.0].into_iter()), self.rng.unit())]);
            b.fatalities.push(self.count(0.55, 0.08));
            b.injured.push(self.count(0.5, 0.2));
            let mut note = String::with_capacity(128);
            while note.len() < 100 {
                note.push_str(WORDS[self.rng.below(WORDS.len())]);
                note.push(' ');
            }
            note.push_str(&date.to_string());
            b.notes.push(note);
        }
        Some(b)
    }
}

/// The native-layout columns the generator writes to CSV.
pub const CSV_COLUMNS: [&str; 13] = [
    "incident_id",
    "date",
    "date_precision",
    "country",
    "location",
    "latitude",
    "longitude",
    "actor",
    "target_type",
    "weapon",
    "fatalities",
    "injured",
    "notes",
];

impl Batch {
    fn frame(self) -> Result<DataFrame> {
        let n = self.id.len();
        let date = Int32Chunked::from_vec(col::DATE.into(), self.date).into_date().into_series();
        let mut cols: Vec<Column> = Vec::new();
        for (name, ty) in CANONICAL {
            let c: Column = match *name {
                col::INCIDENT_ID => Column::new((*name).into(), self.id.clone()),
                col::DATE => date.clone().into(),
                col::DATE_PRECISION => Column::new((*name).into(), self.precision.clone()),
                col::COUNTRY => Column::new((*name).into(), self.country.clone()),
                col::LOCATION => Column::new((*name).into(), self.location.clone()),
                col::LATITUDE => Column::new((*name).into(), self.lat.clone()),
                col::LONGITUDE => Column::new((*name).into(), self.lon.clone()),
                col::ACTOR => Column::new((*name).into(), self.actor.clone()),
                col::TARGET_TYPE => Column::new((*name).into(), self.target_type.clone()),
                col::WEAPON => Column::new((*name).into(), self.weapon.clone()),
                col::FATALITIES => Column::new((*name).into(), self.fatalities.clone()),
                col::INJURED => Column::new((*name).into(), self.injured.clone()),
                col::NOTES => Column::new((*name).into(), self.notes.clone()),
                _ => Column::full_null((*name).into(), n, &crate::schema::dtype_of(*ty)),
            };
            cols.push(c);
        }
        Ok(DataFrame::new(n, cols)?)
    }

    fn write_csv(&self, w: &mut csv::Writer<impl Write>) -> csv::Result<()> {
        let opt = |v: Option<i64>| v.map_or_else(String::new, |x| x.to_string());
        for i in 0..self.id.len() {
            let date = crate::schema::dates::from_epoch_days(self.date[i]).unwrap_or_default().to_string();
            w.write_record([
                self.id[i].as_str(),
                &date,
                self.precision[i],
                self.country[i],
                &self.location[i],
                &format!("{:.5}", self.lat[i]),
                &format!("{:.5}", self.lon[i]),
                &self.actor[i],
                self.target_type[i],
                self.weapon[i],
                &opt(self.fatalities[i]),
                &opt(self.injured[i]),
                &self.notes[i],
            ])?;
        }
        Ok(())
    }
}

/// Write `rows` synthetic incidents to `out`: CSV in the native layout, or
/// (for a `.parquet` name) a canonical Parquet store.
pub fn generate(out: &Path, rows: u64, seed: u64) -> Result<()> {
    let mut g = Generator::new(rows, seed);
    let parquet = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    write_atomic_with(out, |f| {
        if parquet {
            let first = Batch::default().frame().map_err(std::io::Error::other)?;
            // Ids are unique by construction, so it is a store; not normalised.
            let mut w = crate::store::parquet_writer(f, "none")
                .batched(&first.schema().as_ref().clone())
                .map_err(std::io::Error::other)?;
            while let Some(b) = g.batch() {
                w.write_batch(&b.frame().map_err(std::io::Error::other)?).map_err(std::io::Error::other)?;
            }
            w.finish().map(|_| ()).map_err(std::io::Error::other)
        } else {
            let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, f));
            w.write_record(CSV_COLUMNS).map_err(std::io::Error::other)?;
            while let Some(b) = g.batch() {
                b.write_csv(&mut w).map_err(std::io::Error::other)?;
            }
            w.flush()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_rows_and_dates_descend() {
        let take = |seed| {
            let mut g = Generator::new(1000, seed);
            let b = g.batch().unwrap();
            (b.id, b.date, b.actor)
        };
        let (ids, dates, actors) = take(7);
        assert_eq!((ids.clone(), dates.clone(), actors.clone()), take(7));
        assert_ne!(actors, take(8).2);
        assert_eq!(ids.len(), 1000);
        assert!(dates.windows(2).all(|w| w[0] >= w[1]));
        // Zipf: the top actor is far more frequent than the 100th.
        let top = actors.iter().filter(|a| *a == "Islamic Resistance in Iraq").count();
        assert!(top > 50, "{top}");
    }
}
