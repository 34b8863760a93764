//! The static binary's heap: `malloc`, `free`, `calloc`, `realloc`, `aligned_alloc`,
//! `posix_memalign`, `memalign` and `malloc_usable_size`, which Rust's allocations (std's
//! `System`) and musl's own (`opendir`) call, in place of musl's mallocng: about 1 KiB of
//! code where mallocng takes 9 KiB of the x86_64 binary. musl lets a static program define
//! them (its own are weak); a glibc build (the host's tests) keeps glibc's.
//!
//! sgmap is one short command on one thread, whose large buffers (dd's, the mapped reserve
//! aside) are few and live for the whole command, so the design is the simplest that does
//! not grow without bound:
//!
//! - a request up to [`LARGEST`] bytes takes a block of the next power of two from 32
//!   bytes (16 of header, the rest usable), from its class's free list, else carved from a
//!   region of [`REGION`] bytes of anonymous memory; a freed block goes back on its list and
//!   is never returned to the kernel (at most a few MiB in any command);
//! - a larger one, or one aligned past 16 bytes, is a mapping of its own, given back at
//!   `free`;
//! - every block starts 16 bytes after its header, which says which kind it is: a class
//!   index below [`CLASSES`], else the mapping's length (at least a page), with its start.
//!
//! A spin lock makes it safe for threads, which sgmap does not start.

use core::ptr::{self, null_mut};
use core::sync::atomic::{AtomicBool, Ordering};

/// The header before each block.
const HEADER: usize = 16;
/// The size classes: blocks of `32 << class` bytes, header included.
const CLASSES: usize = 11;
/// The largest request a class serves: 32 KiB less the header.
const LARGEST: usize = (32 << (CLASSES - 1)) - HEADER;
/// What a class takes from the kernel at a time.
const REGION: usize = 256 * 1024;
/// The page size assumed for mappings: the kernel rounds up, and 4 KiB divides every page
/// size Linux has.
const PAGE: usize = 4096;

/// The free lists and the region being carved.
struct Heap {
    /// The first free block of each class (its user address); each holds the next.
    free: [*mut u8; CLASSES],
    /// The unused rest of the current region.
    next: *mut u8,
    end: *mut u8,
}

/// The one heap, behind [`LOCK`].
struct Shared(core::cell::UnsafeCell<Heap>);

// SAFETY: the heap is only reached through `with_heap`, which holds `LOCK`.
unsafe impl Sync for Shared {}

static HEAP: Shared = Shared(core::cell::UnsafeCell::new(Heap {
    free: [null_mut(); CLASSES],
    next: null_mut(),
    end: null_mut(),
}));
static LOCK: AtomicBool = AtomicBool::new(false);

/// Runs `f` on the heap with the lock held.
fn with_heap<T>(f: impl FnOnce(&mut Heap) -> T) -> T {
    while LOCK
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        core::hint::spin_loop();
    }
    // SAFETY: the lock is held, so this is the only reference to the heap.
    let out = f(unsafe { &mut *HEAP.0.get() });
    LOCK.store(false, Ordering::Release);
    out
}

/// Anonymous read-write memory of `len` bytes (a multiple of [`PAGE`]), zeroed.
fn map(len: usize) -> *mut u8 {
    use rustix::mm::{mmap_anonymous, MapFlags, ProtFlags};
    // SAFETY: a new private anonymous mapping at an address the kernel picks overlaps
    // nothing that exists.
    let mapped = unsafe {
        mmap_anonymous(
            null_mut(),
            len,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::PRIVATE,
        )
    };
    mapped.map_or(null_mut(), |p| p.cast())
}

/// The class that holds `size` usable bytes, if one does.
fn class_of(size: usize) -> Option<usize> {
    if size > LARGEST {
        return None;
    }
    let block = (size + HEADER).max(32).next_power_of_two();
    Some(block.trailing_zeros() as usize - 5)
}

