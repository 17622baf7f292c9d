//! Idempotency keys claimed, answered and released inside a caller's transaction.

use domain::idempotency::{
    Claimed, Completion, KeyClaim, KeyRef, SavedResponse, claim_in, complete_in, release_in,
};
use sqlx::PgPool;

const HASH_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const HASH_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn claim<'a>(client: &'a str, key: &'a str, request_hash: &'a str) -> KeyClaim<'a> {
    KeyClaim {
        key: KeyRef { client, key },
        request_hash,
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_key_is_new_once_then_replays_its_answer_or_refuses_another_request(db: PgPool) {
    let answer = SavedResponse {
        status: 201,
        body: b"{\"id\": 7}".to_vec(),
    };
    let mut tx = db.begin().await.unwrap();
    let first = [
        claim("env", "k1", HASH_A),
        claim("env", "k2", HASH_A),
        // the same key twice in one call: claimed again once this transaction has ended
        claim("env", "k1", HASH_A),
        // another client's key of the same name is its own
        claim("client:1", "k1", HASH_A),
    ];
    assert_eq!(
        claim_in(&mut tx, &first).await.unwrap(),
        [Claimed::New, Claimed::New, Claimed::Again, Claimed::New]
    );
    complete_in(
        &mut tx,
        &[Completion {
            claim: first[0],
            response: &answer,
        }],
    )
    .await
    .unwrap();
    release_in(&mut tx, &[first[1].key, first[3].key])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        claim_in(
            &mut tx,
            &[
                claim("env", "k1", HASH_A),
                claim("env", "k1", HASH_B),
                claim("env", "k2", HASH_B),
            ],
        )
        .await
        .unwrap(),
        [
            Claimed::Replay(answer.clone()),
            Claimed::Again,
            Claimed::New
        ]
    );
    tx.rollback().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        claim_in(&mut tx, &[claim("env", "k1", HASH_B)])
            .await
            .unwrap(),
        [Claimed::Mismatch]
    );
    tx.rollback().await.unwrap();
    let placeholders: i64 =
        sqlx::query_scalar("SELECT count(*) FROM idempotency_keys WHERE status_code = 102")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        placeholders, 0,
        "released and rolled back claims leave nothing"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_key_being_answered_is_waited_for_then_replayed(db: PgPool) {
    let answer = SavedResponse {
        status: 409,
        body: b"{}".to_vec(),
    };
    let mut first = db.begin().await.unwrap();
    let key = claim("env", "busy", HASH_A);
    assert_eq!(claim_in(&mut first, &[key]).await.unwrap(), [Claimed::New]);
    let waiting = tokio::spawn({
        let db = db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            claim_in(&mut tx, &[claim("env", "busy", HASH_A)])
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(
        !waiting.is_finished(),
        "the second claim waits for the first"
    );
    complete_in(
        &mut first,
        &[Completion {
            claim: key,
            response: &answer,
        }],
    )
    .await
    .unwrap();
    first.commit().await.unwrap();
    assert_eq!(waiting.await.unwrap(), [Claimed::Replay(answer)]);
}
