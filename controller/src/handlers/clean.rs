//! CLEAN_BROKER_DATA (1011, spec §4.10): an admin removes a whole broker set
//! or some of its ids. Living brokers are protected unless the admin insists
//! (`isCleanLivingBroker`), because removing a live replica's id would let
//! the next applicant take it over.

use std::collections::BTreeSet;

use super::HandlerResult;
use crate::controller::Controller;
use crate::error::ControllerError;
use crate::event::Event;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanBrokerDataRequest {
    pub cluster_name: Option<String>,
    pub broker_name: String,
    /// Ids separated by `;`; `None`/blank means the whole set.
    pub broker_controller_ids_to_clean: Option<String>,
    pub is_clean_living_broker: bool,
}

impl Controller {
    /// 1011: rejections are CONTROLLER_INVALID_CLEAN_BROKER_METADATA (2009).
    pub fn handle_clean_broker_data(&self, req: &CleanBrokerDataRequest, now_ms: i64) -> HandlerResult<()> {
        let invalid = |why: String| ControllerError::InvalidCleanBrokerMetadata(why);
        let set = self.state.get(&req.broker_name);
        let raw = req.broker_controller_ids_to_clean.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let ids: Option<BTreeSet<i64>> = match raw {
            None => None,
            Some(raw) => Some(
                raw.split(';')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| {
                        s.trim()
                            .parse::<i64>()
                            .map_err(|_| invalid(format!("broker id {s:?} is not a number")))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        if !req.is_clean_living_broker {
            match (&ids, set) {
                (None, Some(set)) if set.sync.master_broker_id.is_some() => {
                    return Err(invalid(format!("broker set {} still has a master", req.broker_name)));
                }
                (Some(ids), _) => {
                    let cluster = set
                        .map(|s| s.replicas.cluster_name.clone())
                        .or_else(|| req.cluster_name.clone())
                        .unwrap_or_default();
                    if let Some(id) =
                        ids.iter().find(|&&id| self.liveness.is_alive(&cluster, &req.broker_name, id, now_ms))
                    {
                        return Err(invalid(format!("broker {id} of {} is still alive", req.broker_name)));
                    }
                }
                _ => {}
            }
        }
        if set.is_none() {
            return Err(invalid(format!("broker set {} is unknown", req.broker_name)));
        }
        let event =
            Event::CleanBrokerData { broker_name: req.broker_name.clone(), broker_id_set_to_clean: ids };
        Ok(((), vec![event]))
    }
}
