//! The IPVS generic netlink codec: commands, attribute numbers, and how each
//! model type is written to and read from attributes.
//!
//! Encoding follows libipvs (the attribute order ipvsadm sends), so a kernel
//! sees the same requests from rvsadm as from ipvsadm. Decoding ignores
//! attributes it does not know and prefers 64-bit stats.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::model::*;
use crate::netlink::{Attr, Attrs, Error, MsgWriter};

/// The generic netlink family name.
pub const FAMILY: &str = "IPVS";
/// The IPVS genl version.
pub const VERSION: u8 = 1;

/// IPVS generic netlink commands.
#[allow(missing_docs)]
pub mod cmd {
    pub const NEW_SERVICE: u8 = 1;
    pub const SET_SERVICE: u8 = 2;
    pub const DEL_SERVICE: u8 = 3;
    pub const GET_SERVICE: u8 = 4;
    pub const NEW_DEST: u8 = 5;
    pub const SET_DEST: u8 = 6;
    pub const DEL_DEST: u8 = 7;
    pub const GET_DEST: u8 = 8;
    pub const NEW_DAEMON: u8 = 9;
    pub const DEL_DAEMON: u8 = 10;
    pub const GET_DAEMON: u8 = 11;
    pub const SET_CONFIG: u8 = 12;
    pub const GET_CONFIG: u8 = 13;
    pub const SET_INFO: u8 = 14;
    pub const GET_INFO: u8 = 15;
    pub const ZERO: u8 = 16;
    pub const FLUSH: u8 = 17;
}

/// Top-level attributes.
#[allow(missing_docs)]
pub mod attr {
    pub const SERVICE: u16 = 1;
    pub const DEST: u16 = 2;
    pub const DAEMON: u16 = 3;
    pub const TIMEOUT_TCP: u16 = 4;
    pub const TIMEOUT_TCP_FIN: u16 = 5;
    pub const TIMEOUT_UDP: u16 = 6;
}

/// Service attributes.
#[allow(missing_docs)]
pub mod svc {
    pub const AF: u16 = 1;
    pub const PROTOCOL: u16 = 2;
    pub const ADDR: u16 = 3;
    pub const PORT: u16 = 4;
    pub const FWMARK: u16 = 5;
    pub const SCHED_NAME: u16 = 6;
    pub const FLAGS: u16 = 7;
    pub const TIMEOUT: u16 = 8;
    pub const NETMASK: u16 = 9;
    pub const STATS: u16 = 10;
    pub const PE_NAME: u16 = 11;
    pub const STATS64: u16 = 12;
}

/// Destination attributes.
#[allow(missing_docs)]
pub mod dst {
    pub const ADDR: u16 = 1;
    pub const PORT: u16 = 2;
    pub const FWD_METHOD: u16 = 3;
    pub const WEIGHT: u16 = 4;
    pub const U_THRESH: u16 = 5;
    pub const L_THRESH: u16 = 6;
    pub const ACTIVE_CONNS: u16 = 7;
    pub const INACT_CONNS: u16 = 8;
    pub const PERSIST_CONNS: u16 = 9;
    pub const STATS: u16 = 10;
    pub const ADDR_FAMILY: u16 = 11;
    pub const STATS64: u16 = 12;
    pub const TUN_TYPE: u16 = 13;
    pub const TUN_PORT: u16 = 14;
    pub const TUN_FLAGS: u16 = 15;
}

/// Daemon attributes.
#[allow(missing_docs)]
pub mod dmn {
    pub const STATE: u16 = 1;
    pub const MCAST_IFN: u16 = 2;
    pub const SYNC_ID: u16 = 3;
    pub const SYNC_MAXLEN: u16 = 4;
    pub const MCAST_GROUP: u16 = 5;
    pub const MCAST_GROUP6: u16 = 6;
    pub const MCAST_PORT: u16 = 7;
    pub const MCAST_TTL: u16 = 8;
}

