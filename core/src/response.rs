//! Decoders of SCSI responses (being written).
