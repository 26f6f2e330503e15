//! The IPVS client: one netlink socket, the family resolved once, requests
//! batched many to a `sendmsg`.

use super::model::*;
use super::wire::{self, cmd, Request};
use crate::netlink::{Error, GenlSocket, MsgWriter, Reply, F_ACK, F_DUMP, F_REQUEST, MAX_BATCH};

/// A connection to the kernel's IPVS (in the caller's network namespace).
pub struct Client {
    sock: GenlSocket,
    buf: Vec<u8>,
}

impl Client {
    /// Opens a socket and resolves the "IPVS" family.
    pub fn connect() -> Result<Self, Error> {
        Ok(Client {
            sock: GenlSocket::open(wire::FAMILY)?,
            buf: Vec::with_capacity(64 * 1024),
        })
    }

    fn start(&mut self, flags: u16, command: u8) -> (MsgWriter<'_>, u32) {
        let seq = self.sock.next_seq();
        let family = self.sock.family();
        self.buf.clear();
        (
            MsgWriter::new(&mut self.buf, family, flags, seq, command, wire::VERSION),
            seq,
        )
    }

    /// Sends the message in `self.buf` and decodes each data reply with
    /// `decode`, straight from the receive buffer; fails with the kernel's
    /// errno if it refuses.
    fn roundtrip<T>(
        &mut self,
        seq: u32,
        dump: bool,
        mut decode: impl FnMut(&[u8]) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        self.sock.send_raw(&self.buf)?;
        let mut out = Vec::new();
        let mut err = 0;
        self.sock.recv_until(seq, |r| {
            Ok(match r {
                Reply::Data { seq: s, attrs, .. } => {
                    if *s == seq {
                        out.push(decode(attrs)?);
                    }
                    false
                }
                Reply::Ack { errno, .. } => {
                    err = *errno;
                    // A dump ends with DONE unless it fails; a doit with its ACK.
                    !dump || *errno != 0
                }
                Reply::Done { .. } => true,
            })
        })?;
        if err != 0 {
            return Err(Error::Kernel { errno: err });
        }
        Ok(out)
    }

    fn first<T>(replies: Vec<T>, what: &str) -> Result<T, Error> {
        replies
            .into_iter()
            .next()
            .ok_or_else(|| Error::Protocol(format!("no {what} reply")))
    }

    /// `IPVS_CMD_GET_INFO`: version and connection table size.
    pub fn info(&mut self) -> Result<Info, Error> {
        let (w, seq) = self.start(F_REQUEST | F_ACK, cmd::GET_INFO);
        w.finish();
        Self::first(self.roundtrip(seq, false, wire::decode_info)?, "info")
    }

    /// All services, in the kernel's dump order.
    pub fn services(&mut self) -> Result<Vec<Service>, Error> {
        let (w, seq) = self.start(F_REQUEST | F_ACK | F_DUMP, cmd::GET_SERVICE);
        w.finish();
        self.roundtrip(seq, true, wire::decode_service)
    }

    /// One service (`ESRCH` if there is none).
    pub fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        let (mut w, seq) = self.start(F_REQUEST | F_ACK, cmd::GET_SERVICE);
        wire::put_service_key_nest(&mut w, key);
        w.finish();
        Self::first(self.roundtrip(seq, false, wire::decode_service)?, "service")
    }

    /// The destinations of one service, in the kernel's order.
    pub fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>, Error> {
        let (mut w, seq) = self.start(F_REQUEST | F_ACK | F_DUMP, cmd::GET_DEST);
        wire::put_service_key_nest(&mut w, key);
        w.finish();
        let family = key.family();
        self.roundtrip(seq, true, |a| wire::decode_dest(a, family))
    }

    /// Every service with its destinations: one service dump, then one
    /// destination dump per service, all on this one socket.
    pub fn entries(&mut self) -> Result<Vec<ServiceEntry>, Error> {
        let services = self.services()?;
        let mut out = Vec::with_capacity(services.len());
        for service in services {
            let dests = self.dests(&service.key)?;
            out.push(ServiceEntry { service, dests });
        }
        Ok(out)
    }

    /// `IPVS_CMD_GET_CONFIG`: the connection timeouts.
    pub fn timeouts(&mut self) -> Result<Timeouts, Error> {
        let (w, seq) = self.start(F_REQUEST | F_ACK, cmd::GET_CONFIG);
        w.finish();
        Self::first(self.roundtrip(seq, false, wire::decode_timeouts)?, "config")
    }

    /// The running sync daemons.
    pub fn daemons(&mut self) -> Result<Vec<Daemon>, Error> {
        let (w, seq) = self.start(F_REQUEST | F_ACK | F_DUMP, cmd::GET_DAEMON);
        w.finish();
        self.roundtrip(seq, true, wire::decode_daemon)
    }

    /// Sends one change and waits for its ACK.
    pub fn execute(&mut self, req: &Request) -> Result<(), Error> {
        let mut results = self.execute_batch(std::slice::from_ref(req))?;
        results.pop().unwrap_or(Ok(()))
    }

    /// Sends many changes, [`MAX_BATCH`] to a system call, and returns one
    /// result per request, in order. Only the last request of each batch asks
    /// for an ACK; earlier ones answer only when they fail, so a batch costs
    /// one `sendmsg` and, when all goes well, one `recvmsg`.
    ///
    /// The outer error is a transport failure; kernel refusals are per item.
    pub fn execute_batch(&mut self, reqs: &[Request]) -> Result<Vec<Result<(), Error>>, Error> {
        let mut results = Vec::with_capacity(reqs.len());
        for chunk in reqs.chunks(MAX_BATCH) {
            self.buf.clear();
            let family = self.sock.family();
            let mut first_seq = 0;
            let mut last_seq = 0;
            for (i, req) in chunk.iter().enumerate() {
                let seq = self.sock.next_seq();
                if i == 0 {
                    first_seq = seq;
                }
                last_seq = seq;
                let flags = if i + 1 == chunk.len() {
                    F_REQUEST | F_ACK
                } else {
                    F_REQUEST
                };
                let mut w = MsgWriter::new(&mut self.buf, family, flags, seq, req.cmd(), 1);
                req.encode(&mut w);
                w.finish();
            }
            self.sock.send_raw(&self.buf)?;
            let mut chunk_results: Vec<Result<(), Error>> = chunk.iter().map(|_| Ok(())).collect();
            self.sock.recv_until(last_seq, |r| {
                Ok(match r {
                    Reply::Ack { seq, errno } => {
                        let idx = seq.wrapping_sub(first_seq) as usize;
                        if *errno != 0 {
                            if let Some(slot) = chunk_results.get_mut(idx) {
                                *slot = Err(Error::Kernel { errno: *errno });
                            }
                        }
                        true
                    }
                    _ => false,
                })
            })?;
            results.extend(chunk_results);
        }
        Ok(results)
    }
}
