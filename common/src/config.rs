//! Defaults shared by the binaries' configuration.

/// The local development database `make run` creates when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/multimagasin";

/// This instance's name in logs and `X-Instance-Id`: `INSTANCE_ID`, else the host name.
pub fn instance_id(configured: Option<&str>) -> String {
    if let Some(id) = configured.map(str::trim).filter(|s| !s.is_empty()) {
        return id.to_owned();
    }
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "local".to_owned())
}
