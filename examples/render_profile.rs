//! Profiling aid for the listing path without a kernel: encodes 2,000
//! services × 10 destinations as the kernel would send them, then decodes,
//! sorts and renders them like `rvsadm -Sn` and `-Ln`.

use netlb::ipvs::model::*;
use netlb::ipvs::wire::{self, Request};
use netlb::ipvsadm::cli::Format;
use netlb::ipvsadm::render::{self, Namer};
use netlb::netlink::MsgWriter;

fn main() {
    let mut msgs = Vec::new();
    for i in 0..2000u32 {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: std::net::IpAddr::V4((0x0a01_0001 + i).into()),
            port: 80,
        };
        let mut dests = Vec::new();
        for j in 0..10u32 {
            let mut d = Dest::new(
                std::net::IpAddr::V4((0xc0a8_0101 + j * 256 + i % 250).into()),
                8080,
            );
            d.forward = Forward::Masq;
            let mut buf = Vec::new();
            let mut w = MsgWriter::new(&mut buf, 0x24, 0, 0, wire::cmd::NEW_DEST, 1);
            Request::NewDest(key, d).encode(&mut w);
            w.finish();
            dests.push(buf);
        }
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0x24, 0, 0, wire::cmd::NEW_SERVICE, 1);
        Request::NewService(Service::new(key)).encode(&mut w);
        w.finish();
        msgs.push((buf, dests));
    }
    let mut entries = Vec::new();
    for (s, ds) in &msgs {
        let Ok(service) = wire::decode_service(&s[20..]) else {
            return;
        };
        let dests = ds
            .iter()
            .filter_map(|d| wire::decode_dest(&d[20..], Family::Inet).ok())
            .collect();
        entries.push(ServiceEntry { service, dests });
    }
    render::sort_entries(&mut entries);
    let namer = Namer::new(true);
    let a = render::save(&entries, &namer);
    let b = render::list(&entries, &Format::default(), &namer);
    println!("{} {}", a.len(), b.len());
}
