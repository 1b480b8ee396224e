//! Key containers. The first byte picks the reader: even, the server key bundle as the
//! function reads it from `keys/<id>/server-key` (anyone with a presigned URL writes it); odd,
//! the client key as an app hands it back to the SDK (`Keys::from_bytes`, from its keychain).
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_protocol::ServerKeyBundle;

fuzz_target!(|data: &[u8]| {
    let Some((which, bytes)) = data.split_first() else { return };
    if which % 2 == 0 {
        let _ = ServerKeyBundle::from_bytes(bytes);
    } else if let Ok(keys) = qrveil_sdk::Keys::from_bytes(bytes, None) {
        // A client key that read back writes out to the same bytes' meaning.
        let again = keys.client_key_bytes().expect("a read key serialises");
        assert!(qrveil_sdk::Keys::from_bytes(&again, None).is_ok());
    }
});
