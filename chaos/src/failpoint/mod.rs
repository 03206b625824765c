//! Failpoints: named places in the code under test where a test injects a fault. The design,
//! and the recipe for crates that may depend on `chaos` only in tests, are in the docs of
//! [`Failpoints`].

#[cfg(feature = "failpoints")]
mod error;
#[cfg(feature = "failpoints")]
mod fail;
#[cfg(feature = "failpoints")]
mod registry;

#[cfg(feature = "failpoints")]
pub use error::FailpointError;
#[cfg(feature = "failpoints")]
pub use fail::Fail;
#[cfg(feature = "failpoints")]
pub use registry::{FAILPOINTS_MAX, FailpointHandle, Failpoints};

/// Marks a failpoint in async code under test; expands to nothing without `chaos`'s
/// `failpoints` feature.
///
/// - `fail_point!(failpoints, "name")` runs the failpoint's action if it fires: sleep, pause or
///   panic. A site without an error to return panics if set to [`Fail::error`], naming the
///   failpoint.
/// - `fail_point!(failpoints, "name", |message| expr)` also handles [`Fail::error`]: it returns
///   `expr`, built from the configured message, from the enclosing function.
///
/// `failpoints` is a [`Failpoints`] (or a reference to one); the macro `.await`s, so it must be
/// used in an async function or block.
#[cfg(feature = "failpoints")]
#[macro_export]
macro_rules! fail_point {
    ($failpoints:expr, $name:expr $(,)?) => {
        $crate::Failpoints::pass(&$failpoints, $name).await
    };
    ($failpoints:expr, $name:expr, $on_error:expr $(,)?) => {
        if let ::core::option::Option::Some(message) =
            $crate::Failpoints::hit(&$failpoints, $name).await
        {
            return ($on_error)(message);
        }
    };
}

/// Marks a failpoint in async code under test. `chaos` was compiled without its `failpoints`
/// feature, so this expands to nothing: the arguments are not even evaluated.
#[cfg(not(feature = "failpoints"))]
#[macro_export]
macro_rules! fail_point {
    ($($arguments:tt)*) => {};
}
