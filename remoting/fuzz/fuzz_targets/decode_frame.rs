//! Any byte stream fed to the frame decoder yields frames or an error, never
//! a panic; every decoded frame re-encodes and decodes to itself.
#![no_main]

use booster_remoting::codec::{decode_frame, encode_frame};
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut buf = BytesMut::from(data);
    while let Ok(Some(cmd)) = decode_frame(&mut buf, 1 << 20) {
        let mut again = BytesMut::new();
        encode_frame(&cmd, &mut again);
        let back = decode_frame(&mut again, usize::MAX).expect("re-encoded frame decodes").expect("whole frame");
        assert_eq!(back, cmd);
    }
});
