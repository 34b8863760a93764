//! Following a long operation (FORMAT UNIT, SANITIZE) by its progress indication: what
//! `format`, `sanitize`, `requests --progress` and `tur --progress` share.
//!
//! Each sg3_utils tool polls in its own way (sg3_utils 1.46: `scsi_format_unit()` in
//! sg_format.c, the poll loop of sg_sanitize.c's `main()`, sg_requests.c's and sg_turs.c's
//! `--progress` loops). [`run`] is each of those loops as a pure function over the replies of
//! the poll commands: the caller sends the command ([`Ask`]), sleeps, and prints the
//! [`Line`]s; the host tests feed it sequences of replies.

use sgmap_core::sense::{self, Progress};

use sgmap_sys::{Command, Data, Device, Timeout};

use crate::json::Json;
use crate::out;
use crate::out::Fail;
use crate::shared::dev;
use crate::shared::names;

/// Whose loop to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// sg_format after FORMAT UNIT with IMMED: TEST UNIT READY every `secs` (60, or 10 with
    /// FFMT) while it reports progress; then, with `--poll=1` or when the unit stayed NOT
    /// READY without progress, REQUEST SENSE likewise; then `FORMAT UNIT Complete`.
    Format {
        /// Poll with REQUEST SENSE from the start (`--poll=1`).
        request_sense: bool,
        /// Seconds between polls.
        secs: u32,
    },
    /// sg_sanitize after SANITIZE with IMMED: REQUEST SENSE every 60 seconds (the first one
    /// after 60) until there is no progress; `Progress indication: N% done`.
    Sanitize {
        /// REQUEST SENSE with DESC (`--desc`), dropped after ILLEGAL REQUEST.
        desc: bool,
    },
    /// `sg_requests --progress --num=N`: REQUEST SENSE now, then every 30 seconds, at most
    /// `num` times, until there is no progress.
    Requests {
        /// At most this many commands.
        num: u64,
    },
    /// `sg_turs --progress --num=N`: TEST UNIT READY likewise.
    Tur {
        /// At most this many commands.
        num: u64,
    },
}

/// A poll command to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// TEST UNIT READY; the progress is in its sense data.
    TestUnitReady,
    /// REQUEST SENSE (DESC as given); the progress is in its data-in.
    RequestSense {
        /// DESC.
        desc: bool,
    },
}

/// What a poll command brought back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    /// The command's exit category (0 good; 2 NOT READY; 20/21 NO SENSE and RECOVERED ERROR
    /// count as good where sg3_utils counts them so).
    pub status: u8,
    /// The progress indication found ([`sgmap_core::sense::progress`]): in TEST UNIT READY's
    /// sense data, or in REQUEST SENSE's data-in when it completed.
    pub progress: Option<Progress>,
}

/// A line to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// On stdout.
    Out(String),
    /// On stderr.
    Err(String),
}

/// What the loop did: the exit status and each progress seen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The exit status the tool ends with.
    pub status: u8,
    /// Poll commands sent.
    pub commands: u64,
    /// Poll commands that failed (sg_requests counts them).
    pub errors: u64,
    /// The progress indications, in order.
    pub seen: Vec<Progress>,
}

/// `Progress indication: 12.34% done`, sg3_utils' arithmetic.
pub fn percent(p: Progress) -> String {
    let (whole, hundredths) = p.sg3_percent();
    format!("{whole}.{hundredths:02}")
}

