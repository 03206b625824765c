//! The TCP chaos proxy on real loopback sockets: each toxic measured, the proxy's controls, and
//! Toxiproxy's HTTP API exercised with the requests its documentation and tests make.

mod api;
mod control;
mod support;
mod toxics;
