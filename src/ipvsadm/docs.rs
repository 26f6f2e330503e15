//! Help text, man page and shell completions, all generated from the option
//! table in [`super::cli::OPTIONS`] plus the hand-written sections here.

use clap::{Arg, ArgAction, Command};
use clap_complete::Shell;

use super::cli::{self, OPTIONS};

/// ipvsadm 1.31's `-h` text after its version line, with `{prog}` for argv[0].
const HELP: &str = r#"Usage:
  {prog} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
  {prog} -D virtual-service
  {prog} -C
  {prog} -R
  {prog} -S [-n]
  {prog} -a|e virtual-service -r server-address [options]
  {prog} -d virtual-service -r server-address
  {prog} -L|l [virtual-service] [options]
  {prog} -Z [virtual-service]
  {prog} --set tcp tcpfin udp
  {prog} --start-daemon {master|backup} [daemon-options]
  {prog} --stop-daemon {master|backup}
  {prog} -h

Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --start-daemon              start connection sync daemon
  --stop-daemon               stop connection sync daemon
  --help            -h        display this help message

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port]
  --udp-service|-u  service-address   service-address is host[:port]
  --sctp-service    service-address   service-address is host[:port]
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero

Options:
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,
                                      the default scheduler is wlc.
  --pe            engine              alternate persistence engine may be sip,
                                      not set by default.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ipip.
  --tun-port      port                tunnel destination port
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --daemon                            output of daemon information
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)
Daemon Options:
  --syncid sid                        syncid for connection sync (default=255)
  --sync-maxlen length                Max sync message length (default=1472)
  --mcast-interface interface         multicast interface for connection sync
  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)
  --mcast-port port                   UDP port (default=8848)
  --mcast-ttl ttl                     Multicast TTL (default=1)
"#;

/// The `-h` output: rvsadm's version line, then ipvsadm's usage text.
pub fn help_text(prog: &str) -> String {
    format!(
        "{}\n{}",
        super::version_line(),
        HELP.replace("{prog}", prog)
    )
}

/// The command line as a clap [`Command`], for the man page and completions.
pub fn command() -> Command {
    let mut cmd = Command::new("rvsadm")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Linux Virtual Server administration, a drop-in ipvsadm")
        .long_about(DESCRIPTION)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .override_usage(USAGE);
    for o in OPTIONS {
        let mut a = Arg::new(o.long).long(o.long).help(o.help);
        if let Some(c) = o.short {
            a = a.short(c);
        }
        a = match o.arg {
            cli::Arg::None => a.action(ArgAction::SetTrue),
            cli::Arg::Required => a.value_name(o.value).num_args(1),
            cli::Arg::Optional => a.value_name(o.value).num_args(0..=1),
        };
        if o.long == "set" {
            a = a
                .action(ArgAction::Set)
                .value_names(["tcp", "tcpfin", "udp"])
                .num_args(3);
        }
        cmd = cmd.arg(a);
    }
    cmd
}

const USAGE: &str = "rvsadm -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
       rvsadm -D virtual-service
       rvsadm -C
       rvsadm -R
       rvsadm -S [-n]
       rvsadm -a|e virtual-service -r server-address [options]
       rvsadm -d virtual-service -r server-address
       rvsadm -L|l [virtual-service] [options] [--json]
       rvsadm -Z [virtual-service]
       rvsadm --set tcp tcpfin udp
       rvsadm --start-daemon {master|backup} [daemon-options]
       rvsadm --stop-daemon {master|backup}
       rvsadm -h";

const DESCRIPTION: &str = "rvsadm sets up, maintains and inspects the virtual server table of the Linux kernel's IP Virtual Server (IPVS). It takes ipvsadm 1.31's commands and options, prints the same output byte for byte and exits with the same status, so scripts can switch to it unchanged. It talks to the kernel over one generic netlink socket, sends restores in batches, and can print every listing as JSON.";

