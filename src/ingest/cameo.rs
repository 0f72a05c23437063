//! GDELT actors by their CAMEO codes (CAMEO codebook, actor codes: a
//! three-letter country, then role codes; known groups apart). Names in GDELT
//! are whatever a story said ("THE US", "WASHINGTON", "SYRIAN"), so codes
//! come first where they say more:
//!
//! 1. a known group code (`Actor1KnownGroupCode`: UNO, TAL, HEZ…) is that group;
//! 2. a state force (`USAMIL`, `IRQGOV`, `SYRCOP`, or a bare `MIL`) is named
//!    as ACLED does (`Military Forces of United States`), so the alias table
//!    reads it as a force of `Government of X`;
//! 3. a bare country code (`USA`, `IRN`) is that country;
//! 4. otherwise the name, as written;
//! 5. with no name, a country and another role (`SYRREB`): `Rebels (Syria)`.

/// Country codes CAMEO uses (ISO 3166 alpha-3 for states), for the
/// countries of the region and the powers active in it: code, name, and the
/// demonym and capital GDELT writes as names ("SYRIAN", "WASHINGTON").
pub const COUNTRIES: &[(&str, &str, &str, &str)] = &[
    ("AFG", "Afghanistan", "AFGHAN", "KABUL"),
    ("ARE", "United Arab Emirates", "EMIRATI", "ABU DHABI"),
    ("BHR", "Bahrain", "BAHRAINI", "MANAMA"),
    ("CHN", "China", "CHINESE", "BEIJING"),
    ("DEU", "Germany", "GERMAN", "BERLIN"),
    ("EGY", "Egypt", "EGYPTIAN", "CAIRO"),
    ("FRA", "France", "FRENCH", "PARIS"),
    ("GBR", "United Kingdom", "BRITISH", "LONDON"),
    ("IND", "India", "INDIAN", "NEW DELHI"),
    ("IRN", "Iran", "IRANIAN", "TEHRAN"),
    ("IRQ", "Iraq", "IRAQI", "BAGHDAD"),
    ("ISR", "Israel", "ISRAELI", "JERUSALEM"),
    ("JOR", "Jordan", "JORDANIAN", "AMMAN"),
    ("KWT", "Kuwait", "KUWAITI", "KUWAIT CITY"),
    ("LBN", "Lebanon", "LEBANESE", "BEIRUT"),
    ("LBY", "Libya", "LIBYAN", "TRIPOLI"),
    ("OMN", "Oman", "OMANI", "MUSCAT"),
    ("PAK", "Pakistan", "PAKISTANI", "ISLAMABAD"),
    ("PSE", "Palestine", "PALESTINIAN", "RAMALLAH"),
    ("QAT", "Qatar", "QATARI", "DOHA"),
    ("RUS", "Russia", "RUSSIAN", "MOSCOW"),
    ("SAU", "Saudi Arabia", "SAUDI", "RIYADH"),
    ("SOM", "Somalia", "SOMALI", "MOGADISHU"),
    ("SYR", "Syria", "SYRIAN", "DAMASCUS"),
    ("TUR", "Turkey", "TURKISH", "ANKARA"),
    ("UKR", "Ukraine", "UKRAINIAN", "KYIV"),
    ("USA", "United States", "AMERICAN", "WASHINGTON"),
    ("YEM", "Yemen", "YEMENI", "SANAA"),
];

/// CAMEO known group codes seen in the region's events.
pub const GROUPS: &[(&str, &str)] = &[
    ("ALQ", "Al Qaeda"),
    ("HEZ", "Hezbollah"),
    ("HMS", "Hamas"),
    ("PKK", "PKK"),
    ("TAL", "Taliban"),
    ("UNO", "United Nations"),
    ("EEC", "European Union"),
    ("NAT", "NATO"),
    ("ARL", "Arab League"),
];

/// Role codes of state forces: the force's name as ACLED writes it.
const STATE_ROLES: &[(&str, &str)] =
    &[("MIL", "Military Forces of"), ("GOV", "Government of"), ("COP", "Police Forces of"), ("SPY", "Government of")];

/// Other roles, as a generic group of the country.
const ROLES: &[(&str, &str)] = &[
    ("REB", "Rebels"),
    ("INS", "Rebels"),
    ("SEP", "Rebels"),
    ("UAF", "Unidentified armed group"),
    ("CVL", "Civilians"),
    ("OPP", "Opposition"),
    ("REF", "Refugees"),
];