/// Stats attributes.
#[allow(missing_docs)]
pub mod st {
    pub const CONNS: u16 = 1;
    pub const INPKTS: u16 = 2;
    pub const OUTPKTS: u16 = 3;
    pub const INBYTES: u16 = 4;
    pub const OUTBYTES: u16 = 5;
    pub const CPS: u16 = 6;
    pub const INPPS: u16 = 7;
    pub const OUTPPS: u16 = 8;
    pub const INBPS: u16 = 9;
    pub const OUTBPS: u16 = 10;
}

/// Info attributes.
#[allow(missing_docs)]
pub mod info {
    pub const VERSION: u16 = 1;
    pub const CONN_TAB_SIZE: u16 = 2;
}

/// One change the kernel can be asked to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `-A`: create a service.
    NewService(Service),
    /// `-E`: replace a service's settings.
    SetService(Service),
    /// `-D`: delete a service.
    DelService(ServiceKey),
    /// `-a`: add a destination.
    NewDest(ServiceKey, Dest),
    /// `-e`: edit a destination.
    SetDest(ServiceKey, Dest),
    /// `-d`: delete a destination.
    DelDest(ServiceKey, Dest),
    /// `--start-daemon`.
    NewDaemon(Daemon),
    /// `--stop-daemon`.
    DelDaemon(DaemonState),
    /// `--set`.
    SetTimeouts(Timeouts),
    /// `-Z`: zero one service's counters, or all.
    Zero(Option<ServiceKey>),
    /// `-C`: delete every service.
    Flush,
}

impl Request {
    /// The genl command this request is sent as.
    pub fn cmd(&self) -> u8 {
        match self {
            Request::NewService(_) => cmd::NEW_SERVICE,
            Request::SetService(_) => cmd::SET_SERVICE,
            Request::DelService(_) => cmd::DEL_SERVICE,
            Request::NewDest(..) => cmd::NEW_DEST,
            Request::SetDest(..) => cmd::SET_DEST,
            Request::DelDest(..) => cmd::DEL_DEST,
            Request::NewDaemon(_) => cmd::NEW_DAEMON,
            Request::DelDaemon(_) => cmd::DEL_DAEMON,
            Request::SetTimeouts(_) => cmd::SET_CONFIG,
            Request::Zero(_) => cmd::ZERO,
            Request::Flush => cmd::FLUSH,
        }
    }

    /// Writes the request's attributes.
    pub fn encode(&self, w: &mut MsgWriter<'_>) {
        match self {
            Request::NewService(s) | Request::SetService(s) => put_service(w, &s.key, Some(s)),
            Request::DelService(k) => put_service(w, k, None),
            Request::NewDest(k, d) | Request::SetDest(k, d) | Request::DelDest(k, d) => {
                put_service(w, k, None);
                put_dest(w, d);
            }
            Request::NewDaemon(d) => put_daemon(w, d),
            Request::DelDaemon(state) => {
                let n = w.nest_start(attr::DAEMON);
                w.put_u32(dmn::STATE, state.value());
                w.put_str(dmn::MCAST_IFN, "");
                w.put_u32(dmn::SYNC_ID, 0);
                w.nest_end(n);
            }
            Request::SetTimeouts(t) => {
                w.put_u32(attr::TIMEOUT_TCP, t.tcp);
                w.put_u32(attr::TIMEOUT_TCP_FIN, t.tcp_fin);
                w.put_u32(attr::TIMEOUT_UDP, t.udp);
            }
            Request::Zero(Some(k)) => put_service(w, k, None),
            Request::Zero(None) | Request::Flush => {}
        }
    }
}

fn addr_bytes(addr: &IpAddr) -> [u8; 16] {
    let mut b = [0u8; 16];
    match addr {
        IpAddr::V4(a) => b[..4].copy_from_slice(&a.octets()),
        IpAddr::V6(a) => b = a.octets(),
    }
    b
}