/// A block of at least `size` usable bytes aligned to `align` (a power of two), or null.
fn alloc(size: usize, align: usize) -> *mut u8 {
    if align <= HEADER {
        if let Some(class) = class_of(size) {
            return with_heap(|heap| heap.take(class));
        }
    }
    alloc_mapped(size, align)
}

impl Heap {
    /// A block of `class`, from its free list or the region.
    fn take(&mut self, class: usize) -> *mut u8 {
        let head = self.free[class];
        if !head.is_null() {
            // SAFETY: a free block's first word holds the next free block (`give`).
            self.free[class] = unsafe { head.cast::<*mut u8>().read() };
            return head;
        }
        let block = 32usize << class;
        if (self.end as usize) - (self.next as usize) < block {
            let region = map(REGION);
            if region.is_null() {
                return null_mut();
            }
            self.next = region;
            // SAFETY: the region is REGION bytes long.
            self.end = unsafe { region.add(REGION) };
        }
        let start = self.next;
        // SAFETY: `block` bytes fit between `next` and `end` (checked above), and every
        // class's block (32 bytes to 32 KiB) is a multiple of 16, as is a region's start: so
        // each block and its user address stay 16-byte aligned.
        unsafe {
            self.next = start.add(block);
            start.cast::<usize>().write(class);
            start.add(HEADER)
        }
    }

    /// Puts a block of `class` back on its free list.
    ///
    /// # Safety
    ///
    /// `p` is a block of `class` that is no longer used.
    unsafe fn give(&mut self, p: *mut u8, class: usize) {
        // SAFETY: the block has at least 16 usable bytes, and is no longer used.
        unsafe { p.cast::<*mut u8>().write(self.free[class]) };
        self.free[class] = p;
    }
}

/// A block that is a mapping of its own: its header in the 16 bytes before it, the block
/// aligned to `align` (at least 16). A mapping starts on a page, so the first aligned
/// address at least 16 bytes in is at most `max(align, 16)` bytes in.
fn alloc_mapped(size: usize, align: usize) -> *mut u8 {
    let align = align.max(HEADER);
    let Some(len) = size
        .checked_add(align)
        .and_then(|n| n.checked_add(PAGE - 1))
        .map(|n| n & !(PAGE - 1))
    else {
        return null_mut();
    };
    let start = map(len);
    if start.is_null() {
        return null_mut();
    }
    let user = (start as usize + HEADER + align - 1) & !(align - 1);
    // SAFETY: `start + 16 <= user <= start + align`, so the header and the `size` bytes
    // after `user` lie inside the `len ≥ align + size` bytes mapped; `user` is 16-byte
    // aligned.
    unsafe {
        let header = (user as *mut u8).sub(HEADER).cast::<usize>();
        header.write(len);
        header.add(1).write(start as usize);
    }
    user as *mut u8
}

/// Unmaps `len` bytes at `start`.
///
/// # Safety
///
/// They are a mapping this heap made, and nothing uses them any more.
unsafe fn unmap(start: *mut u8, len: usize) {
    // SAFETY: the caller's promise.
    let _ = unsafe { rustix::mm::munmap(start.cast(), len) };
}

/// The header's first word: a class, or a mapping's length.
///
/// # Safety
///
/// `p` is a live block of this heap.
unsafe fn kind(p: *mut u8) -> usize {
    // SAFETY: every block has its header in the 16 bytes before it.
    unsafe { p.sub(HEADER).cast::<usize>().read() }
}

/// How many bytes the block at `p` can hold.
///
/// # Safety
///
/// `p` is a live block of this heap.
unsafe fn usable(p: *mut u8) -> usize {
    // SAFETY: the caller's promise.
    let kind = unsafe { kind(p) };
    if kind < CLASSES {
        return (32 << kind) - HEADER;
    }
    // SAFETY: a mapped block's header holds its mapping's length and start.
    let start = unsafe { p.sub(HEADER).cast::<usize>().add(1).read() };
    start + kind - p as usize
}

