//! SCSI command descriptor blocks (being written).
