//! Usage texts: `sgmap help [COMMAND]`, `sgmap COMMAND --help`.
//!
//! Each is a file here (`inquiry.txt` for `sgmap inquiry`, `main_head.txt` and
//! `main_tail.txt` around the overview's list of commands), packed by byte pairs while
//! building (build.rs) into a [`PackedStr`] constant named for the file (`INQUIRY`):
//! about half the text's size in the binary, unpacked only when printed.
//!
//! `getopt.txt` (`GETOPT`) is no usage text but what each tool gives getopt_long, a line a
//! tool: the tool, its option string, its long options in the order of its 1.46
//! `long_options[]` (the names of one option joined by commas), then sgmap's additions
//! (`+json +j`). `crate::cli` abbreviates long options by it, and says what glibc says of
//! an option the tool does not take; `conform_getopt` compares each line with the real
//! tool.
//! `exit_status.txt` (`EXIT_STATUS`) is sg3_utils 1.46's `sg_exit_str_arr`
//! (lib/sg_lib_data.c), a line per exit status (`N|name[|second name]`), which
//! `crate::shared::names::exit_text` words statuses by. `vpd_pages.txt` is sg_vpd's
//! `standard_vpd_pg[]` (page in hex, device type or -1, acronym, name), `inq_pages.txt`
//! sg_inq's `vpd_pg[]` (page in hex or `--` for the standard data, acronym, name) and
//! `inq_page_names.txt` sg_inq's `vpd_name_arr[]` (page in hex, device type, name), each in
//! its tool's order, read with [`rows`].

use sgmap_core::packed::PackedStr;

include!(concat!(env!("OUT_DIR"), "/help_texts.rs"));

/// The overview: `sgmap help`, from the table of commands.
pub fn main() -> String {
    let mut text = MAIN_HEAD.to_string();
    for c in crate::table::COMMANDS {
        let tools: Vec<&str> = c.tools.iter().map(|t| t.name).collect();
        let line = if tools.is_empty() {
            format!("  {:<13} {}", c.name, c.summary)
        } else {
            format!("  {:<13} {:<47} ({})", c.name, c.summary, tools.join(", "))
        };
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text.push_str(&MAIN_TAIL.to_string());
    text
}

/// The help of a command by name, alias or tool name.
pub fn of(command: &str) -> Option<String> {
    crate::table::command(command)
        .or_else(|| crate::table::tool_named(command).map(|(c, _)| c))
        .map(|c| c.help.to_string())
}

/// The rows of one of the tables here: of each line, its first `N - 1` fields (split at
/// single spaces) and the rest of it.
pub fn rows<const N: usize>(table: &str) -> impl Iterator<Item = [&str; N]> {
    table.lines().map(|line| {
        let mut fields = line.splitn(N, ' ');
        std::array::from_fn(|_| fields.next().unwrap_or(""))
    })
}