/// Writes a SERVICE nest: the key, and with `full` the settings.
///
/// Non-full requests carry libipvs's placeholders (empty scheduler, mask
/// ~0), which the kernel ignores for everything but NEW/SET_SERVICE.
pub fn put_service(w: &mut MsgWriter<'_>, key: &ServiceKey, full: Option<&Service>) {
    let n = w.nest_start(attr::SERVICE);
    put_service_key(w, key);
    match full {
        Some(s) => {
            w.put_str(svc::SCHED_NAME, &s.scheduler);
            if let Some(pe) = &s.pe {
                w.put_str(svc::PE_NAME, pe);
            }
            put_flags(w, s.flags);
            w.put_u32(svc::TIMEOUT, s.timeout);
            w.put_u32(svc::NETMASK, s.netmask);
        }
        None => {
            w.put_str(svc::SCHED_NAME, "");
            put_flags(w, 0);
            w.put_u32(svc::TIMEOUT, 0);
            w.put_u32(svc::NETMASK, u32::MAX);
        }
    }
    w.nest_end(n);
}

fn put_flags(w: &mut MsgWriter<'_>, flags: u32) {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&flags.to_ne_bytes());
    b[4..].copy_from_slice(&u32::MAX.to_ne_bytes());
    w.put(svc::FLAGS, &b);
}

/// Writes only the attributes that identify a service (inside a nest).
pub fn put_service_key(w: &mut MsgWriter<'_>, key: &ServiceKey) {
    w.put_u16(svc::AF, key.family().af());
    match key {
        ServiceKey::Fwmark { mark, .. } => w.put_u32(svc::FWMARK, *mark),
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            w.put_u16(svc::PROTOCOL, protocol.number());
            w.put(svc::ADDR, &addr_bytes(addr));
            w.put_be16(svc::PORT, *port);
        }
    }
}

/// Writes a SERVICE nest holding only the key (GET_DEST dumps, GET_SERVICE).
pub fn put_service_key_nest(w: &mut MsgWriter<'_>, key: &ServiceKey) {
    let n = w.nest_start(attr::SERVICE);
    put_service_key(w, key);
    w.nest_end(n);
}

fn put_dest(w: &mut MsgWriter<'_>, d: &Dest) {
    let n = w.nest_start(attr::DEST);
    w.put_u16(dst::ADDR_FAMILY, d.family().af());
    w.put(dst::ADDR, &addr_bytes(&d.addr));
    w.put_be16(dst::PORT, d.port);
    w.put_u32(dst::FWD_METHOD, d.forward.value());
    w.put_u32(dst::WEIGHT, d.weight as u32);
    w.put_u8(dst::TUN_TYPE, d.tun_type.value());
    w.put_be16(dst::TUN_PORT, d.tun_port);
    w.put_u16(dst::TUN_FLAGS, d.tun_flags.value());
    w.put_u32(dst::U_THRESH, d.u_threshold);
    w.put_u32(dst::L_THRESH, d.l_threshold);
    w.nest_end(n);
}

fn put_daemon(w: &mut MsgWriter<'_>, d: &Daemon) {
    let n = w.nest_start(attr::DAEMON);
    w.put_u32(dmn::STATE, d.state.value());
    w.put_str(dmn::MCAST_IFN, &d.mcast_ifn);
    w.put_u32(dmn::SYNC_ID, d.syncid);
    if d.sync_maxlen != 0 {
        w.put_u16(dmn::SYNC_MAXLEN, d.sync_maxlen);
    }
    if d.mcast_port != 0 {
        w.put_u16(dmn::MCAST_PORT, d.mcast_port);
    }
    if d.mcast_ttl != 0 {
        w.put_u8(dmn::MCAST_TTL, d.mcast_ttl);
    }
    match d.mcast_group {
        Some(IpAddr::V4(a)) => w.put(dmn::MCAST_GROUP, &a.octets()),
        Some(IpAddr::V6(a)) => w.put(dmn::MCAST_GROUP6, &a.octets()),
        None => {}
    }
    w.nest_end(n);
}

