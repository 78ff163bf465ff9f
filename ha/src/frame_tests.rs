use super::*;
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

// ---- §3.6 worked bytes ----

#[test]
fn spec_slave_handshake_bytes() {
    let bytes = hex("00000001 0000 0000 0000000000000002");
    let frame = SlaveFrame::Handshake(SlaveHandshake {
        sync_from_last_file: false,
        async_learner: false,
        slave_id: 2,
    });
    assert_eq!(&frame.to_bytes()[..], &bytes[..]);
    assert_eq!(SlaveFrame::decode(&bytes).unwrap(), Some((frame, 16)));
}

#[test]
fn spec_handshake_response_bytes() {
    let bytes = hex(
        "00000001 00000018 0000000000002000 00000002 | 00000001 0000000000000000 | 00000002 0000000000001000",
    );
    let resp = HandshakeResponse {
        master_max_offset: 0x2000,
        last_epoch: 2,
        entries: vec![WireEpoch { epoch: 1, start_offset: 0 }, WireEpoch { epoch: 2, start_offset: 0x1000 }],
    };
    let mut out = BytesMut::new();
    resp.encode(&mut out);
    assert_eq!(&out[..], &bytes[..]);
    assert_eq!(
        MasterFrame::decode(&bytes, MAX_TRANSFER_BODY).unwrap(),
        Some((MasterFrame::Handshake(resp), 44))
    );
}

#[test]
fn spec_ack_bytes() {
    let bytes = hex("00000002 0000000000001800");
    let frame = SlaveFrame::Ack { max_offset: 0x1800 };
    assert_eq!(&frame.to_bytes()[..], &bytes[..]);
    assert_eq!(SlaveFrame::decode(&bytes).unwrap(), Some((frame, 12)));
}

#[test]
fn transfer_header_layout() {
    let h = TransferHeader { offset: 0x1000, epoch: 3, epoch_start_offset: 0x800, confirm_offset: 0x0f00 };
    let frame = MasterFrame::Transfer { header: h, body: Bytes::from_static(b"abc") };
    let mut out = BytesMut::new();
    frame.encode(&mut out);
    let expect = hex("00000002 00000003 0000000000001000 00000003 0000000000000800 0000000000000f00 616263");
    assert_eq!(&out[..], &expect[..]);
    assert_eq!(MasterFrame::decode(&out, MAX_TRANSFER_BODY).unwrap(), Some((frame, 39)));
}

// ---- parsing rules (§3.5) ----

#[test]
fn slave_handshake_needs_all_16_bytes() {
    // P-H1: the reference parses after checking only 12 bytes.
    let bytes =
        SlaveFrame::Handshake(SlaveHandshake { sync_from_last_file: true, async_learner: true, slave_id: 9 })
            .to_bytes();
    for cut in 0..16 {
        assert_eq!(SlaveFrame::decode(&bytes[..cut]).unwrap(), None, "cut at {cut}");
    }
    let (frame, _) = SlaveFrame::decode(&bytes).unwrap().unwrap();
    assert_eq!(
        frame,
        SlaveFrame::Handshake(SlaveHandshake { sync_from_last_file: true, async_learner: true, slave_id: 9 })
    );
}

#[test]
fn flags_are_set_only_when_exactly_one() {
    let bytes = hex("00000001 0002 ffff 0000000000000005");
    let (frame, _) = SlaveFrame::decode(&bytes).unwrap().unwrap();
    assert_eq!(
        frame,
        SlaveFrame::Handshake(SlaveHandshake {
            sync_from_last_file: false,
            async_learner: false,
            slave_id: 5
        })
    );
}

#[test]
fn slave_states_other_than_handshake_and_transfer_are_errors() {
    for (ordinal, err) in [
        (0, FrameError::UnexpectedState(HaState::Ready, Sender::Slave)),
        (3, FrameError::UnexpectedState(HaState::Suspend, Sender::Slave)),
        (4, FrameError::UnexpectedState(HaState::Shutdown, Sender::Slave)),
        (5, FrameError::UnknownState(5, Sender::Slave)),
        (-1, FrameError::UnknownState(-1, Sender::Slave)),
    ] {
        let mut b = BytesMut::new();
        b.put_i32(ordinal);
        b.put_i64(0);
        assert_eq!(SlaveFrame::decode(&b), Err(err));
    }
}

#[test]
fn master_frame_errors() {
    let frame = |state: i32, size: i32| {
        let mut b = BytesMut::new();
        b.put_i32(state);
        b.put_i32(size);
        b.put_bytes(0, 40);
        b
    };
    assert_eq!(MasterFrame::check(&frame(2, -1), 100), Err(FrameError::NegativeBodySize(-1)));
    assert_eq!(
        MasterFrame::check(&frame(2, 101), 100),
        Err(FrameError::BodyTooLarge { size: 101, limit: 100 })
    );
    assert_eq!(MasterFrame::check(&frame(1, 13), 100), Err(FrameError::RaggedEpochEntries(13)));
    assert_eq!(
        MasterFrame::check(&frame(0, 0), 100),
        Err(FrameError::UnexpectedState(HaState::Ready, Sender::Master))
    );
    assert_eq!(MasterFrame::check(&frame(7, 0), 100), Err(FrameError::UnknownState(7, Sender::Master)));
    // A handshake response may be far larger than a transfer batch.
    assert_eq!(MasterFrame::check(&frame(1, 12 * 2000), 100), Ok(None));
    assert_eq!(MasterFrame::check(&frame(2, 100), 100), Ok(None));
    assert_eq!(MasterFrame::check(&frame(2, 4), 100), Ok(Some(40)));
}

