//! Memory the kernel writes outside Rust's view: the mapped reserve, and the page of sense
//! buffers whose addresses requests carry.

use core::ffi::c_void;
use core::ptr::NonNull;

use rustix::fd::AsFd;
use rustix::io;
use rustix::mm::{MapFlags, ProtFlags};
use sgmap_core::abi::{SG_MAX_QUEUE, SG_MAX_SENSE};

use crate::raw;

/// One `mmap()` of an sg file's reserve, unmapped on drop.
///
/// It holds only the address: the bytes are reached through [`Device`](crate::Device), which
/// asks the accounting first.
#[derive(Debug)]
pub(crate) struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
    writable: bool,
}

impl Mapping {
    /// Maps `len` bytes of `fd`'s reserve, `MAP_SHARED`, from offset 0.
    pub(crate) fn new<Fd: AsFd>(fd: Fd, len: usize, writable: bool) -> io::Result<Mapping> {
        let prot = if writable {
            ProtFlags::READ | ProtFlags::WRITE
        } else {
            ProtFlags::READ
        };
        // SAFETY: MAP_SHARED without MAP_FIXED replaces no existing mapping; no reference
        // to the new memory exists yet.
        let ptr = unsafe { raw::mmap(fd, len, prot, MapFlags::SHARED, 0) }?;
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(io::Errno::NOMEM)?;
        Ok(Mapping { ptr, len, writable })
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn writable(&self) -> bool {
        self.writable
    }

    /// The first `len` mapped bytes.
    ///
    /// # Safety
    ///
    /// `len <= self.len()`, and nothing writes them while the returned borrow lives: no
    /// request that may write the reserve is in flight, and none can start (the caller holds
    /// the borrow of the `Device` that would have to start it).
    pub(crate) unsafe fn bytes(&self, len: usize) -> &[u8] {
        debug_assert!(len <= self.len);
        // SAFETY: the mapping is valid for `self.len` bytes until drop (which needs `&mut`);
        // the caller promises the length and that nothing writes them meanwhile.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), len) }
    }

    /// The first `len` mapped bytes, writable.
    ///
    /// # Safety
    ///
    /// As for [`Mapping::bytes`], the mapping is writable, and the caller holds the only
    /// borrow of the `Device`.
    pub(crate) unsafe fn bytes_mut(&mut self, len: usize) -> &mut [u8] {
        debug_assert!(len <= self.len && self.writable);
        // SAFETY: as for `bytes`; `&mut self` makes this the only reference.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: this is the mapping made in `new`; references to it borrow `self`, so none
        // is left.
        let _ = unsafe { raw::munmap(self.ptr.as_ptr().cast::<c_void>(), self.len) };
    }
}

// SAFETY: a Mapping is an owned region of memory, as a Box is; moving it to another thread
// moves that ownership, and `&Mapping` only hands out what the Device allows through `&self`.
unsafe impl Send for Mapping {}
// SAFETY: as above: shared access is reads of bytes no request writes (the Device's rule).
unsafe impl Sync for Mapping {}

/// One anonymous page holding a 96-byte sense buffer for each of the 16 requests a file may
/// have outstanding.
///
/// A request submitted with `write()` carries its `sbp`, and the kernel copies the sense
/// through it at `read()` time: the buffer must stay at one address for the request's whole
/// life, whatever happens to the `Device` value (which may move). This page is that address.
/// Rust never makes a reference into it; sense bytes are copied out with raw reads once the
/// request that owned the slot has been collected.
///
/// Its last byte is the fork canary: set to 1 here, in a page marked `MADV_WIPEONFORK`, so
/// that it reads 0 in a child made by `fork()` (Linux 4.14 and later; before, a child is not
/// recognized). Reading it costs no system call.
#[derive(Debug)]
pub(crate) struct SensePage {
    ptr: NonNull<u8>,
    len: usize,
    leaked: bool,
}

impl SensePage {
    pub(crate) fn new(page_size: usize) -> io::Result<SensePage> {
        let len = page_size.max(SG_MAX_QUEUE * SG_MAX_SENSE + 1);
        // SAFETY: a NULL hint without MAP_FIXED replaces no existing mapping.
        let ptr = unsafe {
            rustix::mm::mmap_anonymous(
                core::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE,
            )
        }?;
        // SAFETY: the page just mapped, whole; no reference into it exists.
        let _ = unsafe { rustix::mm::madvise(ptr, len, rustix::mm::Advice::LinuxWipeOnFork) };
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(io::Errno::NOMEM)?;
        // SAFETY: the last byte of the page, outside every sense slot (`len` > 16 × 96);
        // nothing references it.
        unsafe { ptr.as_ptr().add(len - 1).write_volatile(1) };
        Ok(SensePage {
            ptr,
            len,
            leaked: false,
        })
    }

    /// Whether this is a child's copy of the page: the process that made it `fork()`ed and
    /// the kernel wiped the child's copy (`MADV_WIPEONFORK`).
    pub(crate) fn forked(&self) -> bool {
        // SAFETY: the canary byte, inside the page (see `new`); only ever accessed by
        // volatile reads and the one write in `new`.
        unsafe { self.ptr.as_ptr().add(self.len - 1).read_volatile() == 0 }
    }

    /// Never unmaps the page: requests that hold addresses in it may still be collected
    /// through another descriptor of the file (a duplicate made from
    /// [`AsFd`](rustix::fd::AsFd)), and the kernel would copy their sense there.
    pub(crate) fn leak(&mut self) {
        self.leaked = true;
    }

    /// The address of slot `i`'s sense buffer, for a request's `sbp`.
    pub(crate) fn slot_ptr(&self, i: usize) -> *mut u8 {
        assert!(i < SG_MAX_QUEUE);
        // `i * SG_MAX_SENSE` is inside the page (checked in `new`'s length).
        self.ptr.as_ptr().wrapping_add(i * SG_MAX_SENSE)
    }

    /// Copies the first `n` (at most 96) bytes of slot `i` out.
    ///
    /// Call only when no request that holds slot `i` can still be written by the kernel:
    /// after its `SG_IO` returned or its response was read.
    pub(crate) fn copy_out(&self, i: usize, out: &mut [u8; SG_MAX_SENSE], n: usize) {
        let n = n.min(SG_MAX_SENSE);
        // SAFETY: slot i lies inside the page (slot_ptr asserts it) and holds initialized
        // bytes (anonymous pages are zero-filled); the kernel writes it only during the
        // system call that collects its request, which the caller says has returned, so
        // this read races with nothing. `out` is a distinct Rust buffer.
        unsafe { core::ptr::copy_nonoverlapping(self.slot_ptr(i), out.as_mut_ptr(), n) };
    }
}

impl Drop for SensePage {
    fn drop(&mut self) {
        if self.leaked {
            return;
        }
        // SAFETY: this is the page made in `new`; Rust never referenced it.
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast::<c_void>(), self.len) };
    }
}

// SAFETY: an owned anonymous page, never referenced from Rust; moving it between threads
// moves that ownership.
unsafe impl Send for SensePage {}
// SAFETY: `&SensePage` allows only `slot_ptr` (an address) and `copy_out` (a read of a slot
// whose request is done).
unsafe impl Sync for SensePage {}
