//! The registration state machine (spec/controller.md §11.2):
//! `INITIAL → CREATE_TEMP_METADATA_FILE_DONE → CREATE_METADATA_FILE_DONE →
//! REGISTERED`. Pure: the shell performs each [`RegisterStep`], writes the
//! files, and reports back.
//!
//! One departure (P-C11): a failed APPLY_BROKER_ID that is not a definite
//! refusal (timeout, lost connection, not leader) keeps the temp file and
//! is retried with the same check code — the controller treats that as an
//! idempotent retry — up to [`APPLY_ATTEMPTS`] times before the temp file
//! is discarded. Java discards at once and may leak an assigned id.

use crate::identity::{BrokerIdentity, TempIdentity, check_code};

/// Apply attempts with one check code before starting over.
pub const APPLY_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterState {
    Initial,
    /// The temp file holds `temp`; `failed_applies` attempts failed so far.
    TempCreated {
        temp: TempIdentity,
        failed_applies: u32,
    },
    /// The identity file holds the id.
    MetadataCreated {
        broker_id: i64,
    },
    Registered {
        broker_id: i64,
    },
}

/// What the shell does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterStep {
    GetNextBrokerId,
    ApplyBrokerId { broker_id: i64, register_check_code: String },
    RegisterBroker { broker_id: i64 },
    Done { broker_id: i64 },
}

/// After a failed apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyFailure {
    /// Keep the temp file; try the same id and code again.
    Retry,
    /// Delete the temp file; start over with a new id.
    Discard,
}

impl RegisterState {
    /// §11.2 step 1: the state the files on disk describe. The identity
    /// file wins over a leftover temp file.
    pub fn from_files(identity: Option<&BrokerIdentity>, temp: Option<TempIdentity>) -> Self {
        match (identity, temp) {
            (Some(id), _) => Self::MetadataCreated { broker_id: id.broker_id },
            (None, Some(temp)) => Self::TempCreated { temp, failed_applies: 0 },
            (None, None) => Self::Initial,
        }
    }

    pub fn next_step(&self) -> RegisterStep {
        match self {
            Self::Initial => RegisterStep::GetNextBrokerId,
            Self::TempCreated { temp, .. } => RegisterStep::ApplyBrokerId {
                broker_id: temp.identity.broker_id,
                register_check_code: temp.register_check_code.clone(),
            },
            Self::MetadataCreated { broker_id } => RegisterStep::RegisterBroker { broker_id: *broker_id },
            Self::Registered { broker_id } => RegisterStep::Done { broker_id: *broker_id },
        }
    }

    /// The controller id, once applied.
    pub fn broker_id(&self) -> Option<i64> {
        match self {
            Self::MetadataCreated { broker_id } | Self::Registered { broker_id } => Some(*broker_id),
            _ => None,
        }
    }

    /// GET_NEXT_BROKER_ID answered `next_id`: the temp file to write. Once it
    /// is written, call [`RegisterState::temp_written`].
    pub fn temp_for(cluster: &str, name: &str, next_id: i64, broker_addr: &str, now_ms: i64) -> TempIdentity {
        TempIdentity {
            identity: BrokerIdentity {
                cluster_name: cluster.to_owned(),
                broker_name: name.to_owned(),
                broker_id: next_id,
            },
            register_check_code: check_code(broker_addr, now_ms),
        }
    }

    pub fn temp_written(&mut self, temp: TempIdentity) {
        *self = Self::TempCreated { temp, failed_applies: 0 };
    }

    /// APPLY_BROKER_ID failed; `definite` = the controller refused the id
    /// (2014), as opposed to a timeout or a lost or non-leader controller.
    pub fn apply_failed(&mut self, definite: bool) -> ApplyFailure {
        let Self::TempCreated { failed_applies, .. } = self else { return ApplyFailure::Discard };
        *failed_applies += 1;
        if definite || *failed_applies >= APPLY_ATTEMPTS {
            *self = Self::Initial;
            ApplyFailure::Discard
        } else {
            ApplyFailure::Retry
        }
    }

    /// The identity file now holds the applied id (the shell wrote it after
    /// APPLY_BROKER_ID succeeded; if writing failed it stays in
    /// `TempCreated` and applies again — same code, idempotent).
    pub fn identity_written(&mut self, broker_id: i64) {
        *self = Self::MetadataCreated { broker_id };
    }

    pub fn registered(&mut self) {
        if let Self::MetadataCreated { broker_id } = *self {
            *self = Self::Registered { broker_id };
        }
    }

    /// §11.6: the controller lost this broker set (2008): register again.
    pub fn unregistered(&mut self) {
        if let Self::Registered { broker_id } = *self {
            *self = Self::MetadataCreated { broker_id };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(id: i64) -> BrokerIdentity {
        BrokerIdentity { cluster_name: "c".into(), broker_name: "b".into(), broker_id: id }
    }

    #[test]
    fn disk_decides_the_starting_state() {
        let temp = RegisterState::temp_for("c", "b", 2, "h:1", 9);
        assert_eq!(RegisterState::from_files(None, None), RegisterState::Initial);
        assert_eq!(
            RegisterState::from_files(Some(&identity(5)), Some(temp.clone())),
            RegisterState::MetadataCreated { broker_id: 5 }
        );
        let s = RegisterState::from_files(None, Some(temp));
        assert_eq!(
            s.next_step(),
            RegisterStep::ApplyBrokerId { broker_id: 2, register_check_code: "h:1;9".into() }
        );
    }

    #[test]
    fn the_happy_path_visits_every_state() {
        let mut s = RegisterState::Initial;
        assert_eq!(s.next_step(), RegisterStep::GetNextBrokerId);
        let temp = RegisterState::temp_for("c", "b", 1, "10.0.0.1:10911", 1_700);
        assert_eq!(temp.format(), "c#b#1#10.0.0.1:10911;1700");
        s.temp_written(temp);
        assert!(matches!(s.next_step(), RegisterStep::ApplyBrokerId { broker_id: 1, .. }));
        assert_eq!(s.broker_id(), None);
        s.identity_written(1);
        assert_eq!(s.next_step(), RegisterStep::RegisterBroker { broker_id: 1 });
        s.registered();
        assert_eq!(s.next_step(), RegisterStep::Done { broker_id: 1 });
        s.unregistered();
        assert_eq!(s.next_step(), RegisterStep::RegisterBroker { broker_id: 1 });
    }

    #[test]
    fn unclear_apply_failures_retry_the_same_code_then_start_over() {
        let mut s = RegisterState::Initial;
        s.temp_written(RegisterState::temp_for("c", "b", 3, "h:1", 1));
        let step = s.next_step();
        for _ in 1..APPLY_ATTEMPTS {
            assert_eq!(s.apply_failed(false), ApplyFailure::Retry);
            assert_eq!(s.next_step(), step, "same id and check code");
        }
        assert_eq!(s.apply_failed(false), ApplyFailure::Discard);
        assert_eq!(s, RegisterState::Initial);
    }

    #[test]
    fn a_refused_id_is_discarded_at_once() {
        let mut s = RegisterState::Initial;
        s.temp_written(RegisterState::temp_for("c", "b", 3, "h:1", 1));
        assert_eq!(s.apply_failed(true), ApplyFailure::Discard);
        assert_eq!(s.next_step(), RegisterStep::GetNextBrokerId);
    }

    #[test]
    fn registered_only_follows_an_identity() {
        let mut s = RegisterState::Initial;
        s.registered();
        s.unregistered();
        assert_eq!(s, RegisterState::Initial);
    }
}
