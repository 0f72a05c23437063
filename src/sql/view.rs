//! Canonical views over big sources and the mapping table they join.
