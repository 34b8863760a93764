//! `sgmap-sys`: the Linux sg driver over rustix (placeholder until its issue lands).
#![cfg_attr(not(feature = "std"), no_std)]
