//! Shared by the integration tests of `domain`, `server` and `public-api`.
