use super::*;
use proptest::prelude::*;

fn frame(serialize_type: u8, header: &[u8], body: &[u8]) -> BytesMut {
    let mut b = BytesMut::new();
    b.put_u32((4 + header.len() + body.len()) as u32);
    b.put_u32((u32::from(serialize_type) << 24) | header.len() as u32);
    b.put_slice(header);
    b.put_slice(body);
    b
}

#[test]
fn spec_json_example_decodes() {
    let header = br#"{"code":310,"extFields":{"a":"PG","b":"TopicTest","c":"TBW102","d":"4","e":"1","f":"0","g":"1700000000000","h":"0","i":"UNIQ_KEY\u00017F000001\u0002WAIT\u0001true\u0002","j":"0","k":"false","m":"false","n":"broker-a"},"flag":0,"language":"JAVA","opaque":42,"serializeTypeCurrentRPC":"JSON","version":479}"#;
    let mut buf = frame(0, header, b"hello");
    let cmd = decode_frame(&mut buf, DEFAULT_MAX_FRAME_BYTES).unwrap().unwrap();
    assert!(buf.is_empty());
    assert_eq!((cmd.code, cmd.opaque, cmd.version, cmd.flag), (310, 42, 479, 0));
    assert_eq!(cmd.language, LanguageCode::Java);
    assert_eq!(cmd.ext("b"), Some("TopicTest"));
    assert_eq!(cmd.ext("i"), Some("UNIQ_KEY\u{1}7F000001\u{2}WAIT\u{1}true\u{2}"));
    assert_eq!(cmd.body.as_deref(), Some(&b"hello"[..]));
    assert_eq!(cmd.remark, None);
}