/// Frees the block at `p` (null: nothing).
///
/// # Safety
///
/// `p` is null or a live block of this heap, not used after.
unsafe fn release(p: *mut u8) {
    if p.is_null() {
        return;
    }
    // SAFETY: the caller's promise.
    let kind = unsafe { kind(p) };
    if kind < CLASSES {
        // SAFETY: the caller's promise: a block of that class, no longer used.
        with_heap(|heap| unsafe { heap.give(p, kind) });
    } else {
        // SAFETY: a mapped block's header holds its mapping's start; the caller is done
        // with the whole of it.
        unsafe {
            let start = p.sub(HEADER).cast::<usize>().add(1).read();
            unmap(start as *mut u8, kind);
        }
    }
}

/// `realloc`: the block at `p` with room for `size` bytes, its contents kept.
///
/// # Safety
///
/// `p` is null or a live block of this heap; when the result is not null, `p` is not used
/// after.
unsafe fn resize(p: *mut u8, size: usize) -> *mut u8 {
    if p.is_null() {
        return alloc(size, HEADER);
    }
    // SAFETY: the caller's promise.
    let have = unsafe { usable(p) };
    if size <= have && (size > have / 2 || have <= 16) {
        return p;
    }
    let new = alloc(size, HEADER);
    if !new.is_null() {
        // SAFETY: both blocks are live, distinct and hold at least `min(have, size)`
        // bytes; the old one is freed once copied.
        unsafe {
            ptr::copy_nonoverlapping(p, new, have.min(size));
            release(p);
        }
    }
    new
}

#[cfg(all(target_env = "musl", not(test)))]
mod c_api {
    //! The C names musl and std call. `malloc(0)` is a distinct 16-byte block, as musl's.

    use core::ffi::c_void;

    use super::*;

    // SAFETY: musl's own `malloc` is a weak symbol that a program may replace; this one
    // returns null or a block of at least `size` bytes aligned to 16.
    #[no_mangle]
    extern "C" fn malloc(size: usize) -> *mut c_void {
        alloc(size, HEADER).cast()
    }

