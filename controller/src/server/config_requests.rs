//! UPDATE_CONTROLLER_CONFIG (1009) and GET_CONTROLLER_CONFIG (1010), spec
//! §4.9: the node's own configuration as properties text. Updates are local
//! (not replicated), never touch black-listed keys, and are persisted to
//! `configStorePath` as RocketMQ's `Configuration.update` does.

use std::path::Path;

use booster_conf::Properties;
use booster_remoting::{RemotingCommand, ResponseCode};

use super::service::{ControllerService, system_error};
use crate::Replicator;

impl<R: Replicator> ControllerService<R> {
    /// 1009: black-listed key → NO_PERMISSION; unparsable or invalid →
    /// SYSTEM_ERROR; else applied to this node (the core's
    /// `enableElectUncleanMaster` included) and persisted.
    pub(super) async fn update_config(&self, request: &RemotingCommand) -> RemotingCommand {
        match self.apply_config_update(request.body.as_deref()) {
            Ok(true) => self.persist_config().await,
            Ok(false) => {}
            Err(Refused::BlackListed(key)) => {
                return RemotingCommand::response_to(request, ResponseCode::NoPermission.code())
                    .with_remark(format!("Can not update config in black list: {key}"));
            }
            Err(Refused::Invalid(why)) => return system_error(request, why),
        }
        RemotingCommand::response_to(request, ResponseCode::Success.code())
    }

    /// Whether an update was applied (a request without a body has none).
    fn apply_config_update(&self, body: Option<&[u8]>) -> Result<bool, Refused> {
        let Some(body) = body else { return Ok(false) };
        let update = Properties::parse_bytes(body, "UPDATE_CONTROLLER_CONFIG")
            .map_err(|e| Refused::Invalid(e.to_string()))?;
        let mut config = self.config.write();
        if let Some(key) = update.iter().map(|e| e.key.as_str()).find(|k| config.is_black_listed(k)) {
            return Err(Refused::BlackListed(key.to_owned()));
        }
        let next = config.updated(&update).map_err(|e| Refused::Invalid(e.to_string()))?;
        self.controller().lock().config.enable_elect_unclean_master = next.enable_elect_unclean_master;
        *config = next;
        Ok(true)
    }

    /// Every setting to `configStorePath`, replacing the file atomically.
    /// Writes are serialized and each takes the config as it is then, so
    /// the file ends with the latest. A failure is logged, not answered: in
    /// RocketMQ too the update stands when the file cannot be written.
    async fn persist_config(&self) {
        let _turn = self.persist_turn.lock().await;
        let (path, text) = {
            let config = self.config.read();
            (config.config_store_path.clone(), config.to_properties_text())
        };
        let written = tokio::task::spawn_blocking({
            let path = path.clone();
            move || write_config_file(&path, &text)
        })
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        if let Err(e) = written {
            tracing::warn!(path = %path.display(), error = %e, "cannot persist the controller config");
        }
    }

    /// 1010: every setting as `key=value` lines.
    pub(super) fn get_config(&self, request: &RemotingCommand) -> RemotingCommand {
        RemotingCommand::response_to(request, ResponseCode::Success.code())
            .with_body(self.config.read().to_properties_text().into_bytes())
    }
}

/// Why an update was not applied.
enum Refused {
    /// NO_PERMISSION, naming the key.
    BlackListed(String),
    /// SYSTEM_ERROR with this text.
    Invalid(String),
}

fn write_config_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::fs::write_atomically(path, text.as_bytes())
}
