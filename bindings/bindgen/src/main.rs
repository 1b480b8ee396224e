//! `uniffi-bindgen`, pinned to the uniffi version qrveil-ffi is built with (bindings made by
//! another version do not load). Run through `bindings/generate.sh`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