    // SAFETY: see `malloc`; the block is zeroed.
    #[no_mangle]
    extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        let Some(total) = count.checked_mul(size) else {
            return null_mut();
        };
        let p = alloc(total, HEADER);
        if !p.is_null() {
            // SAFETY: the block holds `total` bytes.
            unsafe { p.write_bytes(0, total) };
        }
        p.cast()
    }

    /// # Safety
    ///
    /// C's contract: `p` is null or a live block from this heap.
    #[no_mangle]
    unsafe extern "C" fn free(p: *mut c_void) {
        // SAFETY: C's contract.
        unsafe { release(p.cast()) }
    }

    /// # Safety
    ///
    /// C's contract: `p` is null or a live block from this heap.
    #[no_mangle]
    unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
        // SAFETY: C's contract.
        unsafe { resize(p.cast(), size).cast() }
    }

    // SAFETY: see `malloc`; `align` a power of two, else null.
    #[no_mangle]
    extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
        if !align.is_power_of_two() {
            return null_mut();
        }
        alloc(size, align).cast()
    }

    // SAFETY: see `malloc`.
    #[no_mangle]
    extern "C" fn memalign(align: usize, size: usize) -> *mut c_void {
        aligned_alloc(align, size)
    }

    /// # Safety
    ///
    /// C's contract: `out` is writable.
    #[no_mangle]
    unsafe extern "C" fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> i32 {
        const EINVAL: i32 = 22;
        const ENOMEM: i32 = 12;
        if !align.is_power_of_two() || align < core::mem::size_of::<usize>() {
            return EINVAL;
        }
        let p = alloc(size, align);
        if p.is_null() {
            return ENOMEM;
        }
        // SAFETY: C's contract.
        unsafe { out.write(p.cast()) };
        0
    }

    /// # Safety
    ///
    /// C's contract: `p` is null or a live block from this heap.
    #[no_mangle]
    unsafe extern "C" fn malloc_usable_size(p: *mut c_void) -> usize {
        if p.is_null() {
            return 0;
        }
        // SAFETY: C's contract.
        unsafe { usable(p.cast()) }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// The heap is the process's: one test at a time, so that a free list holds what this
    /// test put there.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    #[test]
    fn blocks_are_aligned_disjoint_and_hold_what_was_asked() {
        let _one = ONE_AT_A_TIME.lock();
        let mut live = Vec::new();
        for (i, size) in [
            0usize,
            1,
            15,
            16,
            17,
            100,
            4000,
            LARGEST,
            LARGEST + 1,
            200_000,
        ]
        .into_iter()
        .cycle()
        .take(200)
        .enumerate()
        {
            let p = alloc(size, HEADER);
            assert!(!p.is_null());
            assert_eq!(p as usize % 16, 0, "{size}");
            // SAFETY: a live block of this heap.
            assert!(unsafe { usable(p) } >= size, "{size}");
            // SAFETY: the block holds `size` bytes.
            unsafe { p.write_bytes(i as u8, size) };
            live.push((p, size, i as u8));
        }
        for &(p, size, fill) in &live {
            // SAFETY: each block is live and was filled with its own byte: none overlaps.
            let bytes = unsafe { core::slice::from_raw_parts(p, size) };
            assert!(bytes.iter().all(|&b| b == fill), "{size}");
        }
        for (p, _, _) in live {
            // SAFETY: live blocks of this heap, freed once.
            unsafe { release(p) };
        }
    }

    #[test]
    fn a_freed_block_is_reused_by_its_class() {
        let _one = ONE_AT_A_TIME.lock();
        let a = alloc(40, HEADER);
        // SAFETY: a live block, freed once.
        unsafe { release(a) };
        let b = alloc(44, HEADER);
        assert_eq!(a, b, "40 and 44 bytes share the 64-byte class");
        // SAFETY: a live block, freed once.
        unsafe { release(b) };
    }

    #[test]
    fn aligned_blocks_are_aligned_and_freed_whole() {
        let _one = ONE_AT_A_TIME.lock();
        for align in [32usize, 64, 512, 4096, 8192, 65536] {
            for size in [1usize, 4096, 70_000] {
                let p = alloc(size, align);
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0, "{align} {size}");
                // SAFETY: a live block of this heap.
                assert!(unsafe { usable(p) } >= size);
                // SAFETY: the block holds `size` bytes.
                unsafe { p.write_bytes(0xa5, size) };
                // SAFETY: a live block, freed once.
                unsafe { release(p) };
            }
        }
    }

    #[test]
    fn realloc_keeps_the_contents() {
        let _one = ONE_AT_A_TIME.lock();
        let mut p = alloc(10, HEADER);
        // SAFETY: 10 bytes.
        unsafe { p.copy_from_nonoverlapping(b"0123456789".as_ptr(), 10) };
        for size in [20usize, 5000, 100_000, 12, 3] {
            // SAFETY: a live block; the old one is not used after.
            p = unsafe { resize(p, size) };
            assert!(!p.is_null());
            let keep = size.min(10);
            // SAFETY: the block holds at least `keep` bytes, the first ones kept.
            let bytes = unsafe { core::slice::from_raw_parts(p, keep) };
            assert_eq!(bytes, &b"0123456789"[..keep], "{size}");
        }
        // SAFETY: a live block, freed once.
        unsafe { release(p) };
        assert_eq!(class_of(0), Some(0));
        assert_eq!(class_of(16), Some(0));
        assert_eq!(class_of(17), Some(1));
        assert_eq!(class_of(LARGEST), Some(CLASSES - 1));
        assert_eq!(class_of(LARGEST + 1), None);
    }
}
