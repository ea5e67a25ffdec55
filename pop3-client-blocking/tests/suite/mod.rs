//! The interop suite: each function runs against any [`TestServer`].
//!
//! [`TestServer`]: crate::common::TestServer

pub mod cli;
pub mod library;

pub use cli::*;
pub use library::*;