#[test]
fn handshake_response_with_many_entries() {
    // P-H10: more than the reference's 1000-entry buffer.
    let entries: Vec<_> =
        (0..5000).map(|i| WireEpoch { epoch: i + 1, start_offset: i64::from(i) * 100 }).collect();
    let resp = HandshakeResponse { master_max_offset: 500_000, last_epoch: 5000, entries };
    let mut buf = BytesMut::new();
    resp.encode(&mut buf);
    assert_eq!(buf.len(), 20 + 5000 * 12);
    assert_eq!(MasterFrame::check(&buf[..buf.len() - 1], 0), Ok(None));
    let back = MasterFrame::decode_from(&mut buf, 0).unwrap().unwrap();
    assert_eq!(back, MasterFrame::Handshake(resp));
    assert!(buf.is_empty());
}

#[test]
fn decode_from_consumes_exactly_one_frame() {
    let mut buf = BytesMut::new();
    SlaveFrame::Ack { max_offset: 1 }.encode(&mut buf);
    SlaveFrame::Ack { max_offset: 2 }.encode(&mut buf);
    buf.put_u8(0);
    assert_eq!(SlaveFrame::decode_from(&mut buf).unwrap(), Some(SlaveFrame::Ack { max_offset: 1 }));
    assert_eq!(SlaveFrame::decode_from(&mut buf).unwrap(), Some(SlaveFrame::Ack { max_offset: 2 }));
    assert_eq!(SlaveFrame::decode_from(&mut buf).unwrap(), None);
    assert_eq!(buf.len(), 1);
}

// ---- properties ----

fn arb_slave_frame() -> impl Strategy<Value = SlaveFrame> {
    prop_oneof![
        (any::<bool>(), any::<bool>(), any::<i64>()).prop_map(|(s, a, id)| SlaveFrame::Handshake(
            SlaveHandshake { sync_from_last_file: s, async_learner: a, slave_id: id }
        )),
        any::<i64>().prop_map(|o| SlaveFrame::Ack { max_offset: o }),
    ]
}

fn arb_master_frame() -> impl Strategy<Value = MasterFrame> {
    prop_oneof![
        (any::<i64>(), any::<i32>(), prop::collection::vec((any::<i32>(), any::<i64>()), 0..40)).prop_map(
            |(max, last, entries)| MasterFrame::Handshake(HandshakeResponse {
                master_max_offset: max,
                last_epoch: last,
                entries: entries
                    .into_iter()
                    .map(|(epoch, start_offset)| WireEpoch { epoch, start_offset })
                    .collect(),
            })
        ),
        (any::<i64>(), any::<i32>(), any::<i64>(), any::<i64>(), prop::collection::vec(any::<u8>(), 0..300))
            .prop_map(|(offset, epoch, start, confirm, body)| MasterFrame::Transfer {
                header: TransferHeader { offset, epoch, epoch_start_offset: start, confirm_offset: confirm },
                body: Bytes::from(body),
            }),
    ]
}

proptest! {
    #[test]
    fn slave_frames_round_trip(frames in prop::collection::vec(arb_slave_frame(), 1..10)) {
        let mut buf = BytesMut::new();
        for f in &frames {
            f.encode(&mut buf);
        }
        for f in &frames {
            prop_assert_eq!(SlaveFrame::decode_from(&mut buf).unwrap(), Some(*f));
        }
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn master_frames_round_trip(frames in prop::collection::vec(arb_master_frame(), 1..6)) {
        let mut buf = BytesMut::new();
        for f in &frames {
            f.encode(&mut buf);
        }
        for f in &frames {
            let back = MasterFrame::decode_from(&mut buf, 300).unwrap();
            prop_assert_eq!(back.as_ref(), Some(f));
        }
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn every_proper_prefix_is_incomplete(frame in arb_master_frame(), sframe in arb_slave_frame()) {
        let mut buf = BytesMut::new();
        frame.encode(&mut buf);
        for cut in 0..buf.len() {
            prop_assert_eq!(MasterFrame::check(&buf[..cut], 300), Ok(None));
        }
        let bytes = sframe.to_bytes();
        for cut in 0..bytes.len() {
            prop_assert_eq!(SlaveFrame::decode(&bytes[..cut]), Ok(None));
        }
    }

    #[test]
    fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = SlaveFrame::decode(&bytes);
        let _ = MasterFrame::decode(&bytes, 64);
        let mut buf = BytesMut::from(&bytes[..]);
        while let Ok(Some(_)) = SlaveFrame::decode_from(&mut buf) {}
        let mut buf = BytesMut::from(&bytes[..]);
        while let Ok(Some(_)) = MasterFrame::decode_from(&mut buf, 64) {}
    }
}
