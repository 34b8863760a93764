//! Usage texts: `sgmap help [COMMAND]`, `sgmap COMMAND --help`.

/// The overview's head.
const MAIN_HEAD: &str = "\
sgmap: SCSI generic (sg) devices with mmap-ed IO, in one static binary

Usage: sgmap COMMAND [OPTIONS] ...
       sg3_utils' names: sg_inq [OPTIONS] ... (a link to sgmap), sgmap sg_inq ...

Commands:
";

/// The overview's tail.
const MAIN_TAIL: &str = "  help          this text, or a command's: sgmap help COMMAND

Options: --version, --help, --list-names (the sg3_utils names sgmap answers to),
--install [--symlinks] [--force] DIR (a link to sgmap under each of them in DIR).
Under a tool's name a command takes the tool's options; -v and -V everywhere.
Most commands take --json[=JO] or -j[=JO]: one JSON
object (schemas in JSON.md; JO is sg3_utils' letters, accepted, no effect).
Exit status: 0 ok, 1 syntax, 15 file error, 31 contradicting options, 33 timeout,
SCSI categories as sg3_utils (2 not ready, 3 medium/hardware, 5 illegal request,
6 unit attention, 14 miscompare, 22 LBA out of range, ...), 50+errno OS error, 99 other.
Numbers take sg3_utils suffixes (c w b k K KiB KB m M MiB MB g G GiB GB t T p P),
0x... or ...h for hex, and AxB for a product.
";

/// The overview: `sgmap help`, from the table of commands.
pub fn main() -> String {
    let mut text = String::from(MAIN_HEAD);
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
    text.push_str(MAIN_TAIL);
    text
}

/// `sgmap list`.
pub const LIST: &str = "\
Usage: sgmap list [--json[=JO]]

Lists the sg devices from /sys/class/scsi_generic, one a line:
  /dev/sgN  H:C:T:L  TYPE  VENDOR  PRODUCT  REVISION  BLOCK-DEVICE
Opens no device.
";

/// `sgmap inquiry`.
pub const INQUIRY: &str = "\
Usage: sgmap inquiry [OPTIONS] DEVICE        (also as sg_inq)
       sgmap inquiry --inhex=FILE [--raw] [OPTIONS]

Sends INQUIRY and prints what sg_inq 1.46 prints: the standard INQUIRY data
(with the unit serial number when page 0x80 is listed), or a VPD page in
sg_inq's own wording. DEVICE is an sg, block (sd, sr) or bsg node.
  --page=PG, -p PG  a VPD page: a number or sg_inq's abbreviation (sv, sn, di,
                ei, ai, bl, bdc, lbpv, mna, mpp, sp, sii, ...; sinq: standard)
  --vpd, -e     VPD mode (page 0x00 unless --page)
  --id, -i      page 0x83        --extended, -E, -x   page 0x86
  --descriptors, -d   the version descriptors too
  --hex, -H     in hex (-HH without offsets, -HHH per sg_inq)
  --raw, -r     in binary (-rr: page 0x89 as hdparm reads it); with --inhex,
                FILE is binary
  --export, -u  udev's KEY=VALUE lines (SCSI_VENDOR, SCSI_MODEL, SCSI_IDENT_*)
                of the standard data or, with --page=sn or di, pages 0x80, 0x83
  --len=LEN, -l LEN, --maxlen=LEN, -m LEN   allocation length (0: 36 first)
  --only, -o    no unit serial number     --vendor, -s  vendor specific bytes
  --force, -f   skip the page 0x00 check  --block=0|1, -B  accepted
  --long, -L    accepted (NVMe detail)    --verbose, -v  CDBs on stderr
  --inhex=FILE, -I FILE  decode saved bytes (hex text, or binary with --raw,
                such as sysfs inquiry, vpd_pg80, vpd_pg83); no device opened
  --json        one JSON object (sgmap's; also --json=JO, -j); --vpd=PG is
                sgmap's older --page=PG
  --version, -V sg_inq's version line    -h, -hh  usage (-hh: abbreviations)
Not supported: --cmddt/-c (obsolete CmdDt; sg_opcodes lists commands), --old/-O.
Exit statuses as sg_inq: 83 for a page missing from page 0x00's list, 31 for
contradicting options, 50 + errno when DEVICE cannot be opened, 75 for a file
that is not a SCSI device.
";

/// `sgmap vpd`.
pub const VPD: &str = "\
Usage: sgmap vpd [OPTIONS] DEVICE            (also as sg_vpd)
       sgmap vpd --inhex=FILE [--raw] [OPTIONS]
       sgmap vpd --enumerate [--page=PG] [--vendor=VP]

Fetches VPD pages with INQUIRY and prints them as sg_vpd 1.46 does.
  --page=PG, -p PG  a page number (0x83, 131) or sg_vpd's abbreviation: sv,
                 sn, di (di_lu, di_port, di_target, di_asis), sii, mna, ei,
                 mpp, sp, ai, bl, bdc, lbpv, ... (default: sv, page 0x00);
                 sinq (-1, -2): standard INQUIRY data
  --all, -a      every page page 0x00 lists (or the file's pages, in order)
  --examine, -E  every page code from 0x80 (-EE: 0x00) to 0xff (or PG)
  --ident, -i    page 0x83 (-ii: the logical unit's identifiers, quietly)
  --quiet, -q    less: no headings, 0x83's identifiers one a line
  --long, -l     more: page numbers, the device type line, long fields
  --hex, -H      in hex (-HH, -HHH as sg_vpd)
  --raw, -r      in binary; with --inhex, FILE is binary
  --maxlen=LEN, -m LEN  allocation length (0: 252 first)
  --force, -f    skip the check that page 0x00 lists the page
  --enumerate, -e  list the pages sg_vpd knows (no device)
  --inhex=FILE, -I FILE  decode saved bytes (hex text, or binary with --raw,
                 such as sysfs vpd_pg83); the page is the one the bytes say
  --json         one JSON object (sgmap's; also --json=JO, -j)
  --verbose, -v  CDBs on stderr     --version, -V  sg_vpd's version line
Not supported: vendors' private pages (--vendor with a device, --page=PG,VP,
vendor abbreviations).
A page missing from page 0x00's list exits 83 as sg_vpd does.
";

/// `sgmap readcap`.
pub const READCAP: &str = "\
Usage: sgmap readcap [--16|--long] [--brief] [--hex] [--raw] [--pmi] [--lba=LBA]
                     [--readonly] [--zbc] [--old] [--json[=JO]] DEVICE

Sends READ CAPACITY (10, or 16 with --16 or when the device needs it) and prints
like sg_readcap: Last LBA=..., Number of logical blocks=..., Logical block
length=... bytes, Device size: ... bytes.
  --brief, -b     one line: 0x<blocks> 0x<block length>
  --hex, -H       the parameter data in hex (-HHH: without offsets)
  --raw, -r       the parameter data in binary
  --pmi, -p       PMI: the last LBA before a delay after --lba=LBA (-L)
  --readonly, -R  open read-only;  --zbc, -z  show RC BASIS (implies --16)
  --old, -O       sg_readcap's old options (-16 -b -H -lba=HEX -pmi -r -R -z)
";

/// `sgmap tur`.
pub const TUR: &str = "\
Usage: sgmap tur [--number=N] [--delay=MS] [--low] [--progress] [--time]
                 [--old] [--json[=JO]] DEVICE

Sends TEST UNIT READY N times (default 1). Exit status: that of the last failing
command (6 for a pending unit attention, 2 when not ready), else 0.
  --delay=MS, -d  wait MS milliseconds before each command
  --low, -l       as sg_turs --low (no CDB line at -v)
  --progress, -p  as sg_turs -p: one now, then every 30 seconds (or --delay; at
                  most N), printing 'Progress indication: P.PP% done' while the
                  sense data has one; 'Completed K Test Unit Ready commands'
  --time, -t      the time taken and the commands per second
  --old, -O       sg_turs' old options (-d=MS -l -n=N -p -t)
";

/// `sgmap requests`.
pub const REQUESTS: &str = "\
Usage: sgmap requests [--num=N] [--desc] [--maxlen=LEN] [--progress] [--hex]
                      [--raw] [--status] [--time] [--error] [--json[=JO]] DEVICE

Sends REQUEST SENSE N times (default 1), as sg_requests. One command: the data-in
decoded as sense on stderr. Errors counted on stdout ('Number of command errors
detected: N', 'Number of data-in errors detected: N, most recent sense_key=K').
  --desc      DESC: descriptor-format sense data
  --maxlen=L  allocation length (252; 0 means 252; at most 255)
  --progress  one now, then every 30 seconds (at most N), printing 'Progress
              indication: P.PP% done' while the data has one
  --hex       the data-in as a hex dump;  --raw  the data-in in binary
  --status    exit status from the sense data returned (not only from the command)
  --time      the time taken and the commands per second
  --error     opcode FFh instead (twice: no command), to measure the overhead
--progress and --time contradict --hex and --raw (exit 31), as in sg_requests.
";

/// `sgmap format`.
pub const FORMAT: &str = "\
Usage: sgmap format [--format] [--size=LB_SZ] [--count=COUNT] [--resize]
                    [--fmtpinfo=FPI] [--pfu=PFU] [--pie=PIE] [--ip_def] [--security]
                    [--cmplst=0|1] [--dcrt] [--ffmt=FFMT] [--early] [--wait]
                    [--poll=0|1] [--quick] [--long] [--six] [--timeout=SECS]
                    [--mode=MP] [--pinfo] [--rto_req] [--preset=ID] [--fmtmaxlba]
                    [--tape=FM] [--verify] [--dry-run] [--json[=JO]] DEVICE

As sg_format: prints the device's identification and its block descriptor (MODE
SENSE); without --format, the capacity (READ CAPACITY) and 'No changes made.'.
WARNING: --format destroys all data on DEVICE. Unless --quick, a 15-second
countdown comes first (control-C to abort).
  --format, -F   FORMAT UNIT (-FFF: FORMAT UNIT only, no INQUIRY or MODE SENSE)
  --size=N       new logical block size: MODE SELECT of the block descriptor first
  --count=N      blocks to report in the block descriptor (-1: all ones)
  --resize       MODE SELECT of --count only, no FORMAT UNIT
  --fmtpinfo=N   FMTPINFO 0..3;  --pfu=N  protection field usage 0..7
  --pie=N        protection interval exponent 0..15 (the long header; needs
                 --fmtpinfo: sgmap refuses it without, exit 31)
  --ip_def       default initialization pattern;  --security  SI bit
  --cmplst=0|1   CMPLST (1; 0 with --ffmt);  --dcrt  DCRT (twice: FOV only)
  --ffmt=N       fast format 0..3 (polls every 10 seconds, not 60)
  --wait         no IMMED: wait for the format (timeout 20 h, more past 4 TB)
  --early        return once started;  --poll=1  poll with REQUEST SENSE, not TUR
  --long         READ CAPACITY (16) and MODE SENSE (10) with LLBAA
  --six          MODE SENSE/SELECT (6);  --mode=MP  the mode page MODE SENSE reads (1)
  --pinfo, --rto_req  FMTPINFO's upper and lower bit (deprecated: --fmtpinfo)
  --preset=ID    FORMAT WITH PRESET with PRESET IDENTIFIER ID (--fmtmaxlba: FMTMAXLBA)
  --tape=FM      FORMAT MEDIUM: on a disk refused as sg_format (97); not sent to tapes
  --timeout=S    FORMAT UNIT timeout when longer than the default (20 s with IMMED)
  --dry-run      send INQUIRY and MODE SENSE only; print the MODE SELECT and FORMAT
                 UNIT CDBs and parameter lists that would be sent, as sg_format -vv
                 shows them; no countdown
Progress: 'Format unit in progress, P.PP% done' every 60 seconds, then 'FORMAT
UNIT Complete'. With --json the text lines go to stderr.
";

/// `sgmap sanitize`.
pub const SANITIZE: &str = "\
Usage: sgmap sanitize (--block | --crypto | --overwrite | --fail) [--ause] [-Z]
                      [--pattern=FILE] [--zero] [--ipl=LEN] [--count=OC] [--invert]
                      [--test=TE] [--early] [--wait] [--desc] [--quick]
                      [--timeout=SECS] [--dry-run] [--json[=JO]] DEVICE

As sg_sanitize: SANITIZE with IMMED, then REQUEST SENSE every 60 seconds printing
'Progress indication: N% done' until there is none.
WARNING: all data on DEVICE is lost. Unless --quick (or --fail), a 15-second
countdown comes first (control-C to abort).
  --block, -B      BLOCK ERASE;  --crypto, -C  CRYPTOGRAPHIC ERASE
  --overwrite, -O  OVERWRITE with the pattern of --pattern=FILE (- for stdin,
                   needs --ipl) or --zero (4 zero bytes; -zz: 0xff); the
                   parameter list goes through the mapped reserve
  --fail, -F       EXIT FAILURE MODE
  --ipl=LEN        pattern length (default: the file's); sgmap refuses a pattern
                   longer than a logical block (READ CAPACITY), exit 1
  --count=OC       overwrite passes 1..31 (1);  --invert  INVERT;  --test=TE  0..3
  --ause, -A       AUSE;  -Z  ZNR (sg_sanitize 1.46 has no --znr: it prints its usage)
  --early          return once started;  --wait  no IMMED (timeout 15 h)
  --desc           poll with descriptor-format sense
  --dry-run        identify the device, print the SANITIZE CDB and parameter list
                   as sg_sanitize -vvv shows them, send nothing; no countdown
";

/// `sgmap dd`.
pub const DD: &str = "\
Usage: sgmap dd if=FILE of=FILE [bs=N] [bpt=N] [count=N] [skip=N] [seek=N] [qd=N]
                [iflag=FLAGS] [oflag=FLAGS] [conv=CONVS] [cdbsz=6|10|12|16]
                [retries=N] [coe=0|1] [coe_limit=N] [sync=1] [verify=1] [time=1]
                [--progress] [--dry-run] [--json[=JO]]

Copies blocks like sgm_dd, through the mmap-ed reserve of each sg side. Under the
names sgm_dd, sg_dd and sgp_dd (a link, or 'sgmap sg_dd ...') each tool's own operands,
statuses and report lines (sg_dd --verify: VERIFY with BYTCHK=1; sgp_dd thr=N: qd,
at most 16).
  if=, of=   an sg device, a block device, a regular file, - (stdin/stdout);
             of=/dev/null or of=. discards
  bs=N       bytes per block (512); must equal an sg device's logical block size
  bpt=N      blocks per transfer (128, or 32 when bs >= 2048); reduced, with a
             notice, when the kernel grants a smaller reserve
  count=N    blocks to copy (from READ CAPACITY less skip; -1 likewise); past the
             end of a device is refused before any transfer (exit 22)
  skip=N     input blocks to skip;  seek=N  output blocks to skip
  qd=N       transfers in flight, over N files of each sg device (1..16)
  iflag=, oflag=  comma lists of sg_dd's flags: dpo, fua (READ/WRITE bits);
             coe (continue on error: an unreadable block is zeros, a failed WRITE
             is passed over); direct, dsync, excl, append, nocreat, nocache, flock
             (exit 90 when locked); sgio (a block device through its sg node);
             sparse (oflag: skip all-zero transfers but the last); 00, ff, random
             (iflag: generated input, no if=); null; dio (noted, not used)
  conv=      noerror (iflag=coe), nocreat, sparse; notrunc, sync, null do nothing
  cdbsz=N    READ/WRITE CDB size (10, or 16 where 10 cannot address it)
  retries=N  send a failed READ or WRITE again up to N times (not NOT READY)
  coe=1      iflag=coe and oflag=coe;  coe_limit=N  stop after N bad reads in a row
  sync=1     SYNCHRONIZE CACHE on an sg output at the end (fsync otherwise)
  verify=1   read back the written range and compare (exit 14 on a difference)
  time=1     print the transfer time and rate
  --progress percent done and time left every few seconds; SIGUSR1 reports too
  --dry-run  open and probe the devices, print the plan, copy nothing
Ends with 'N+M records in' and 'N+M records out' on stderr, then sg_dd's lines
for recovered errors, retries, unrecovered errors and sparse skips. A device
removed during the copy ends it with 69 (ENODEV). SIGINT, SIGTERM,
SIGQUIT or SIGHUP finishes the transfers in flight, prints the counts and exits
with 128 + the signal, in any phase (copy, sync, verify).
";

/// `sgmap write-buffer`.
pub const WRITE_BUFFER: &str = "\
Usage: sgmap write-buffer [--bpw=CS[,act]] [--dry-run] [--id=ID] [--in=FILE]
         [--length=LEN] [--mode=MO] [--offset=OFF] [--read-stdin] [--skip=SKIP]
         [--specific=MS] [--timeout=TO] [-v] [-V] [--json[=JO]] DEVICE

WRITE BUFFER of FILE ('-' or -r: stdin, binary) through the mapped reserve, with
sg_write_buffer's options; -m xxx lists the modes (default 0). --bpw=CS: chunks
at buffer offset OFF+k, ',act' then activates. A chunk larger than the reserve is
refused (62); one that meets a UNIT ATTENTION is sent again, once.
";

/// `sgmap opcodes`.
pub const OPCODES: &str = "\
Usage: sgmap opcodes [--alpha] [--compact] [--enumerate] [--hex] [--mask] [--mlu]
                     [--no-inquiry] [--opcode=OP[,SA]] [--pdt=DT] [--raw] [--rctd]
                     [--repd] [--sa=SA] [--tmf] [--unsorted] [--json[=JO]] DEVICE

REPORT SUPPORTED OPERATION CODES (or, with --tmf, REPORT SUPPORTED TASK
MANAGEMENT FUNCTIONS), printed as sg_opcodes prints it: the device's INQUIRY
line, then one line per command (sorted by opcode and service action).
  --alpha|-a      sort by name;  --unsorted|-u  as the device lists them
  --compact|-c    shorter lines
  --enumerate|-e  print the name of --opcode/--sa for --pdt, send nothing
  --hex|-H        the response in hex;  --raw|-r  in binary
  --mask|-m       each command's CDB usage data (one more command each)
  --mlu|-M        the MLU column
  --no-inquiry|-n no INQUIRY line (needs --pdt)
  --opcode=OP[,SA]|-o  one command: its support and usage data
  --pdt=DT|-p     the device type for the names (-1: from INQUIRY)
  --rctd|-R       with command timeouts
  --repd|-q       with --tmf: the extended data
  --sa=SA|-s      service action of --opcode
  --tmf|-t        task management functions
sgmap sends INQUIRY and the report on one read-write file (sg_opcodes opens
read-only first). Exit status: the report's category (9 when the device does
not support it). Names: sg3_utils 1.46's table (OSD commands left out).
";

/// `sgmap unmap`.
pub const UNMAP: &str = "\
Usage: sgmap unmap [--all=ST,RN[,LA]] [--anchor] [--dry-run] [--force]
                   [--grpnum=GN] [--in=FILE] [--lba=LBA,LBA...] [--num=NUM,NUM...]
                   [--timeout=TO] [--json[=JO]] DEVICE

UNMAP (trim) the given ranges, as sg_unmap. DATA IS LOST.
  --lba=LBA,...|-l  --num=NUM,...|-n   ranges (up to 128 pairs, one command)
  --in=FILE|-I      LBA,NUM pairs from FILE (- for stdin; # comments)
  --all=ST,RN[,LA]|-A  from LBA ST, RN blocks per command, to LA or the end
  --anchor|-a       set ANCHOR;  --grpnum=GN|-g  group number (0 to 63)
  --dry-run|-d      print the ranges (or --all's span), send no UNMAP
  --force|-f        no warning and 20 second pause before unmapping
  --timeout=TO|-t   seconds (60)
The parameter list goes through the mapped reserve. Unlike sg_unmap, --dry-run
never pauses and sends nothing (but READ CAPACITY for --all without LA), and
GN takes 6 bits (sg_unmap sends 5). Exit status: the UNMAP's category
(22 LBA out of range, 5 invalid field, 9 not supported).
";

/// `sgmap write-same`.
pub const WRITE_SAME: &str = "\
Usage: sgmap write-same [--10|--16|--32] [--anchor] [--ff] [--grpnum=GN] [--in=IF]
                        [--lba=LBA] [--lbdata] [--ndob] [--num=NUM] [--pbdata]
                        [--timeout=TO] [--unmap] [--wrprotect=WP] [--xferlen=LEN]
                        [--dry-run] [--json[=JO]] DEVICE

WRITE SAME as sg_write_same: NUM blocks (1) from LBA (0) written with one block
of data-out (zeros; 0xff with --ff; or IF), through the mapped reserve.
  --10|-R --16|-S --32|-T  CDB size (10 unless NUM > 65535, LBA+NUM past 32 bits,
                   --ndob, or --unmap without --10)
  --unmap|-U       set UNMAP;  --ndob|-N  no data-out (16/32 only)
  --anchor|-a --lbdata|-L --pbdata|-P --wrprotect=WP|-w --grpnum=GN|-g  fields
  --xferlen=LEN|-x bytes of data-out (IF's size, or the block length from READ
                   CAPACITY; at most 65536)
  --dry-run|-d     print the CDB and data-out length, send no WRITE SAME (sgmap's)
One of --in, --lba or --num is required (exit 31 otherwise). Exit status: the
command's category (22 LBA out of range, 5 invalid field, 9 not supported).
";

/// `sgmap raw`.
pub const RAW: &str = "\
Usage: sgmap raw [-b] [-c CF [-w]] [-C CS] [-e] [-i IF] [-k LEN] [-n] [-o OF] [-R]
                 [-r LEN] [-Q FO,LO] [-s LEN] [-t SECS] [-v] [-V] DEVICE [CDB0 ...]

Sends a CDB of 6 to 32 hex bytes as sg_raw (its long options too), the data
through the mapped reserve; status, sense and the data's hex dump on stderr.
";

/// `sgmap sense`.
pub const SENSE: &str = "\
Usage: sgmap sense [--binary=BFN] [--cdb] [--err=ES] [--file=HFN] [--hex]
                   [--nospace] [--status=SS] [-v] [-V] [--write=WFN]
                   [--json[=JO]] H1 H2 H3 ...

Decodes sense data as sg_decode_sense (its options); --json: as JSON, exit
status 97 when the bytes are not sense data.
";

/// `sgmap start` and `sgmap stop`.
pub const START: &str = "\
Usage: sgmap start [--start|--stop|--eject|--load] [--loej] [--immed] [--noflush]
                   [--pc=PC [--mod=M]] [--fl=FL] [--json[=JO]] [0|1] DEVICE
       sgmap stop [OPTIONS] DEVICE         (start --stop)

Sends START STOP UNIT as sg_start does (its options, operands and exit status).
  --start, -s, 1   start the unit (the default when nothing else is asked)
  --stop, -S, 0    stop the unit (e.g. spin down)
  --eject, -e      stop, then eject the medium (LOEJ)
  --load, -l       load the medium, then start (LOEJ + START)
  --loej, -L       the LOEJ bit: load with start (alone: load), else eject
  --immed, -i      return when the device has the command, not when done
  --noflush, -n    NO_FLUSH: no cache flush before stopping (SBC)
  --pc=PC, -p PC   power condition 0..15 (1 active, 2 idle, 3 standby, ...);
                   non-zero sends it instead of START/LOEJ
  --mod=M, -m M    power condition modifier 0..15, sent only with --pc
  --fl=FL, -f FL   MMC format layer 0..3: FL, LOEJ and START set
Exit status 31 for start with stop, load with eject, --fl with stop/eject or
with a non-zero --pc; 1 for a bad value. A failure is the command's category
(2 not ready, 5 illegal request, ...). Prints nothing on success (as sg_start).
";

/// `sgmap sync`.
pub const SYNC: &str = "\
Usage: sgmap sync [--16] [--lba=LBA] [--count=N] [--group=GN] [--immed]
                  [--sync-nv] [--timeout=SECS] [--json[=JO]] DEVICE

Sends SYNCHRONIZE CACHE (10), or (16) with --16/-S, as sg_sync does.
  --lba=LBA, -l     first block (0)
  --count=N, -c     blocks, 0 (default) to the end of the medium; more than
                    65535 needs --16 (exit 99, as sg_sync, without it)
  --group=GN, -g    GROUP NUMBER 0..63 (6 bits, SBC-4)
  --immed, -i       return before the data is on the medium
  --sync-nv, -s     SYNC_NV (obsolete in SBC-3 r35)
  --timeout=S, -t   seconds (60); sgmap applies it to both CDB sizes
An LBA past 32 bits without --16 is refused (exit 1); sg_sync cuts it.
Prints nothing on success.
";

/// `sgmap verify`.
pub const VERIFY: &str = "\
Usage: sgmap verify [--16] [--lba=LBA] [--count=N] [--bpc=N] [--dpo]
                    [--vrprotect=VRP] [--group=GN] [--ndo=NDO [--in=IF|--0|--ff]]
                    [--ebytchk=BCH] [--quiet] [--json[=JO]] DEVICE

Sends VERIFY (10), or (16) with --16/-S, as sg_verify does: COUNT blocks (1)
from LBA (0), BPC blocks per command (128).
  --ndo=NDO, -n     compare with NDO bytes (BYTCHK=1) read from --in=IF (or
                    stdin, --0 zeros, --ff 0xff), sent through the mapped
                    reserve; one command of COUNT blocks
  --ebytchk=BCH     BYTCHK 1..3 (needs --ndo; 3: NDO is one block, compared
                    with each block)
  --dpo, -d         DPO;  --vrprotect=VRP, -P  VRPROTECT 0..7
  --group=GN, -g    GROUP NUMBER 0..63, sent with VERIFY (16) only
  --quiet, -q       no miscompare report (exit status still 14)
(16) is used by itself when BPC passes 65535 or the LBAs 32 bits.
Exit status: 14 miscompare, 22 LBA out of range, 3 medium error (18 when the
sense gives the LBA), 5 invalid field; 31 for --ebytchk without --ndo, or
--0/--ff with --in. Prints nothing on stdout on success.
";

/// `sgmap luns`.
pub const LUNS: &str = "\
Usage: sgmap luns [--select=SR] [--decode] [--hex] [--raw] [--quiet]
                  [--lu_cong] [--maxlen=LEN] [--readonly] [--json[=JO]] DEVICE
       sgmap luns --test=ALUN [--decode] [--hex] [--lu_cong]

Sends REPORT LUNS and prints like sg_luns: the list length, then each LUN in
hex (T10 format).
  --select=SR, -s   SELECT REPORT: 0 (default) all but well known, 1 well known
                    only, 2 all, 0x10 administrative, 0x11 administrative and
                    non-conglomerate, 0x12 an administrative LU's subsidiaries
  --decode, -d      decode each LUN (addressing methods, levels); asks INQUIRY
                    for LU_CONG unless --lu_cong is given
  --hex, -H         the response as hex; twice: decoded values in hex
  --raw, -r         the response in binary
  --quiet, -q       the LUNs only
  --lu_cong, -L     decode as if LU_CONG were set (twice: clear)
  --maxlen=LEN, -m  allocation length (0: 8192; at most 1048576)
  --linux, -l       accepted, no effect (as in sg_luns 1.46)
  --test=ALUN, -t   decode ALUN (hex, or Linux's integer as L<n>; a trailing L
                    also shows Linux's integer), no device
";

/// The help of a command by name, alias or tool name.
pub fn of(command: &str) -> Option<&'static str> {
    crate::table::command(command)
        .or_else(|| crate::table::tool_named(command).map(|(c, _)| c))
        .map(|c| c.help)
}