/// Hand-written man page sections, in roff.
const EXTRA_SECTIONS: &str = r#".SH "VIRTUAL SERVICES"
A virtual service is \fB\-t\fR|\fB\-u\fR|\fB\-\-sctp\-service\fR \fIhost\fR[:\fIport\fR]
(IPv6 as \fB[\fR\fIaddr\fR\fB]\fR:\fIport\fR), or \fB\-f\fR \fIfwmark\fR [\fB\-6\fR].
Host and port names are resolved like ipvsadm does (IPv4 host names only; ports from /etc/services).
.SH "JSON OUTPUT"
With \fB\-\-json\fR every \fB\-L\fR variant prints one JSON object with \fB"schema": "rvsadm/1"\fR and one of:
.TP
\fBservices\fR
an array of services (with \fB\-L\fR also \fBipvs_version\fR and \fBconn_tab_size\fR). A service has
\fBprotocol\fR, \fBaddress\fR, \fBport\fR (or \fBfwmark\fR), \fBfamily\fR (inet|inet6), \fBscheduler\fR,
\fBsched_flags\fR (names), \fBpersistence\fR (null or {timeout, netmask, pe}), \fBpe\fR, \fBone_packet\fR,
\fBflags\fR (raw kernel bits), \fBstats\fR and \fBdestinations\fR. A destination has \fBaddress\fR, \fBport\fR,
\fBfamily\fR, \fBforward\fR (masq|local|tunnel|route), \fBweight\fR, \fBu_threshold\fR, \fBl_threshold\fR,
\fBactive_conns\fR, \fBinactive_conns\fR, \fBpersistent_conns\fR, \fBtunnel\fR (null or {type, port, checksum})
and \fBstats\fR. \fBstats\fR holds exact 64\-bit \fBconns inpkts outpkts inbytes outbytes cps inpps outpps inbps outbps\fR.
.TP
\fBtimeouts\fR
{tcp, tcp_fin, udp} in seconds (\fB\-\-timeout\fR).
.TP
\fBdaemons\fR
an array of {state, mcast_ifn, syncid, sync_maxlen, mcast_group, mcast_port, mcast_ttl} (\fB\-\-daemon\fR).
.TP
\fBconnections\fR
an array of {protocol, client_addr, client_port, virtual_addr, virtual_port, dest_addr, dest_port, state, expires, pe_name, pe_data} (\fB\-c\fR).
.PP
Addresses are always numeric in JSON. Fields are only ever added within schema rvsadm/1.
.SH "EXIT STATUS"
0 on success; 1 when a listing fails (no such service, unreadable connection table); 2 for
invalid command lines and when IPVS cannot be initialized; 255 when the kernel refuses a change
and for option\-parsing errors, as ipvsadm 1.31.
.SH EXAMPLES
.nf
rvsadm \-A \-t 10.0.0.1:80 \-s rr
rvsadm \-a \-t 10.0.0.1:80 \-r 192.168.1.10:8080 \-m \-w 3
rvsadm \-Ln \-\-stats
rvsadm \-Sn > ipvs.rules; rvsadm \-C; rvsadm \-R < ipvs.rules
rvsadm \-Ln \-\-json | jq \-r \(aq.services[] | "\\(.address):\\(.port) \\(.destinations|length)"\(aq
.fi
.SH COMPATIBILITY
rvsadm follows ipvsadm 1.31 (Debian 1:1.31\-1+b1) except for these deliberate differences:
.IP \(bu 2
Destination counters are read as 64\-bit values; ipvsadm 1.31 reads them as 32\-bit and wraps at 2^32.
.IP \(bu 2
Sorting is a total order (by fwmark, family, protocol, address, port); ipvsadm's address comparator
wraps for addresses 2^31 or more apart and can list, for example, 200.0.0.1 before 10.0.0.1.
.IP \(bu 2
\fB\-R\fR accepts blank lines and \fB#\fR comments, checks the whole input before changing anything
(one bad line: nothing is applied, exit 2, the message starts with \fBline\fR \fIN\fR\fB:\fR), sends the
changes in batches, reports each kernel error as \fBline\fR \fIN\fR\fB:\fR \fImessage\fR and continues, and exits
255 if any line failed (ipvsadm stops at the first bad line after applying the earlier ones and
exits with the status of the last line only).
.IP \(bu 2
\fB\-v\fR and the first line of \fB\-h\fR print rvsadm's own version; \fB\-h\fR and \fB\-v\fR work without IPVS in the kernel.
The command line is checked before IPVS is initialized, so on a kernel without IPVS a bad command line
reports its own error rather than "Can't initialize ipvs".
.IP \(bu 2
\fB\-\-json\fR is new.
.IP \(bu 2
Requests go over one netlink socket with the family resolved once; ipvsadm opens a socket and
resolves the family for every request. The kernel sees the same requests.
.SH "SEE ALSO"
ipvsadm(8), ipvsadm\-save(8), ipvsadm\-restore(8)
"#;

/// The SYNOPSIS section: ipvsadm's usage forms (clap's would list every flag).
fn synopsis() -> String {
    let mut s = String::from(".SH SYNOPSIS\n.nf\n");
    for line in USAGE.lines() {
        s.push_str(&line.trim_start().replace('-', "\\-"));
        s.push('\n');
    }
    s.push_str(".fi\n");
    s
}

/// The man page, rvsadm(8), in roff.
pub fn man_page() -> Vec<u8> {
    let man = clap_mangen::Man::new(command()).section("8");
    let mut out = Vec::new();
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    out.extend_from_slice(synopsis().as_bytes());
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    out.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    let _ = man.render_version_section(&mut out);
    out
}

/// Completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "rvsadm", &mut out);
    out
}

/// Every generated file: (path relative to the repository, contents).
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    vec![
        ("man/rvsadm.8".into(), man_page()),
        ("completions/rvsadm.bash".into(), completion(Shell::Bash)),
        ("completions/_rvsadm".into(), completion(Shell::Zsh)),
        ("completions/rvsadm.fish".into(), completion(Shell::Fish)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_has_every_command() {
        let h = help_text("rvsadm");
        assert!(h.starts_with("rvsadm v"));
        assert!(h.contains("\nUsage:\n  rvsadm -A|E virtual-service"));
        assert!(h.ends_with("Multicast TTL (default=1)\n"));
    }

    #[test]
    fn man_page_has_hand_written_sections() {
        let m = String::from_utf8(man_page()).unwrap();
        for s in [
            "COMPATIBILITY",
            "JSON OUTPUT",
            "EXAMPLES",
            "\\-\\-tun\\-remcsum",
        ] {
            assert!(m.contains(s), "{s}");
        }
    }
}
