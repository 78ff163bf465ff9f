//! UPDATE_CONTROLLER_CONFIG (1009) and GET_CONTROLLER_CONFIG (1010), spec
//! §4.9: the node's own configuration as properties text. Updates are local
//! (not replicated) and never touch black-listed keys.

use booster_conf::Properties;
use booster_remoting::{RemotingCommand, ResponseCode};

use super::service::{ControllerService, system_error};
use crate::Replicator;

impl<R: Replicator> ControllerService<R> {
    /// 1009: black-listed key → NO_PERMISSION; unparsable or invalid →
    /// SYSTEM_ERROR; else applied to this node (the core's
    /// `enableElectUncleanMaster` included).
    pub(super) fn update_config(&self, request: &RemotingCommand) -> RemotingCommand {
        let Some(body) = request.body.as_deref() else {
            return RemotingCommand::response_to(request, ResponseCode::Success.code());
        };
        let update = match Properties::parse_bytes(body, "UPDATE_CONTROLLER_CONFIG") {
            Ok(props) => props,
            Err(e) => return system_error(request, e),
        };
        let mut config = self.config.write();
        if let Some(key) = update.iter().map(|e| e.key.as_str()).find(|k| config.is_black_listed(k)) {
            return RemotingCommand::response_to(request, ResponseCode::NoPermission.code())
                .with_remark(format!("Can not update config in black list: {key}"));
        }
        match config.updated(&update) {
            Ok(next) => {
                self.controller().lock().config.enable_elect_unclean_master =
                    next.enable_elect_unclean_master;
                *config = next;
                RemotingCommand::response_to(request, ResponseCode::Success.code())
            }
            Err(e) => system_error(request, e),
        }
    }

    /// 1010: every setting as `key=value` lines.
    pub(super) fn get_config(&self, request: &RemotingCommand) -> RemotingCommand {
        RemotingCommand::response_to(request, ResponseCode::Success.code())
            .with_body(self.config.read().to_properties_text().into_bytes())
    }
}