#[test]
fn loose_json_shapes_are_accepted() {
    let header = br#"{"code":"11","extFields":{"queueId":3,"commitOffset":-1,"suspend":true,"nothing":null,"obj":{"x":1}},"language":12,"opaque":7,"unknownKey":[1,2]}"#;
    let mut buf = frame(0, header, b"");
    let cmd = decode_frame(&mut buf, DEFAULT_MAX_FRAME_BYTES).unwrap().unwrap();
    assert_eq!(cmd.code, 11);
    assert_eq!(cmd.language, LanguageCode::Rust);
    assert_eq!(cmd.ext("queueId"), Some("3"));
    assert_eq!(cmd.ext("commitOffset"), Some("-1"));
    assert_eq!(cmd.ext("suspend"), Some("true"));
    assert_eq!(cmd.ext("nothing"), None);
    assert_eq!(cmd.ext("obj"), Some(r#"{"x":1}"#));
    assert_eq!(cmd.body, None, "an empty body decodes as no body");
}

#[test]
fn empty_ext_fields_decode_as_none_in_both_forms() {
    let mut json = frame(0, br#"{"code":1,"extFields":{}}"#, b"");
    assert_eq!(decode_frame(&mut json, DEFAULT_MAX_FRAME_BYTES).unwrap().unwrap().ext_fields, None);
    // One entry with an empty key and value: skipped, leaving nothing.
    let mut header = vec![0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    header.extend_from_slice(&6i32.to_be_bytes());
    header.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut binary = frame(1, &header, b"");
    assert_eq!(decode_frame(&mut binary, DEFAULT_MAX_FRAME_BYTES).unwrap().unwrap().ext_fields, None);
}

#[test]
fn json_encoding_is_javas_layout() {
    let mut cmd = RemotingCommand::request(105);
    cmd.opaque = 9;
    cmd.set_ext("topic", "T");
    let mut buf = BytesMut::new();
    encode_frame(&cmd, &mut buf);
    let header_len = (u32::from_be_bytes(buf[4..8].try_into().unwrap()) & 0xFF_FFFF) as usize;
    let header = std::str::from_utf8(&buf[8..8 + header_len]).unwrap();
    assert_eq!(
        header,
        r#"{"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":9,"serializeTypeCurrentRPC":"JSON","version":479}"#
    );
}

#[test]
fn binary_header_bytes_match_the_spec_table() {
    let mut cmd = RemotingCommand::request(34);
    cmd.serialize_type = SerializeType::RocketMq;
    cmd.opaque = 5;
    cmd.remark = Some("hi".into());
    cmd.set_ext("k", "v");
    let mut buf = BytesMut::new();
    encode_frame(&cmd, &mut buf);
    let expected_header: Vec<u8> = [
        &34i16.to_be_bytes()[..],
        &[0u8],
        &479i16.to_be_bytes(),
        &5i32.to_be_bytes(),
        &0i32.to_be_bytes(),
        &2i32.to_be_bytes(),
        b"hi",
        &(2 + 1 + 4 + 1i32).to_be_bytes(),
        &1i16.to_be_bytes(),
        b"k",
        &1i32.to_be_bytes(),
        b"v",
    ]
    .concat();
    assert_eq!(&buf[8..], &expected_header[..]);
    assert_eq!(buf[4], 1, "type byte is ROCKETMQ");
    let back = decode_frame(&mut buf, DEFAULT_MAX_FRAME_BYTES).unwrap().unwrap();
    assert_eq!(back, cmd);
}

#[test]
fn partial_frames_wait_for_more() {
    let mut cmd = RemotingCommand::request(10).with_body(Bytes::from_static(b"body"));
    cmd.set_ext("a", "1");
    let mut full = BytesMut::new();
    encode_frame(&cmd, &mut full);
    for cut in 0..full.len() {
        let mut part = BytesMut::from(&full[..cut]);
        assert!(decode_frame(&mut part, DEFAULT_MAX_FRAME_BYTES).unwrap().is_none(), "cut {cut}");
    }
}

#[test]
fn bad_frames_are_errors() {
    let mut too_big = BytesMut::from(&(17_000_000u32).to_be_bytes()[..]);
    assert!(matches!(
        decode_frame(&mut too_big, DEFAULT_MAX_FRAME_BYTES),
        Err(CodecError::FrameTooLarge(..))
    ));
    let mut tiny = BytesMut::from(&2u32.to_be_bytes()[..]);
    assert!(matches!(decode_frame(&mut tiny, DEFAULT_MAX_FRAME_BYTES), Err(CodecError::BadLength(2))));
    let mut long_header = BytesMut::new();
    long_header.put_u32(8);
    long_header.put_u32(100);
    long_header.put_u32(0);
    assert!(matches!(
        decode_frame(&mut long_header, DEFAULT_MAX_FRAME_BYTES),
        Err(CodecError::HeaderTooLong { .. })
    ));
    let mut bad_type = frame(7, b"{}", b"");
    assert!(matches!(
        decode_frame(&mut bad_type, DEFAULT_MAX_FRAME_BYTES),
        Err(CodecError::UnknownSerializeType(7))
    ));
    let mut bad_json = frame(0, b"{nope", b"");
    assert!(matches!(decode_frame(&mut bad_json, DEFAULT_MAX_FRAME_BYTES), Err(CodecError::Json(_))));
    let mut short_binary = frame(1, &[0, 10, 0], b"");
    assert!(matches!(decode_frame(&mut short_binary, DEFAULT_MAX_FRAME_BYTES), Err(CodecError::Binary(_))));
}

fn arb_command() -> impl Strategy<Value = RemotingCommand> {
    (
        -1000i32..32767,
        0u8..14,
        any::<i16>(),
        any::<i32>(),
        0i32..4,
        proptest::option::of("[ -~]{1,40}"),
        proptest::option::of(proptest::collection::hash_map(
            "[a-zA-Z_]{1,12}",
            "[ -~\u{1}\u{2}]{1,30}",
            1..6,
        )),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 1..200)),
        any::<bool>(),
    )
        .prop_map(|(code, lang, version, opaque, flag, remark, ext, body, binary)| RemotingCommand {
            code,
            language: LanguageCode::from_code(lang),
            version: i32::from(version),
            opaque,
            flag,
            remark,
            ext_fields: ext,
            body: body.map(Bytes::from),
            serialize_type: if binary { SerializeType::RocketMq } else { SerializeType::Json },
        })
}

proptest! {
    #[test]
    fn frames_round_trip(cmd in arb_command()) {
        let mut buf = BytesMut::new();
        encode_frame(&cmd, &mut buf);
        encode_frame(&cmd, &mut buf);
        let a = decode_frame(&mut buf, DEFAULT_MAX_FRAME_BYTES).unwrap().unwrap();
        let b = decode_frame(&mut buf, DEFAULT_MAX_FRAME_BYTES).unwrap().unwrap();
        prop_assert_eq!(&a, &cmd);
        prop_assert_eq!(&b, &cmd);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut buf = BytesMut::from(&bytes[..]);
        let _ = decode_frame(&mut buf, 1 << 16);
    }
}
