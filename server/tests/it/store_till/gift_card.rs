//! A gift card sold at the till pays a later sale: its code keyed as a tender, its balance
//! spent, and a code that does not exist refused without recording anything.

use super::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn a_gift_card_sold_at_the_till_pays_the_next_sale(pool: PgPool) {
    let t = till(&pool).await;
    let at = form(&t, "till_gift_card", "", "montant=20").await;
    let at = form(&t, "till_tender", &cart_of(&at), "mode=especes&montant=20").await;
    let sold = sale_id(&checkout(&t, &at, "paiements", "").await);
    let code: String = sqlx::query_scalar(
        "SELECT g.code FROM sale_gift_cards s JOIN gift_cards g ON g.id = s.gift_card_id
         WHERE s.sale_id = $1",
    )
    .bind(sold)
    .fetch_one(&pool)
    .await
    .unwrap();
    // 2 × 3,50 $ = 7,00 $: the card pays it all, its balance goes down to 13,00 $
    let at = form(&t, "till_add", "", &format!("code=2*{}", t.code)).await;
    let no_code = form(
        &t,
        "till_tender",
        &cart_of(&at),
        "mode=carte_cadeau&montant=7",
    )
    .await;
    assert_eq!(param(&no_code, "erreur").as_deref(), Some("paiement"));
    // an unknown card: the sale is refused and the cart kept
    let unknown = form(
        &t,
        "till_tender",
        &cart_of(&at),
        "mode=carte_cadeau&montant=7&code=0000000000000000",
    )
    .await;
    let refused = checkout(&t, &unknown, "paiements", "").await;
    assert!(param(&refused, "erreur").is_some(), "{refused}");
    let paid = form(
        &t,
        "till_tender",
        &cart_of(&at),
        &format!("mode=carte_cadeau&montant=7&code={code}"),
    )
    .await;
    assert!(page(&t, &paid).await.contains(&code));
    let done = checkout(&t, &paid, "paiements", "").await;
    let id = sale_id(&done);
    let (mode, reference): (String, Option<String>) =
        sqlx::query_as("SELECT mode, reference FROM sale_payments WHERE sale_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (mode.as_str(), reference.as_deref()),
        ("carte_cadeau", Some(code.as_str()))
    );
    let balance: rust_decimal::Decimal =
        sqlx::query_scalar("SELECT balance FROM gift_cards WHERE code = $1")
            .bind(&code)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(balance, rust_decimal::Decimal::new(1300, 2));
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sales, 2, "the refused sale recorded nothing");
}
