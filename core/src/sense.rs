//! Sense data (being written).
