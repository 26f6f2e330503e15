//! rcompare's man page and shell completions, generated from the command
//! line definition ([`super::cli::command`]) plus the hand-written
//! sections here.

use clap_complete::Shell;

use super::cli::command;

/// The long description (`--help`, man page DESCRIPTION).
pub const DESCRIPTION: &str = "rcompare puts the load balancing of IPVS and of iptables side by side. \
It reads each side from the live kernel or from a file, turns both into one picture (virtual services \
with their backends and each backend's share of new connections), says where they disagree, translates \
the services of one dataplane for the other, and measures what finding a backend costs a new connection \
in each: the rules iptables matches before its DNAT against IPVS's one hash lookup and scheduler.";

/// Hand-written man page sections, in roff.
const EXTRA_SECTIONS: &str = r#".SH SOURCES
\fB\-\-ipvs\fR and \fB\-\-iptables\fR take \fBlive\fR (the kernel, in the current network namespace; the default),
\fBnone\fR (an empty side), \fB\-\fR (standard input, for one side only) or a file name.
An IPVS file is \fBipvsadm \-S\fR or \fBrvsadm \-S\fR text (any \fBipvsadm \-R\fR input made of
\fB\-A \-a \-E \-e \-D \-d \-C\fR lines) or \fBrvsadm \-L \-\-json\fR output.
An iptables file is \fBiptables\-save\fR or \fBrtables\-save\fR text, or \fBrtables\-save \-\-json\fR output;
only the \fBnat\fR and \fBmangle\fR tables are read. A file starting with \fB{\fR is read as JSON.
.SH "HOW SHARES ARE COMPUTED"
.TP
IPVS
A destination of weight 0 takes no new connections. \fBrr lc sed nq sh mh dh\fR share equally among the
others, \fBwrr wlc lblc lblcr twos\fR in proportion to the weights, \fBfo ovf\fR send everything to the first
destination of the highest weight. Persistence is reported as client affinity.
.TP
iptables
For each candidate service (every single\-address \fB\-d\fR with its \fB\-p\fR and \fB\-\-dport\fR; every
\fB\-p\fR/\fB\-\-dport\fR without \fB\-d\fR, which is a NodePort on any node address; every
\fB\-m mark \-\-mark\fR, which is a fwmark service) one packet walks nat PREROUTING (or OUTPUT), following
jumps and gotos. A \fB\-m statistic\fR rule (\fB\-\-mode random\fR or \fB\-\-mode nth\fR) splits it, so a cascade
of probabilities p1, p2, ... gives the shares p1, (1\-p1)p2, .... \fB\-j DNAT\fR ends a path at a backend;
\fB\-j MARK\fR rules (mangle and nat) set the mark that \fB\-m mark\fR rules test; \fB\-m recent \-\-rcheck\fR
is client affinity. Conditions on the client (\fB\-s\fR, \fB\-\-sport\fR, \fB\-i\fR, \fB\-\-src\-type\fR) are
evaluated for a remote client the rules do not name; conditions and targets rcompare does not interpret
do not match or end the path. Each such assumption is reported as a note on the service, never guessed
silently. Without \fB\-\-node\-ip\fR, NodePorts are listed on the address \fBLOCAL\fR.
For each IPVS fwmark service, the mangle rules of the iptables input that set its mark
(\fB\-j MARK \-\-set\-mark\fR) are listed in its notes: the traffic that feeds it.
.SH COMPARISON
A service is \fBsame\fR when both sides send new connections to the same backends (address and port;
IPVS destinations of weight 0 are left aside) with shares at most one percentage point apart and the same
client affinity; \fBdiffers\fR (backends, ports, shares or persistence) when they do not; \fBonly in IPVS\fR
or \fBonly in iptables\fR when one side lacks it. The default output is a table with one row per service;
\fB\-\-diff\fR prints, for every service that is not the same, lines in the style of a unified diff
(\fB\-\fR IPVS, \fB+\fR iptables); \fB\-\-json\fR prints a document with \fB"schema": "rcompare/1"\fR,
\fBservices\fR (each with \fBprotocol\fR, \fBvip\fR, \fBport\fR or \fBfwmark\fR, \fBstatus\fR, \fBreasons\fR,
\fBipvs\fR and \fBiptables\fR), \fBsources\fR and \fBsummary\fR (see docs/json\-schema.md).
.SH TRANSLATE
\fBrcompare translate \-\-to iptables\fR writes the IPVS services as \fBiptables\-restore\fR input for the nat
table in kube\-proxy's shape (PREFIX\-SERVICES, PREFIX\-SVC\-\fIhash\fR with a \fB\-m statistic\fR probability
cascade, PREFIX\-SEP\-\fIhash\fR with the DNAT; persistence as \fB\-m recent\fR affinity; fwmark services
first, as IPVS looks them up first). \fBrcompare translate \-\-to ipvs\fR writes the iptables services as
\fBipvsadm \-R\fR input (\fBwrr\fR, NAT forwarding, shares as the smallest integer weights within 0.1
percentage point). What cannot be written is reported on standard error. Loading a translation and
comparing it with its source reports every service as the same.
.SH COST
\fBrcompare cost\fR prints per service the rules a new connection's first packet is matched against in
iptables, from nat PREROUTING to and including its DNAT rule, for the best, expected (share\-weighted)
and worst backend, and what IPVS does: one hash lookup of the service plus the scheduler (one step for
\fBrr wrr sh dh mh lblc lblcr\fR, a scan of the destinations for \fBlc wlc sed nq fo ovf twos\fR). The totals
average over services, each getting the same number of new connections.
.SH "EXIT STATUS"
As \fBdiff\fR(1): 0 when the two sides are equivalent (and for \fBtranslate\fR and \fBcost\fR on success),
1 when some service differs or is on one side only, 2 on trouble (a bad command line, an unreadable or
malformed input, a kernel that cannot be read). Input errors name the file and the line (or the JSON path).
.SH EXAMPLES
.nf
rcompare
rcompare \-\-ipvs ipvs.rules \-\-iptables iptables.rules \-\-node\-ip 192.168.0.10
rcompare \-\-iptables live \-\-ipvs none cost
rcompare \-\-diff \-\-ipvs ipvs.rules \-\-iptables live
rcompare \-\-json | jq \-r \(aq.services[] | select(.status != "same") | "\\(.vip):\\(.port) \\(.status)"\(aq
rcompare \-\-ipvs live translate \-\-to iptables > nat.rules && rtables\-restore < nat.rules
rcompare \-\-iptables live translate \-\-to ipvs | rvsadm \-R
.fi
.SH "SEE ALSO"
rvsadm(8), rtables(8), ipvsadm(8), iptables\-save(8), iptables\-extensions(8)
"#;

fn roff(s: &str) -> String {
    s.replace('\\', "\\\\").replace('-', "\\-")
}

/// The SUBCOMMANDS section, with each subcommand's options, from the
/// command line definition.
fn subcommands() -> String {
    let mut s = String::from(".SH SUBCOMMANDS\n");
    for c in command().get_subcommands() {
        s.push_str(".TP\n\\fB");
        s.push_str(&roff(c.get_name()));
        s.push_str("\\fR");
        for a in c.get_arguments() {
            let Some(long) = a.get_long() else { continue };
            if long == "help" {
                continue;
            }
            let value = a
                .get_value_names()
                .and_then(|v| v.first())
                .map(|v| format!(" \\fI{}\\fR", roff(v.as_str())))
                .unwrap_or_default();
            let open = if a.is_required_set() { " " } else { " [" };
            let close = if a.is_required_set() { "" } else { "]" };
            s.push_str(&format!("{open}\\fB\\-\\-{}\\fR{value}{close}", roff(long)));
        }
        s.push('\n');
        if let Some(about) = c.get_about() {
            s.push_str(&roff(&about.to_string()));
            s.push('\n');
        }
        for a in c.get_arguments() {
            let Some(long) = a.get_long() else { continue };
            if long == "help" {
                continue;
            }
            s.push_str(".RS\n.TP\n\\fB\\-\\-");
            s.push_str(&roff(long));
            s.push_str("\\fR\n");
            if let Some(h) = a.get_help() {
                s.push_str(&roff(&h.to_string()));
            }
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if !defaults.is_empty() {
                s.push_str(&format!(" [default: {}]", roff(&defaults.join(", "))));
            }
            s.push_str("\n.RE\n");
        }
    }
    s
}

/// The man page, rcompare(1), in roff.
pub fn man_page() -> Vec<u8> {
    let man = clap_mangen::Man::new(command()).section("1");
    let mut out = Vec::new();
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    out.extend_from_slice(subcommands().as_bytes());
    out.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    let _ = man.render_version_section(&mut out);
    out
}

/// Completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "rcompare", &mut out);
    out
}

/// Every generated file: (path relative to the repository, contents).
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    vec![
        ("man/rcompare.1".into(), man_page()),
        ("completions/rcompare.bash".into(), completion(Shell::Bash)),
        ("completions/_rcompare".into(), completion(Shell::Zsh)),
        ("completions/rcompare.fish".into(), completion(Shell::Fish)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn man_page_has_every_option_and_section() {
        let m = String::from_utf8(man_page()).unwrap_or_default();
        for s in [
            "\\-\\-ipvs",
            "\\-\\-iptables",
            "\\-\\-node\\-ip",
            "\\-\\-color",
            "\\-\\-diff",
            "translate",
            "cost",
            "EXIT STATUS",
            "HOW SHARES ARE COMPUTED",
        ] {
            assert!(m.contains(s), "{s}");
        }
    }
}