fn lookup<'a>(table: &'a [(&str, &str)], code: &str) -> Option<&'a str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

fn country_of(code: &str) -> Option<&'static (&'static str, &'static str, &'static str, &'static str)> {
    COUNTRIES.iter().find(|c| c.0 == code)
}

/// A country's name by its name, demonym or capital as GDELT writes them.
pub fn country_named(name: &str) -> Option<&'static str> {
    let n = name.trim().to_uppercase();
    let n = n.strip_prefix("THE ").unwrap_or(&n);
    COUNTRIES.iter().find(|c| c.1.to_uppercase() == n || c.2 == n || c.3 == n).map(|c| c.1)
}

/// The actor of a GDELT row from its code, known group code and name (any
/// may be empty); `None` when nothing names it.
pub fn actor(code: &str, group: &str, name: &str) -> Option<String> {
    let (code, group, name) = (code.trim(), group.trim(), name.trim());
    // CAMEO codes are ASCII letters; anything else is not a code.
    let code = if code.is_ascii() { code } else { "" };
    if let Some(g) = lookup(GROUPS, group) {
        return Some(g.to_string());
    }
    let country = code.get(..3).and_then(country_of).map(|c| c.1);
    let roles: Vec<&str> = {
        let rest = if country.is_some() { &code[3..] } else { code };
        (0..rest.len() / 3).map(|i| &rest[i * 3..i * 3 + 3]).collect()
    };
    // The primary role decides (SYRREBMIL is a rebel group's armed wing, not the state's).
    let state = roles.first().and_then(|r| lookup(STATE_ROLES, r));
    match (country, state) {
        (Some(c), Some(force)) => return Some(format!("{force} {c}")),
        (None, Some(force)) if roles.len() == 1 && code.len() == 3 => {
            return Some(format!("{} (unspecified country)", force.trim_end_matches(" of")))
        }
        (Some(c), None) if roles.is_empty() => return Some(c.to_string()),
        _ => {}
    }
    if !name.is_empty() {
        // "SYRIAN" for a Syrian actor of another role: the country.
        if let (Some(c), Some(named)) = (country, country_named(name)) {
            if c == named {
                return Some(c.to_string());
            }
        }
        return Some(name.to_string());
    }
    let role = roles.first().and_then(|r| lookup(ROLES, r))?;
    Some(match country {
        Some(c) => format!("{role} ({c})"),
        None => role.to_string(),
    })
}

/// The target type a GDELT target's role codes give (`State forces`,
/// `Rebel group`, `Civilians`), in the words of ACLED's inter codes, so the
/// same taxonomy rules apply.
pub fn target_type(code: &str) -> Option<&'static str> {
    let code = code.trim();
    if !code.is_ascii() {
        return None;
    }
    let rest = if code.get(..3).and_then(country_of).is_some() { &code[3..] } else { code };
    rest.get(..3).and_then(|r| match r {
        "MIL" | "COP" | "SPY" => Some("State forces"),
        "REB" | "INS" | "SEP" | "UAF" => Some("Rebel group"),
        "CVL" => Some("Civilians"),
        "GOV" | "LEG" | "JUD" => Some("government"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_before_names_where_they_say_more() {
        assert_eq!(actor("USAMIL", "", "THE US").as_deref(), Some("Military Forces of United States"));
        assert_eq!(actor("USA", "", "WASHINGTON").as_deref(), Some("United States"));
        assert_eq!(actor("IRQGOV", "", "BAGHDAD").as_deref(), Some("Government of Iraq"));
        assert_eq!(actor("IRN", "", "").as_deref(), Some("Iran"));
        assert_eq!(actor("", "TAL", "TALIBAN").as_deref(), Some("Taliban"));
        assert_eq!(actor("IRQREB", "", "KATAIB HEZBOLLAH").as_deref(), Some("KATAIB HEZBOLLAH"));
        assert_eq!(actor("SYRREL", "", "SYRIAN").as_deref(), Some("Syria"));
        assert_eq!(country_named("The United States"), Some("United States"));
        assert_eq!(actor("SYRREB", "", "").as_deref(), Some("Rebels (Syria)"));
        assert_eq!(actor("MIL", "", "ARMY").as_deref(), Some("Military Forces (unspecified country)"));
        assert_eq!(actor("", "", ""), None);
        assert_eq!(target_type("USAMIL"), Some("State forces"));
        assert_eq!(target_type("SYRCVL"), Some("Civilians"));
        assert_eq!(target_type("USA"), None);
    }
}
