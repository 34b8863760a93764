//! `sgmap sense` and the link named `sg_decode_sense` beside sg3_utils 1.46's
//! `sg_decode_sense` on a few thousand random fixed and descriptor sense buffers from a
//! seeded generator (the same buffers on every run of a phase, other ones in each phase):
//! the same exit status and stdout (issue 18). `-v` and bytes that are not sense data are
//! in `conform_raw_sense.rs`, whose binary has time to spare.

mod cli_common;
mod sense_gen;

use cli_common::*;
use sense_gen::random_buffers_decode_the_same;

/// A seed of the phase's own (FNV-1a of its name): every phase of a run decodes other
/// buffers, the same ones on every run.
fn phase_seed(env: &Env, salt: u64) -> u64 {
    env.dev
        .phase
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325 ^ salt, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
        | 1
}

/// How many buffers each phase decodes: about 2.1 processes each, under TCG on a loaded
/// two-core machine up to a third of a second a process, inside the 600 seconds a test
/// binary has. The five phases of a full run decode 2500 different buffers.
const PER_PHASE: usize = 500;

#[test]
fn sense_random_fixed_and_descriptor_buffers_decode_as_sg_decode_sense() {
    let env = Env::get();
    random_buffers_decode_the_same(phase_seed(&env, 0x18), PER_PHASE, &[]);
}
