//! Usage texts: `sgmap help [COMMAND]`, `sgmap COMMAND --help`.

/// The overview.
pub const MAIN: &str = "\
sgmap: SCSI generic (sg) devices with mmap-ed IO, in one static binary

Usage: sgmap COMMAND [OPTIONS] ...

Commands:
  list          list the sg devices (from /sys/class/scsi_generic)
  inquiry       INQUIRY: identification, VPD pages              (sg_inq)
  readcap       READ CAPACITY: blocks and block length          (sg_readcap)
  tur           TEST UNIT READY, --progress                     (sg_turs)
  requests      REQUEST SENSE, --progress                       (sg_requests)
  format        FORMAT UNIT, block size change, progress        (sg_format)
  sanitize      SANITIZE: block, crypto, overwrite, progress    (sg_sanitize)
  dd            copy through the mapped reserve, queued         (sgm_dd)
  write-buffer  firmware download with WRITE BUFFER             (sg_write_buffer)
  raw           any CDB, data through the mapped reserve        (sg_raw)
  sense         decode sense data                               (sg_decode_sense)
  help          this text, or a command's: sgmap help COMMAND

Options: --version, --help. Most commands take --json[=JO] or -j[=JO]: one JSON
object (schemas in JSON.md; JO is sg3_utils' letters, accepted, no effect).
Exit status: 0 ok, 1 syntax, 15 file error, 31 contradicting options, 33 timeout,
SCSI categories as sg3_utils (2 not ready, 3 medium/hardware, 5 illegal request,
6 unit attention, 14 miscompare, 22 LBA out of range, ...), 50+errno OS error, 99 other.
Numbers take sg3_utils suffixes (c w b k K KiB KB m M MiB MB g G GiB GB t T p P),
0x... or ...h for hex, and AxB for a product.
";

/// `sgmap list`.
pub const LIST: &str = "\
Usage: sgmap list [--json[=JO]]

Lists the sg devices from /sys/class/scsi_generic, one a line:
  /dev/sgN  H:C:T:L  TYPE  VENDOR  PRODUCT  REVISION  BLOCK-DEVICE
Opens no device.
";

/// `sgmap inquiry`.
pub const INQUIRY: &str = "\
Usage: sgmap inquiry [--vpd=PAGE] [--hex] [--json[=JO]] DEVICE

Sends INQUIRY and prints, like sg_inq:
  Vendor identification:, Product identification:, Product revision level:,
  Unit serial number: (when the device has VPD page 0x80), then the rest.
  --vpd=PAGE  a VPD page by number or name (sv 0x00, sn 0x80, di 0x83, ei 0x86,
              bl 0xb0, bdc 0xb1, lbpv 0xb2)
  --hex       the response as a hex dump
  --json      one JSON object (also --json=JO, -j, -j=JO)
";

/// `sgmap readcap`.
pub const READCAP: &str = "\
Usage: sgmap readcap [--16] [--brief] [--json[=JO]] DEVICE

Sends READ CAPACITY (10, or 16 with --16 or when the device needs it) and prints
like sg_readcap: Last LBA=..., Number of logical blocks=..., Logical block
length=... bytes, Device size: ... bytes.
  --brief  one line: 0x<blocks> 0x<block length>
";

/// `sgmap tur`.
pub const TUR: &str = "\
Usage: sgmap tur [--number=N] [--progress] [--json[=JO]] DEVICE

Sends TEST UNIT READY N times (default 1). Exit status: that of the last failing
command (6 for a pending unit attention, 2 when not ready), else 0.
  --progress  as sg_turs -p: one now, then every 30 seconds (at most N), printing
              'Progress indication: P.PP% done' while the sense data has one;
              'Completed K Test Unit Ready commands' when N > 1
";

/// `sgmap requests`.
pub const REQUESTS: &str = "\
Usage: sgmap requests [--num=N] [--desc] [--maxlen=LEN] [--progress] [--hex]
                      [--raw] [--status] [--json[=JO]] DEVICE

Sends REQUEST SENSE N times (default 1), as sg_requests. One command: the data-in
decoded as sense on stderr. Errors counted on stdout ('Number of command errors
detected: N', 'Number of data-in errors detected: N, most recent sense_key=K').
  --desc      DESC: descriptor-format sense data
  --maxlen=L  allocation length (252; 0 means 252; at most 255)
  --progress  one now, then every 30 seconds (at most N), printing 'Progress
              indication: P.PP% done' while the data has one
  --hex       the data-in as a hex dump;  --raw  the data-in in binary
  --status    exit status from the sense data returned (not only from the command)
--progress contradicts --hex and --raw (exit 31), as in sg_requests.
";

/// `sgmap format`.
pub const FORMAT: &str = "\
Usage: sgmap format [--format] [--size=LB_SZ] [--count=COUNT] [--resize]
                    [--fmtpinfo=FPI] [--pfu=PFU] [--pie=PIE] [--ip_def] [--security]
                    [--cmplst=0|1] [--dcrt] [--ffmt=FFMT] [--early] [--wait]
                    [--poll=0|1] [--quick] [--long] [--six] [--timeout=SECS]
                    [--dry-run] [--json[=JO]] DEVICE

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
  --six          MODE SENSE/SELECT (6)
  --timeout=S    FORMAT UNIT timeout when longer than the default (20 s with IMMED)
  --dry-run      send INQUIRY and MODE SENSE only; print the MODE SELECT and FORMAT
                 UNIT CDBs and parameter lists that would be sent, as sg_format -vv
                 shows them; no countdown
Progress: 'Format unit in progress, P.PP% done' every 60 seconds, then 'FORMAT
UNIT Complete'. With --json the text lines go to stderr.
";

/// `sgmap sanitize`.
pub const SANITIZE: &str = "\
Usage: sgmap sanitize (--block | --crypto | --overwrite | --fail) [--ause] [--znr]
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
  --ause, -A       AUSE;  --znr, -Z  ZNR (sg_sanitize 1.46 takes only -Z)
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

Copies blocks like sgm_dd, through the mmap-ed reserve of each sg side.
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
Usage: sgmap write-buffer --mode=MODE --in=FILE [--bpw=CHUNK[,act]] [--offset=N]
                          [--id=N] [--length=N] [--timeout=SECS] [--dry-run]
                          [--json[=JO]] DEVICE

Downloads FILE (- for stdin) with WRITE BUFFER through the mapped reserve.
  --mode=MODE   number or acronym: hd 0, vendor 1, data 2, dmc 4, dmc_save 5,
                dmc_offs 6, dmc_offs_save 7, echo 0xa, dmc_offs_ev_defer 0xd,
                dmc_offs_defer 0xe, activate_mc 0xf (which needs no --in)
  --bpw=CHUNK   send in chunks of CHUNK bytes at buffer offset OFFSET+k (offset
                modes only); ',act' adds a final activate_mc (mode 0xf, length 0)
  --offset=N    buffer offset of the first byte (0)
  --id=N        buffer id (0)
  --length=N    bytes to send: the image cut, or padded with 0xff
  --timeout=S   per command, in seconds (300)
  --dry-run     print the plan (each chunk's offset and length), send nothing
A chunk larger than the reserve the kernel grants is refused (exit 62) with the
largest size allowed. A chunk that meets a UNIT ATTENTION is sent again, once.
";

/// `sgmap raw`.
pub const RAW: &str = "\
Usage: sgmap raw [--request=LEN | --send=LEN [--infile=FILE]] [--outfile=FILE]
                 [--binary] [--timeout=SECS] DEVICE CDB-BYTE...

Sends any CDB of 6 to 32 bytes (hex, like sg_raw: 12 00 00 00 24 00).
  --request=LEN  data-in of LEN bytes
  --send=LEN     data-out of LEN bytes from --infile (default: stdin)
  --outfile=F    write the data-in to F (binary)
  --binary       write the data-in to stdout in binary, not as a hex dump
  --timeout=S    seconds (60)
Status and sense are decoded on stderr; the exit status is the command's category.
";

/// `sgmap sense`.
pub const SENSE: &str = "\
Usage: sgmap sense [--json[=JO]] HEX-BYTE...
       sgmap sense [--json[=JO]] < FILE-OF-HEX-BYTES

Decodes sense data (fixed or descriptor format) as sg_decode_sense does.
Exit status: 0 when decoded, 1 for bad hex, 97 when the bytes are not sense data.
";

/// The help of a command by name.
pub fn of(command: &str) -> Option<&'static str> {
    Some(match command {
        "list" => LIST,
        "inquiry" | "inq" => INQUIRY,
        "readcap" => READCAP,
        "tur" => TUR,
        "requests" => REQUESTS,
        "format" => FORMAT,
        "sanitize" => SANITIZE,
        "dd" => DD,
        "write-buffer" => WRITE_BUFFER,
        "raw" => RAW,
        "sense" => SENSE,
        "help" => MAIN,
        _ => return None,
    })
}
