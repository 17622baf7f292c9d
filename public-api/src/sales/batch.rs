//! The one way sale requests are recorded, one or many: [`record`]. Each attempt is one
//! transaction that claims the keys, records the carts of the keys it holds, stores or releases
//! each key's answer and commits; inside it only typed outcomes exist, and the stored answers'
//! bytes come from a pure function (`answer::kept`). Requests are answered after the commit.

use domain::idempotency::{self, Claimed, Completion, KeyRef, SavedResponse};
use domain::sales::NewSale;

use super::answer::{self, Kept};
use super::{MAX_BATCH, SaleReply, SaleRequest, Writer};
use crate::cache::Change;
use crate::error::ApiError;

/// Attempts for one request at most: a key sent by every request of a full batch is claimed by
/// one request per attempt.
const MAX_ATTEMPTS: usize = MAX_BATCH + 1;

/// Records one request, on the path of a batch.
pub(super) async fn record_one(writer: &Writer, request: SaleRequest) -> SaleReply {
    record(writer, std::slice::from_ref(&request))
        .await
        .pop()
        .unwrap_or_else(|| SaleReply::Failed(domain::Error::Internal("vente sans réponse".into())))
}

/// Records the requests and returns their replies, in order. The requests whose key must be
/// claimed again (it repeats another request's key of the batch) are attempted again after the
/// commit, where they find that request's answer, or a free key when it was not kept.
pub(super) async fn record(writer: &Writer, requests: &[SaleRequest]) -> Vec<SaleReply> {
    let mut replies: Vec<Option<SaleReply>> = requests.iter().map(|_| None).collect();
    let mut pending: Vec<usize> = (0..requests.len()).collect();
    for _ in 0..MAX_ATTEMPTS {
        if pending.is_empty() {
            break;
        }
        let group: Vec<&SaleRequest> = pending.iter().map(|&i| &requests[i]).collect();
        let settled = attempt_or_each_alone(writer, &group).await;
        let mut again = Vec::new();
        for (i, reply) in pending.into_iter().zip(settled) {
            match reply {
                Some(reply) => replies[i] = Some(reply),
                None => again.push(i),
            }
        }
        pending = again;
    }
    replies
        .into_iter()
        .map(|reply| {
            reply.unwrap_or_else(|| {
                SaleReply::Failed(domain::Error::Internal(
                    "clé d'idempotence jamais libérée".into(),
                ))
            })
        })
        .collect()
}

/// One attempt for the group; when its transaction fails, one per request, so that a failure
/// is the reply of the request that causes it only.
async fn attempt_or_each_alone(writer: &Writer, group: &[&SaleRequest]) -> Vec<Option<SaleReply>> {
    let failure = match attempt(writer, group).await {
        Ok(settled) => return settled,
        Err(failure) => failure,
    };
    if group.len() == 1 {
        return vec![Some(SaleReply::Failed(failure))];
    }
    tracing::warn!(error = %failure, sales = group.len(), "a batch of sales failed; each goes alone");
    let mut settled = Vec::with_capacity(group.len());
    for request in group {
        settled.push(match attempt(writer, &[*request]).await {
            Ok(mut one) => one.pop().flatten(),
            Err(failure) => Some(SaleReply::Failed(failure)),
        });
    }
    settled
}

/// One transaction for the group: per request, its reply, or `None` when its key must be
/// claimed again once this transaction has ended. An error rolls everything back.
async fn attempt(
    writer: &Writer,
    group: &[&SaleRequest],
) -> domain::Result<Vec<Option<SaleReply>>> {
    axum_prometheus::metrics::histogram!("sales_batch_size").record(group.len() as f64);
    let claims: Vec<_> = group.iter().map(|r| r.claim()).collect();
    let mut tx = domain::db::begin_hot_path(&writer.pool).await?;
    let claimed = idempotency::claim_in(&mut tx, &claims).await?;

    let mut replies: Vec<Option<SaleReply>> = Vec::with_capacity(group.len());
    let mut released: Vec<KeyRef<'_>> = Vec::new();
    // the carts of the keys this transaction holds: (index in the group, cart)
    let mut carts: Vec<(usize, &NewSale)> = Vec::new();
    for (i, (request, claim)) in group.iter().zip(claimed).enumerate() {
        replies.push(match claim {
            Claimed::New => match &request.cart {
                Ok(cart) => {
                    carts.push((i, cart));
                    None
                }
                Err(problems) => {
                    released.push(claims[i].key);
                    Some(SaleReply::Refused(ApiError::Validation(problems.clone())))
                }
            },
            Claimed::Replay(saved) => Some(SaleReply::Replayed(saved)),
            Claimed::Mismatch => Some(SaleReply::KeyReused),
            Claimed::Again => None,
        });
    }

    let sellers: Vec<(&domain::Actor, &NewSale)> = carts
        .iter()
        .map(|&(i, cart)| (&group[i].actor, cart))
        .collect();
    let outcomes = domain::sales::record_sales_in(&mut tx, &writer.rules, &sellers).await?;
    let mut stored: Vec<(usize, SavedResponse)> = Vec::new();
    for (&(i, _), outcome) in carts.iter().zip(outcomes) {
        match answer::kept(outcome)? {
            Kept::Answer(saved) => stored.push((i, saved)),
            Kept::NotKept(refusal) => {
                released.push(claims[i].key);
                replies[i] = Some(if refusal.is_client_error() {
                    SaleReply::Refused(ApiError::Domain(refusal))
                } else {
                    SaleReply::Failed(refusal)
                });
            }
        }
    }
    let completions: Vec<Completion<'_>> = stored
        .iter()
        .map(|(i, saved)| Completion {
            claim: claims[*i],
            response: saved,
        })
        .collect();
    idempotency::complete_in(&mut tx, &completions).await?;
    idempotency::release_in(&mut tx, &released).await?;
    tx.commit().await?;

    let mut any_recorded = false;
    for (i, saved) in stored {
        any_recorded |= answer::count(&saved, group[i].store_id);
        replies[i] = Some(SaleReply::Answered(saved));
    }
    if any_recorded {
        writer.cache.invalidate(Change::Sales).await;
    }
    Ok(replies)
}