/// Runs `style`'s loop: `sleep(secs)` before a poll where the tool sleeps, `ask` sends a
/// poll command (an `Err` — the device failed at the OS level — ends the loop with it),
/// `print` takes each line as it comes.
pub fn run<E>(
    style: Style,
    mut sleep: impl FnMut(u32),
    mut ask: impl FnMut(Ask) -> Result<Reply, E>,
    mut print: impl FnMut(Line),
) -> Result<Outcome, E> {
    let mut o = Outcome::default();
    let mut send = |o: &mut Outcome, a: Ask| -> Result<Reply, E> {
        o.commands += 1;
        let r = ask(a)?;
        if let Some(p) = r.progress {
            o.seen.push(p);
        }
        Ok(r)
    };
    match style {
        Style::Format {
            request_sense,
            secs,
        } => {
            let mut last_status = 0;
            if !request_sense {
                loop {
                    sleep(secs);
                    let r = send(&mut o, Ask::TestUnitReady)?;
                    last_status = r.status;
                    match r.progress {
                        Some(p) => print(Line::Out(format!(
                            "Format unit in progress, {}% done",
                            percent(p)
                        ))),
                        None => break,
                    }
                }
            }
            if request_sense || last_status == 2 {
                loop {
                    sleep(secs);
                    let r = send(&mut o, Ask::RequestSense { desc: false })?;
                    if r.status != 0 {
                        print(Line::Err(format!(
                            "polling with Request Sense command failed [res={}]",
                            r.status
                        )));
                        break;
                    }
                    match r.progress {
                        Some(p) => print(Line::Out(format!(
                            "Format unit in progress, {}% done",
                            percent(p)
                        ))),
                        None => break,
                    }
                }
            }
            print(Line::Out("FORMAT UNIT Complete".to_owned()));
        }
        Style::Sanitize { mut desc } => loop {
            sleep(60);
            let r = send(&mut o, Ask::RequestSense { desc })?;
            if r.status != 0 {
                o.status = r.status;
                match r.status {
                    9 => print(Line::Err("Request Sense command not supported".to_owned())),
                    5 => {
                        print(Line::Err("bad field in Request Sense cdb".to_owned()));
                        if desc {
                            print(Line::Err(
                                "Descriptor type sense may not be supported, try again with \
                                 fixed type"
                                    .to_owned(),
                            ));
                            desc = false;
                            continue;
                        }
                    }
                    other => {
                        print(Line::Err(format!(
                            "Request Sense: {}",
                            names::exit_status(other)
                        )));
                    }
                }
                break;
            }
            match r.progress {
                Some(p) => {
                    let (whole, _) = p.sg3_percent();
                    print(Line::Out(format!("Progress indication: {whole}% done")));
                }
                None => {
                    o.status = 0;
                    break;
                }
            }
        },
        Style::Requests { num } => {
            for k in 0..num {
                if k > 0 {
                    sleep(30);
                }
                let r = send(&mut o, Ask::RequestSense { desc: false })?;
                match r.status {
                    0 | 20 | 21 => {}
                    2 => {
                        o.errors += 1;
                        if num == 1 {
                            o.status = 2;
                            print(Line::Out("device not ready".to_owned()));
                        }
                    }
                    6 => o.errors += 1,
                    other => {
                        o.errors += 1;
                        if num == 1 {
                            o.status = other;
                            print(Line::Out(names::exit_status(other)));
                        }
                    }
                }
                if o.status != 0 {
                    break;
                }
                // The data-in counts only when the command completed.
                match r.progress.filter(|_| r.status == 0) {
                    Some(p) => print(Line::Out(format!(
                        "Progress indication: {}% done",
                        percent(p)
                    ))),
                    None => break,
                }
            }
            if o.errors > 0 {
                print(Line::Out(format!(
                    "Number of command errors detected: {}",
                    o.errors
                )));
            }
        }
        Style::Tur { num } => {
            let mut done = 0;
            for k in 0..num {
                if k > 0 {
                    sleep(30);
                }
                let r = send(&mut o, Ask::TestUnitReady)?;
                done = k + 1;
                match r.progress {
                    Some(p) => print(Line::Out(format!(
                        "Progress indication: {}% done",
                        percent(p)
                    ))),
                    None => {
                        // sg_turs: recovered and no-sense count as good.
                        o.status = if matches!(r.status, 20 | 21) {
                            0
                        } else {
                            r.status
                        };
                        break;
                    }
                }
            }
            if num > 1 {
                print(Line::Out(format!(
                    "Completed {done} Test Unit Ready commands"
                )));
            }
        }
    }
    Ok(o)
}

/// The `progress` member of a `--json` object: each indication seen, in order, as
/// `{"progress_indication": N, "percent": "P.PP"}` (N in 65536ths).
pub fn json(j: &mut Json, seen: &[Progress]) {
    j.begin_array("progress");
    for p in seen {
        j.item_object()
            .u64("progress_indication", u64::from(p.0))
            .str("percent", &percent(*p))
            .end();
    }
    j.end_array();
}

/// Prints a line of the progress loop.
/// What format and sanitize do with a progress line: with `--json` (whose object is the
/// whole of stdout) every line goes to stderr, else where [`print_line`] puts it.
pub fn emit(json: bool) -> impl FnMut(Line) {
    move |line| {
        if json {
            let (Line::Out(s) | Line::Err(s)) = line;
            out::err_fmt(format_args!("{s}\n"));
        } else {
            print_line(line);
        }
    }
}

/// Prints a progress line on its stream.
pub fn print_line(line: Line) {
    match line {
        Line::Out(s) => {
            let _ = out::out_fmt(format_args!("{s}\n"));
        }
        Line::Err(s) => out::err_fmt(format_args!("{s}\n")),
    }
}

