//! What commands share, apart from them: opening a device and finding a unit's sg node,
//! sending and judging commands, sg3_utils' renderings (sense, VPD pages, names, udev's
//! export lines), `--inhex` files, the unit tools' option conventions, progress polling, and
//! the safety of the commands that destroy data. Nothing here imports a command
//! (`crate::commands`).

pub mod capacity;
pub mod destructive;
pub mod dev;
pub mod export;
pub mod inhex;
pub mod inq_pages;
pub mod inq_source;
pub mod names;
pub mod node;
pub mod progress;
pub mod sense_json;
pub mod sense_text;
pub mod simple_inquiry;
pub mod unit_opts;
pub mod vpd_text;
