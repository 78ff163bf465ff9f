//! A scripted server for the controller commands: a real `RemotingServer`
//! on port 0 that records every request and answers each code from a
//! script (spec/controller.md §4/§5). A test double only: it checks what
//! mqadmin sends and feeds it the answers a controller (or a name server,
//! or a broker) would give.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use booster_remoting::{
    BoxFuture, Connection, ExtFields, RemotingCodec, RemotingCommand, RemotingServer, Router,
};

/// What the server answers to one request code.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub code: i32,
    pub remark: Option<String>,
    pub fields: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl Answer {
    pub fn ok() -> Self {
        Answer::default()
    }

    pub fn error(code: i32, remark: &str) -> Self {
        Answer { code, remark: Some(remark.to_owned()), ..Answer::default() }
    }

    pub fn field(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((key, value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }
}

#[derive(Default)]
struct Script {
    answers: Mutex<HashMap<i32, Answer>>,
    seen: Mutex<Vec<RemotingCommand>>,
}

impl Router for Script {
    fn route(&self, _conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        self.seen.lock().unwrap().push(request.clone());
        let answer = self.answers.lock().unwrap().get(&request.code).cloned();
        let resp = match answer {
            None => RemotingCommand::response_to(&request, 3).with_remark("not scripted"),
            Some(a) => {
                let fields: ExtFields = a.fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
                let mut resp = RemotingCommand::response_to(&request, a.code).with_ext(fields);
                if let Some(r) = a.remark {
                    resp = resp.with_remark(r);
                }
                if let Some(b) = a.body {
                    resp = resp.with_body(b.into_bytes());
                }
                resp
            }
        };
        Box::pin(async move { Some(resp) })
    }
}

/// A running scripted server.
pub struct Fake {
    script: Arc<Script>,
    server: RemotingServer,
}

impl Fake {
    pub async fn start() -> Fake {
        let script = Arc::new(Script::default());
        let router: Arc<dyn Router> = script.clone();
        let server = RemotingServer::bind("127.0.0.1:0".parse().unwrap(), RemotingCodec::default(), router)
            .await
            .unwrap();
        Fake { script, server }
    }

    pub fn addr(&self) -> String {
        self.server.local_addr().to_string()
    }

    pub fn answer(&self, code: i32, answer: Answer) {
        self.script.answers.lock().unwrap().insert(code, answer);
    }

    /// The requests received with `code`, in order.
    pub fn seen(&self, code: i32) -> Vec<RemotingCommand> {
        self.script.seen.lock().unwrap().iter().filter(|r| r.code == code).cloned().collect()
    }

    /// Every request code received, in order.
    pub fn codes(&self) -> Vec<i32> {
        self.script.seen.lock().unwrap().iter().map(|r| r.code).collect()
    }

    /// The metadata answer of a controller whose leader is `leader`.
    pub fn answer_metadata(&self, leader: &str) {
        self.answer(
            1005,
            Answer::ok()
                .field("group", "group1")
                .field("controllerLeaderId", "n1")
                .field("controllerLeaderAddress", leader)
                .field("isLeader", (leader == self.addr()).to_string())
                .field("peers", format!("n0:{};n1:{leader};", self.addr())),
        );
    }
}

/// A header field of a received request.
pub fn field<'a>(cmd: &'a RemotingCommand, key: &str) -> Option<&'a str> {
    cmd.ext_fields.as_ref().and_then(|f| f.get(key)).map(String::as_str)
}

pub fn body(cmd: &RemotingCommand) -> String {
    String::from_utf8_lossy(cmd.body.as_deref().unwrap_or_default()).into_owned()
}
