//! A POP3 load generator on the sans-IO client of `pop3-proto`, and the
//! tools of `bench/compare.sh` and `bench/scaling.sh`: test mail,
//! certificates, process-tree CPU and memory readings, the side-by-side
//! and fleet tables and the plot.
//!
//! The `pop3-bench` binary is the way in; the modules are public so the
//! pieces can be reused and tested on their own.

pub mod bigbox;
pub mod certs;
pub mod cli;
pub mod conn;
pub mod idle;
pub mod limits;
pub mod loopback;
pub mod plot;
pub mod populate;
pub mod procfs;
pub mod report;
pub mod results;
pub mod run;
pub mod scaling;
pub mod scenario;
pub mod stats;
pub mod target;
