//! Queue depth over several files (std only).
//!
//! One sg file can have only one mmap-ed request in flight: the request holds the file's
//! single reserve until it is collected (a second one gets `EBUSY`). Depth N therefore opens
//! the device N times, each file with its own reserve and mapping, and uses them round-robin,
//! so completions come back in submission order ([`Queue::wait_oldest`]), or as they finish
//! ([`Queue::wait_any`]).

use std::collections::VecDeque;
use std::path::Path;

use crate::error::{Detail, Error, ErrorKind, Op};
use crate::{Command, Data, Device, OpenOptions, Response};

/// N files on one device, each with its own mapped reserve: up to N mmap-ed requests in
/// flight, handed back in submission order.
#[derive(Debug)]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub struct Queue {
    devices: Vec<Device>,
    /// (slot, pack id) of the requests in flight, oldest first.
    order: VecDeque<(usize, i32)>,
    next: usize,
    granted: u32,
}

impl Queue {
    /// Opens `path` `depth` times, asks each file for a reserve of `reserve_bytes` and maps
    /// it. The kernel may grant less: [`Queue::granted`] is the largest transfer every slot
    /// can take.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::sgmap_core::cdb::{Read, ToCdb};
    /// use sgmap_sys::{Command, Data, Queue};
    ///
    /// // Four READs of 64 KiB in flight, each through its own file's mapped reserve.
    /// let mut q = Queue::open("/dev/sg1", 4, 64 * 1024)?;
    /// for i in 0..4u64 {
    ///     let cdb = Read { lba: i * 128, blocks: 128, ..Read::default() }.to_cdb()?;
    ///     q.submit(&Command::new(cdb.as_bytes()), Data::MmapIn(64 * 1024))?;
    /// }
    /// while q.in_flight() > 0 {
    ///     let (slot, r) = q.wait_any()?;
    ///     println!("slot {slot}: {:?}, {} bytes", r.outcome(), q.data(slot)?.len());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>, depth: usize, reserve_bytes: u64) -> Result<Queue, Error> {
        Queue::open_with(&OpenOptions::new(), path, depth, reserve_bytes)
    }

    /// [`Queue::open`] with `options` for every file (an exclusive open allows one file).
    pub fn open_with(
        options: &OpenOptions,
        path: impl AsRef<Path>,
        depth: usize,
        reserve_bytes: u64,
    ) -> Result<Queue, Error> {
        let path = path.as_ref();
        if depth == 0 {
            let name = crate::error::Name::new(path.as_os_str().as_encoded_bytes());
            return Err(
                Error::new(ErrorKind::Refused, Op::Queue("open a queue"), &name)
                    .with(Detail::Text("a queue needs a depth of at least 1")),
            );
        }
        let mut devices = Vec::with_capacity(depth);
        let mut granted = u32::MAX;
        for _ in 0..depth {
            let mut dev = options.open(path)?;
            dev.set_reserved_size(reserve_bytes)?;
            granted = granted.min(dev.map()?);
            devices.push(dev);
        }
        Ok(Queue {
            devices,
            order: VecDeque::with_capacity(depth),
            next: 0,
            granted,
        })
    }

    /// The number of files, the most requests in flight.
    pub fn depth(&self) -> usize {
        self.devices.len()
    }

    /// The smallest mapped reserve over the files (the granted reserve rounded down to a
    /// page): the longest mmap-ed transfer any slot takes.
    pub fn granted(&self) -> u32 {
        self.granted
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.order.len()
    }

    /// The next slot in round-robin order with nothing in flight (the round-robin slot
    /// itself unless [`Queue::wait_any`] collected out of order).
    fn next_free(&self) -> Option<usize> {
        let n = self.devices.len();
        (0..n)
            .map(|i| (self.next + i) % n)
            .find(|&slot| self.devices[slot].accounting().in_flight() == 0)
    }

    /// The next slot in round-robin order that has nothing in flight, and its mapping to
    /// fill (before an [`Data::MmapOut`]).
    pub fn free_slot_mut(&mut self) -> Result<Option<(usize, &mut [u8])>, Error> {
        let Some(slot) = self.next_free() else {
            return Ok(None);
        };
        self.next = slot;
        let bytes = self.devices[slot].mapping_mut()?;
        Ok(Some((slot, bytes)))
    }

    /// Submits `cmd` on the next slot in round-robin order that has nothing in flight and
    /// returns the slot; refused when every slot is in flight (collect with
    /// [`Queue::wait_oldest`] or [`Queue::wait_any`] first).
    pub fn submit(&mut self, cmd: &Command<'_>, data: Data<'_>) -> Result<usize, Error> {
        let Some(slot) = self.next_free() else {
            let dev = &self.devices[self.next];
            return Err(
                Error::new(ErrorKind::Busy, Op::Queue("submit"), &dev.name).with(Detail::Text(
                    "every file of the queue has a request in flight",
                )),
            );
        };
        let pack_id = self.devices[slot].submit(cmd, data)?;
        self.order.push_back((slot, pack_id));
        self.next = (slot + 1) % self.devices.len();
        Ok(slot)
    }

    /// Waits for the oldest request in flight and returns its slot and response.
    pub fn wait_oldest(&mut self) -> Result<(usize, Response), Error> {
        let Some(&(slot, pack_id)) = self.order.front() else {
            let dev = &self.devices[self.next];
            return Err(Error::new(ErrorKind::Refused, Op::Queue("wait"), &dev.name)
                .with(Detail::Text("no request in flight")));
        };
        let result = self.devices[slot].wait(pack_id);
        // Keep it queued only while its file still has it in flight (a wait cut short while
        // the device is being removed); otherwise it is done, one way or another.
        if result.is_ok() || self.devices[slot].slot_of(pack_id).is_none() {
            self.order.pop_front();
        }
        result.map(|response| (slot, response))
    }

    /// Waits for whichever request in flight finishes first and returns its slot and
    /// response: one `poll()` over the files that have a request in flight, then the
    /// `read()` of a file it found ready (the oldest such request). A signal only restarts
    /// the `poll()`. The slot it frees is the next one [`Queue::submit`] uses.
    ///
    /// Each file has at most one request in flight, so "any" needs no `read()` for any pack
    /// id (which `SG_SET_FORCE_PACK_ID` would not allow): it is the readiness of the files.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sgmap_sys::{Command, Data, Queue};
    ///
    /// let mut queue = Queue::open("/dev/sg1", 4, 65536)?;
    /// for lba in 0u8..4 {
    ///     let cdb = [0x28, 0, 0, 0, 0, lba * 128, 0, 0, 128, 0]; // READ(10), 128 blocks
    ///     queue.submit(&Command::new(&cdb), Data::MmapIn(65536))?;
    /// }
    /// while queue.in_flight() > 0 {
    ///     let (slot, response) = queue.wait_any()?;
    ///     println!("slot {slot}: {} bytes", response.valid);
    ///     let _bytes = queue.data(slot)?;
    /// }
    /// # Ok::<(), sgmap_sys::Error>(())
    /// ```
    pub fn wait_any(&mut self) -> Result<(usize, Response), Error> {
        use rustix::event::{poll, PollFd, PollFlags};
        if self.order.is_empty() {
            return self.wait_oldest();
        }
        let ready = loop {
            let mut fds: Vec<PollFd<'_>> = self
                .order
                .iter()
                .map(|&(slot, _)| PollFd::new(&self.devices[slot], PollFlags::IN))
                .collect();
            match poll(&mut fds, None) {
                // POLLIN, or POLLHUP/POLLERR (being removed): the wait on that file says.
                Ok(_) => match fds.iter().position(|fd| !fd.revents().is_empty()) {
                    Some(i) => break i,
                    None => continue,
                },
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => {
                    let dev = &self.devices[self.order[0].0];
                    return Err(dev.os(Op::Poll, e));
                }
            }
        };
        let (slot, pack_id) = self.order[ready];
        let result = self.devices[slot].wait(pack_id);
        if result.is_ok() || self.devices[slot].slot_of(pack_id).is_none() {
            self.order.remove(ready);
        }
        result.map(|response| (slot, response))
    }

    /// The valid bytes of `slot`'s last mmap-ed data-in.
    pub fn data(&self, slot: usize) -> Result<&[u8], Error> {
        self.devices[slot].valid_data()
    }

    /// The file of `slot`.
    ///
    /// # Panics
    ///
    /// When `slot >= depth()`.
    pub fn device(&mut self, slot: usize) -> &mut Device {
        &mut self.devices[slot]
    }
}