fn decode_addr(a: &Attr<'_>, family: Family) -> Result<IpAddr, Error> {
    Ok(match family {
        Family::Inet => IpAddr::V4(Ipv4Addr::from(a.array::<4>()?)),
        Family::Inet6 => IpAddr::V6(Ipv6Addr::from(a.array::<16>()?)),
    })
}

/// Reads a STATS or STATS64 nest.
fn decode_stats(a: &Attr<'_>, wide: bool) -> Result<Stats, Error> {
    let mut s = Stats::default();
    for x in a.nested() {
        let read = |x: &Attr<'_>| -> Result<u64, Error> {
            if wide || x.data.len() >= 8 {
                x.u64()
            } else {
                x.u32().map(u64::from)
            }
        };
        let slot = match x.ty {
            st::CONNS => &mut s.conns,
            st::INPKTS => &mut s.inpkts,
            st::OUTPKTS => &mut s.outpkts,
            st::INBYTES => &mut s.inbytes,
            st::OUTBYTES => &mut s.outbytes,
            st::CPS => &mut s.cps,
            st::INPPS => &mut s.inpps,
            st::OUTPPS => &mut s.outpps,
            st::INBPS => &mut s.inbps,
            st::OUTBPS => &mut s.outbps,
            _ => continue,
        };
        *slot = read(&x)?;
    }
    Ok(s)
}

fn missing(what: &str) -> Error {
    Error::Protocol(format!("missing {what} attribute"))
}

/// Decodes a SERVICE nest from a GET_SERVICE reply's top-level attributes.
pub fn decode_service(top: &[u8]) -> Result<Service, Error> {
    let nest = Attrs::new(top)
        .find(|a| a.ty == attr::SERVICE)
        .ok_or_else(|| missing("service"))?;
    let mut af = None;
    let (mut proto, mut addr, mut port, mut fwmark) = (None, None, None, None);
    let mut s = Service::new(ServiceKey::Fwmark {
        mark: 0,
        family: Family::Inet,
    });
    let mut stats = None;
    let mut stats64 = None;
    for a in nest.nested() {
        match a.ty {
            svc::AF => af = Some(a.u16()?),
            svc::PROTOCOL => proto = Some(a.u16()?),
            svc::ADDR => addr = Some(a),
            svc::PORT => port = Some(a.be16()?),
            svc::FWMARK => fwmark = Some(a.u32()?),
            svc::SCHED_NAME => s.scheduler = a.string(),
            svc::PE_NAME => {
                let pe = a.string();
                s.pe = (!pe.is_empty()).then_some(pe);
            }
            svc::FLAGS => {
                let b = a.array::<8>()?;
                let flags = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
                let mask = u32::from_ne_bytes([b[4], b[5], b[6], b[7]]);
                s.flags = flags & mask;
            }
            svc::TIMEOUT => s.timeout = a.u32()?,
            svc::NETMASK => s.netmask = a.u32()?,
            svc::STATS => stats = Some(decode_stats(&a, false)?),
            svc::STATS64 => stats64 = Some(decode_stats(&a, true)?),
            _ => {}
        }
    }
    let family = af
        .and_then(Family::from_af)
        .ok_or_else(|| missing("service af"))?;
    s.key = match fwmark {
        Some(mark) if mark != 0 => ServiceKey::Fwmark { mark, family },
        _ => ServiceKey::Addr {
            protocol: Protocol::from_number(proto.ok_or_else(|| missing("protocol"))?),
            addr: decode_addr(&addr.ok_or_else(|| missing("address"))?, family)?,
            port: port.ok_or_else(|| missing("port"))?,
        },
    };
    s.stats = stats64.or(stats).unwrap_or_default();
    Ok(s)
}

