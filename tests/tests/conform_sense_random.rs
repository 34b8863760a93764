//! `sgmap sense` and the link named `sg_decode_sense` beside sg3_utils 1.46's
//! `sg_decode_sense` on 1,500 random fixed and descriptor sense buffers a run from a
//! seeded generator (the same buffers on every run of a phase, other ones in each phase;
//! phase `qemu-disk`'s are decoded in `sdebug-4096`, which has the time): the same exit
//! status and stdout (issue 18). `-v` and bytes that are not sense data are
//! in `conform_raw_sense.rs`, whose binary has time to spare.

mod cli_common;
mod sense_gen;

use cli_common::*;
use sense_gen::random_buffers_decode_the_same;

/// A seed of a phase's own (FNV-1a of its name): every phase of a run decodes other
/// buffers, the same ones on every run.
fn phase_seed(phase: &str, salt: u64) -> u64 {
    phase.bytes().fold(0xcbf2_9ce4_8422_2325 ^ salt, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) | 1
}

/// How many buffers each phase decodes: about 2.1 processes each, under TCG on a loaded
/// two-core machine up to a third of a second a process, inside the 600 seconds a test
/// binary has. The four seeds of `cargo xtask test` (sdebug-4096 decodes qemu-disk's too)
/// and the armhf phase's in CI decode 1,500 different buffers, 300 each (500 each made a
/// cold run half a minute longer than its 12-minute budget).
const PER_PHASE: usize = 300;

#[test]
fn sense_random_fixed_and_descriptor_buffers_decode_as_sg_decode_sense() {
    let env = Env::get();
    random_buffers_decode_the_same(phase_seed(&env.dev.phase, 0x18), PER_PHASE, &[]);
}

/// The buffers of phase `qemu-disk`'s seed, which that phase leaves to `sdebug-4096` (the
/// decoder opens no device, and the two are x86_64 phases of the same binaries): the
/// phases of the amd64 boot have the more work (`ONCE` in guest-init.rs).
#[test]
fn sense_random_qemu_disk_seed_buffers_decode_as_sg_decode_sense() {
    let _env = Env::get();
    random_buffers_decode_the_same(phase_seed("qemu-disk", 0x18), PER_PHASE, &[]);
}
