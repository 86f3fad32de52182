//! Stored files (ticket attachments): one object store, opened once at start-up and held in
//! the app state. Local disk under `PORTICO_DATA_DIR/files` by default; the rest of Portico
//! only sees keys and bytes, so an S3-compatible store can take its place later.

use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use futures_util::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("no stored file at {0}")]
    Missing(String),
    #[error("file store: {0}")]
    Store(#[from] object_store::Error),
}

/// A file being read back: its length and its bytes as they come off the store.
pub struct Reading {
    pub size: u64,
    pub stream: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

#[derive(Clone, Debug)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
}

impl Files {
    /// The directory `data_dir/files`, made if missing.
    pub fn local(data_dir: &Path) -> Result<Files, String> {
        let root = data_dir.join("files");
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        let store = LocalFileSystem::new_with_prefix(&root)
            .map_err(|e| format!("{}: {e}", root.display()))?
            .with_fsync(true)
            .with_automatic_cleanup(true);
        Ok(Files { store: Arc::new(store) })
    }

    /// Writes a whole file at once; readers never see part of it.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), FileError> {
        self.store.put(&Key::from(key), PutPayload::from(bytes)).await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Reading, FileError> {
        match self.store.get(&Key::from(key)).await {
            Ok(r) => Ok(Reading { size: r.meta.size, stream: r.into_stream() }),
            Err(object_store::Error::NotFound { .. }) => Err(FileError::Missing(key.to_string())),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a file; one already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), FileError> {
        match self.store.delete(&Key::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