/// Decodes a DEST nest; `family` is the service's, used when the kernel
/// sends no ADDR_FAMILY (before 3.18).
pub fn decode_dest(top: &[u8], family: Family) -> Result<Dest, Error> {
    let nest = Attrs::new(top)
        .find(|a| a.ty == attr::DEST)
        .ok_or_else(|| missing("dest"))?;
    let mut d = Dest::new(crate::ipvs::model::unspecified(family), 0);
    let mut af = None;
    let mut addr = None;
    let mut stats = None;
    let mut stats64 = None;
    for a in nest.nested() {
        match a.ty {
            dst::ADDR => addr = Some(a),
            dst::ADDR_FAMILY => af = Family::from_af(a.u16()?),
            dst::PORT => d.port = a.be16()?,
            dst::FWD_METHOD => d.forward = Forward::from_value(a.u32()?),
            dst::WEIGHT => d.weight = a.u32()? as i32,
            dst::U_THRESH => d.u_threshold = a.u32()?,
            dst::L_THRESH => d.l_threshold = a.u32()?,
            dst::ACTIVE_CONNS => d.active_conns = a.u32()?,
            dst::INACT_CONNS => d.inact_conns = a.u32()?,
            dst::PERSIST_CONNS => d.persist_conns = a.u32()?,
            dst::TUN_TYPE => d.tun_type = TunnelType::from_value(a.u8()?),
            dst::TUN_PORT => d.tun_port = a.be16()?,
            dst::TUN_FLAGS => d.tun_flags = TunnelCsum::from_value(a.u16()?),
            dst::STATS => stats = Some(decode_stats(&a, false)?),
            dst::STATS64 => stats64 = Some(decode_stats(&a, true)?),
            _ => {}
        }
    }
    let addr = addr.ok_or_else(|| missing("dest address"))?;
    d.addr = decode_addr(&addr, af.unwrap_or(family))?;
    d.stats = stats64.or(stats).unwrap_or_default();
    Ok(d)
}

/// Decodes a DAEMON nest.
pub fn decode_daemon(top: &[u8]) -> Result<Daemon, Error> {
    let nest = Attrs::new(top)
        .find(|a| a.ty == attr::DAEMON)
        .ok_or_else(|| missing("daemon"))?;
    let mut d = Daemon::new(DaemonState::Master, "", 0);
    for a in nest.nested() {
        match a.ty {
            dmn::STATE => {
                d.state = if a.u32()? == 2 {
                    DaemonState::Backup
                } else {
                    DaemonState::Master
                }
            }
            dmn::MCAST_IFN => d.mcast_ifn = a.string(),
            dmn::SYNC_ID => d.syncid = a.u32()?,
            dmn::SYNC_MAXLEN => d.sync_maxlen = a.u16()?,
            dmn::MCAST_GROUP => d.mcast_group = Some(IpAddr::V4(Ipv4Addr::from(a.array::<4>()?))),
            dmn::MCAST_GROUP6 => d.mcast_group = Some(IpAddr::V6(Ipv6Addr::from(a.array::<16>()?))),
            dmn::MCAST_PORT => d.mcast_port = a.u16()?,
            dmn::MCAST_TTL => d.mcast_ttl = a.u8()?,
            _ => {}
        }
    }
    Ok(d)
}

/// Decodes the timeouts of a GET_CONFIG reply.
pub fn decode_timeouts(top: &[u8]) -> Result<Timeouts, Error> {
    let mut t = Timeouts::default();
    for a in Attrs::new(top) {
        match a.ty {
            attr::TIMEOUT_TCP => t.tcp = a.u32()?,
            attr::TIMEOUT_TCP_FIN => t.tcp_fin = a.u32()?,
            attr::TIMEOUT_UDP => t.udp = a.u32()?,
            _ => {}
        }
    }
    Ok(t)
}

