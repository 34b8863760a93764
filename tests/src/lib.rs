//! Tests that need the real sg driver (placeholder until the guest rig lands).