/// One poll command for [`run`]: TEST UNIT READY (progress in its sense) or
/// REQUEST SENSE (progress in its data-in).
pub fn poll(d: &mut Device, device: &str, ask: Ask) -> Result<Reply, Fail> {
    match ask {
        Ask::TestUnitReady => {
            let cdb = dev::cdb(&sgmap_core::cdb::TestUnitReady, device)?;
            let resp = d
                .execute(&Command::new(cdb.as_bytes()), Data::None)
                .map_err(dev::sys_fail)?;
            Ok(Reply {
                status: match resp.category().code() {
                    20 | 21 => 0,
                    c => c,
                },
                progress: sense::progress(resp.sense()),
            })
        }
        Ask::RequestSense { desc } => {
            let cdb = dev::cdb(
                &sgmap_core::cdb::RequestSense {
                    descriptor: desc,
                    allocation_length: 252,
                },
                device,
            )?;
            let (resp, data) = dev::data_in(d, cdb.as_bytes(), 252, Timeout::DEFAULT)?;
            let status = match resp.category().code() {
                20 | 21 => 0,
                c => c,
            };
            Ok(Reply {
                status,
                progress: if resp.is_good() {
                    sense::progress(&data)
                } else {
                    None
                },
            })
        }
    }
}

/// Sleeps whole seconds.
pub fn sleep_secs(secs: u32) {
    std::thread::sleep(std::time::Duration::from_secs(u64::from(secs)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `style` over `replies`; returns the lines (stdout prefixed `1:`, stderr `2:`),
    /// the sleeps, what was asked, and the outcome.
    fn drive(style: Style, replies: &[Reply]) -> (Vec<String>, Vec<u32>, Vec<Ask>, Outcome) {
        let (mut lines, mut sleeps, mut asked) = (Vec::new(), Vec::new(), Vec::new());
        let mut it = replies.iter();
        let o = run::<()>(
            style,
            |s| sleeps.push(s),
            |a| {
                asked.push(a);
                Ok(*it.next().expect("asked more than the replies"))
            },
            |l| {
                lines.push(match l {
                    Line::Out(s) => format!("1:{s}"),
                    Line::Err(s) => format!("2:{s}"),
                })
            },
        )
        .unwrap();
        (lines, sleeps, asked, o)
    }

    fn at(status: u8, p: Option<u16>) -> Reply {
        Reply {
            status,
            progress: p.map(Progress),
        }
    }

    const TUR: Ask = Ask::TestUnitReady;
    const RS: Ask = Ask::RequestSense { desc: false };

    #[test]
    fn format_polls_tur_until_no_progress_then_complete() {
        let style = Style::Format {
            request_sense: false,
            secs: 60,
        };
        let (lines, sleeps, asked, o) =
            drive(style, &[at(2, Some(0x4000)), at(2, Some(59)), at(0, None)]);
        assert_eq!(
            lines,
            [
                "1:Format unit in progress, 25.00% done",
                "1:Format unit in progress, 0.08% done",
                "1:FORMAT UNIT Complete"
            ]
        );
        assert_eq!(sleeps, [60, 60, 60]);
        assert_eq!(asked, [TUR, TUR, TUR]);
        assert_eq!(o.status, 0);
        assert_eq!(o.seen, [Progress(0x4000), Progress(59)]);
    }

    #[test]
    fn format_turns_to_request_sense_when_not_ready_without_progress() {
        let style = Style::Format {
            request_sense: false,
            secs: 10,
        };
        let (lines, sleeps, asked, _) =
            drive(style, &[at(2, None), at(0, Some(0x8000)), at(0, None)]);
        assert_eq!(
            lines,
            [
                "1:Format unit in progress, 50.00% done",
                "1:FORMAT UNIT Complete"
            ]
        );
        assert_eq!(sleeps, [10, 10, 10]);
        assert_eq!(asked, [TUR, RS, RS]);
        // --poll=1: REQUEST SENSE from the start; a failed one ends the polling.
        let style = Style::Format {
            request_sense: true,
            secs: 60,
        };
        let (lines, _, asked, o) = drive(style, &[at(0, Some(0xffff)), at(9, None)]);
        assert_eq!(
            lines,
            [
                "1:Format unit in progress, 99.99% done",
                "2:polling with Request Sense command failed [res=9]",
                "1:FORMAT UNIT Complete"
            ]
        );
        assert_eq!(asked, [RS, RS]);
        assert_eq!(o.status, 0);
    }

    #[test]
    fn sanitize_prints_whole_percent_and_drops_desc_after_illegal_request() {
        let style = Style::Sanitize { desc: true };
        let (lines, sleeps, asked, o) = drive(
            style,
            &[
                at(5, None),
                at(0, Some(0x4000)),
                at(0, Some(0x8001)),
                at(0, None),
            ],
        );
        assert_eq!(
            lines,
            [
                "2:bad field in Request Sense cdb",
                "2:Descriptor type sense may not be supported, try again with fixed type",
                "1:Progress indication: 25% done",
                "1:Progress indication: 50% done",
            ]
        );
        assert_eq!(sleeps, [60, 60, 60, 60]);
        assert_eq!(asked, [Ask::RequestSense { desc: true }, RS, RS, RS]);
        assert_eq!(o.status, 0);
        // A REQUEST SENSE that fails otherwise ends it with its status.
        let (lines, _, _, o) = drive(Style::Sanitize { desc: false }, &[at(9, None)]);
        assert_eq!(lines, ["2:Request Sense command not supported"]);
        assert_eq!(o.status, 9);
        let (lines, _, _, o) = drive(Style::Sanitize { desc: false }, &[at(2, None)]);
        assert_eq!(lines, ["2:Request Sense: Device not ready"]);
        assert_eq!(o.status, 2);
    }

    #[test]
    fn requests_progress_as_sg_requests() {
        let (lines, sleeps, _, o) = drive(
            Style::Requests { num: 3 },
            &[
                at(0, Some(0x1000)),
                at(0, Some(0x2000)),
                at(0, Some(0x3000)),
            ],
        );
        assert_eq!(
            lines,
            [
                // sg3_utils' arithmetic: 0x1000 is 6.25% exactly, printed 6.24.
                "1:Progress indication: 6.24% done",
                "1:Progress indication: 12.49% done",
                "1:Progress indication: 18.74% done",
            ]
        );
        // No sleep before the first.
        assert_eq!(sleeps, [30, 30]);
        assert_eq!((o.status, o.commands), (0, 3));
        // No progress: nothing printed, exit 0, stop at once.
        let (lines, sleeps, _, o) = drive(Style::Requests { num: 5 }, &[at(0, None)]);
        assert!(lines.is_empty() && sleeps.is_empty());
        assert_eq!((o.status, o.commands), (0, 1));
        // A failed REQUEST SENSE with one command: its name and status, and the count.
        let (lines, _, _, o) = drive(Style::Requests { num: 1 }, &[at(2, None)]);
        assert_eq!(
            lines,
            [
                "1:device not ready",
                "1:Number of command errors detected: 1"
            ]
        );
        assert_eq!(o.status, 2);
        let (lines, _, _, o) = drive(Style::Requests { num: 1 }, &[at(9, None)]);
        assert_eq!(
            lines,
            [
                "1:Illegal request, Invalid opcode",
                "1:Number of command errors detected: 1"
            ]
        );
        assert_eq!(o.status, 9);
        // With several, a failure is counted, not reported, and ends the loop (no data-in).
        let (lines, _, _, o) = drive(
            Style::Requests { num: 4 },
            &[at(0, Some(0x100)), at(6, Some(0x200))],
        );
        assert_eq!(
            lines,
            [
                "1:Progress indication: 0.39% done",
                "1:Number of command errors detected: 1"
            ]
        );
        assert_eq!(o.status, 0);
    }

    #[test]
    fn tur_progress_as_sg_turs() {
        let (lines, sleeps, asked, o) = drive(
            Style::Tur { num: 4 },
            &[at(2, Some(0x4000)), at(2, Some(0x6000)), at(0, None)],
        );
        assert_eq!(
            lines,
            [
                "1:Progress indication: 25.00% done",
                "1:Progress indication: 37.49% done",
                "1:Completed 3 Test Unit Ready commands",
            ]
        );
        assert_eq!(sleeps, [30, 30]);
        assert_eq!(asked, [TUR, TUR, TUR]);
        assert_eq!(o.status, 0);
        // All with progress: the count is NUM.
        let (lines, _, _, _) = drive(Style::Tur { num: 2 }, &[at(2, Some(1)), at(2, Some(2))]);
        assert_eq!(
            lines.last().unwrap(),
            "1:Completed 2 Test Unit Ready commands"
        );
        // One command: no count line; NOT READY without progress is the exit status.
        let (lines, _, _, o) = drive(Style::Tur { num: 1 }, &[at(2, None)]);
        assert!(lines.is_empty());
        assert_eq!(o.status, 2);
        let (_, _, _, o) = drive(Style::Tur { num: 1 }, &[at(21, None)]);
        assert_eq!(o.status, 0);
    }

    #[test]
    fn an_os_error_ends_the_loop() {
        let r = run(
            Style::Tur { num: 3 },
            |_| {},
            |_| Err::<Reply, &str>("gone"),
            |_| {},
        );
        assert_eq!(r, Err("gone"));
    }

    #[test]
    fn progress_json_lists_each() {
        let mut j = Json::object();
        json(&mut j, &[Progress(0x4000), Progress(59)]);
        assert_eq!(
            j.finish(),
            "{\"progress\":[{\"progress_indication\":16384,\"percent\":\"25.00\"},\
             {\"progress_indication\":59,\"percent\":\"0.08\"}]}\n"
        );
    }
}