/// Decodes a GET_INFO reply.
pub fn decode_info(top: &[u8]) -> Result<Info, Error> {
    let mut i = Info {
        version: 0,
        conn_tab_size: 0,
    };
    for a in Attrs::new(top) {
        match a.ty {
            info::VERSION => i.version = a.u32()?,
            info::CONN_TAB_SIZE => i.conn_tab_size = a.u32()?,
            _ => {}
        }
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(req: &Request) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0x24, 5, 0, req.cmd(), VERSION);
        req.encode(&mut w);
        w.finish();
        buf
    }

    #[test]
    fn new_service_matches_ipvsadm_bytes() {
        let mut s = Service::new(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "10.0.0.5".parse().unwrap(),
            port: 80,
        });
        s.scheduler = "rr".into();
        let b = encode(&Request::NewService(s));
        // Observed from ipvsadm -A -t 10.0.0.5:80 -s rr: 104 bytes.
        assert_eq!(b.len(), 104);
        assert_eq!(&b[20..24], &[0x54, 0, 1, 0x80]);
        assert_eq!(&b[44..48], &[10, 0, 0, 5]);
        assert_eq!(&b[60..64], &[6, 0, 4, 0]);
        assert_eq!(&b[64..66], &[0, 80]);
    }

    #[test]
    fn new_dest_is_200_bytes_like_ipvsadm() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "10.0.0.5".parse().unwrap(),
            port: 80,
        };
        let mut d = Dest::new("192.168.0.1".parse().unwrap(), 8080);
        d.forward = Forward::Masq;
        d.weight = 5;
        assert_eq!(encode(&Request::NewDest(key, d)).len(), 200);
    }

    #[test]
    fn service_round_trip_through_attributes() {
        let mut s = Service::new(ServiceKey::Fwmark {
            mark: 7,
            family: Family::Inet6,
        });
        s.scheduler = "rr".into();
        s.pe = Some("sip".into());
        s.flags = SVC_F_PERSISTENT;
        s.timeout = 300;
        s.netmask = 64;
        let b = encode(&Request::NewService(s.clone()));
        assert_eq!(b.len(), 84);
        let back = decode_service(&b[20..]).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn dest_round_trip_and_v6_family() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "10.0.0.9".parse().unwrap(),
            port: 53,
        };
        let mut d = Dest::new("2001:db8::9".parse().unwrap(), 53);
        d.forward = Forward::Tunnel;
        d.tun_type = TunnelType::Gue;
        d.tun_port = 6080;
        d.tun_flags = TunnelCsum::Remcsum;
        d.u_threshold = 10;
        d.l_threshold = 5;
        let b = encode(&Request::NewDest(key, d.clone()));
        let back = decode_dest(&b[20..], Family::Inet).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn stats64_preferred_and_unknown_attributes_ignored() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0x24, 0, 0, cmd::NEW_DEST, 1);
        let n = w.nest_start(attr::DEST);
        w.put(
            dst::ADDR,
            &[10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        w.put_be16(dst::PORT, 80);
        w.put_u32(99, 1);
        let s = w.nest_start(dst::STATS);
        w.put_u32(st::CONNS, 705032704);
        w.nest_end(s);
        let s = w.nest_start(dst::STATS64);
        w.put(st::CONNS, &5_000_000_000u64.to_ne_bytes());
        w.nest_end(s);
        w.nest_end(n);
        w.finish();
        let d = decode_dest(&buf[20..], Family::Inet).unwrap();
        assert_eq!(d.stats.conns, 5_000_000_000);
        assert_eq!(d.addr.to_string(), "10.0.0.1");
    }

    #[test]
    fn truncated_service_is_an_error_not_a_panic() {
        let b = [8u8, 0, 1, 0x80, 6, 0, 1, 0];
        assert!(decode_service(&b).is_err());
        assert!(decode_service(&[]).is_err());
    }
}
