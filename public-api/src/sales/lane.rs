//! A lane: a task that records the sale requests queued for its stores, a batch at a time, on a
//! bounded channel (a request finding it full waits for room). It ends once every sender is
//! dropped and the queue is empty.

use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::{LANE_CAPACITY, MAX_BATCH, SaleReply, SaleRequest, Writer, batch};

/// A request waiting in a lane, and where its reply goes.
pub(super) struct Queued {
    pub(super) request: SaleRequest,
    pub(super) reply: oneshot::Sender<SaleReply>,
}

/// Starts a lane on `runtime`: its sender, and the task, which ends when the senders are gone.
pub(super) fn spawn(runtime: &Handle, writer: Writer) -> (mpsc::Sender<Queued>, JoinHandle<()>) {
    let (sender, receiver) = mpsc::channel(LANE_CAPACITY);
    (sender, runtime.spawn(run(receiver, writer)))
}

async fn run(mut receiver: mpsc::Receiver<Queued>, writer: Writer) {
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    // whatever queued while the previous batch was written, up to a batch
    while receiver.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        let batch = std::mem::take(&mut waiting);
        // in its own task, so that a panic loses this batch's answers, not the lane
        if let Err(e) = tokio::spawn(answer(writer.clone(), batch)).await {
            tracing::error!(error = %e, "a batch of sales panicked; its requests got no answer");
        }
    }
}

/// Records a batch and answers each of its requests.
async fn answer(writer: Writer, batch: Vec<Queued>) {
    let (requests, replies): (Vec<_>, Vec<_>) =
        batch.into_iter().map(|q| (q.request, q.reply)).unzip();
    let answers = batch::record(&writer, &requests).await;
    for (reply, answer) in replies.into_iter().zip(answers) {
        // the caller may have gone (client disconnected): its sale stands, its retry replays
        let _ = reply.send(answer);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::cache::Cache;

    fn writer() -> Writer {
        Writer {
            // never connected: these lanes record nothing
            pool: domain::db::connect_lazy("postgres://127.0.0.1:1/none", 1, 0)
                .expect("a lazy pool"),
            rules: domain::Rules::default(),
            cache: Cache::disabled(),
        }
    }

    #[tokio::test]
    async fn a_lane_ends_when_its_senders_are_dropped() {
        let (sender, task) = spawn(&Handle::current(), writer());
        let clone = sender.clone();
        drop(sender);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!task.is_finished(), "a sender is left");
        drop(clone);
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the lane ended")
            .expect("without panicking");
    }

    #[tokio::test]
    async fn a_lane_holds_a_bounded_queue() {
        let (sender, _task) = spawn(&Handle::current(), writer());
        assert_eq!(sender.max_capacity(), LANE_CAPACITY);
    }
}
