//! Promotions as head office manages them (validation, who may, history blocks deletion) and
//! the one-query lookup a sale uses.

use crate::world::*;
use chrono::NaiveDate;
use domain::promotions::{
    self, NewPromotion, PromotionChanges, PromotionFilter, PromotionKind, current_promotions,
};
use domain::{Error, PageRequest};
use rust_decimal_macros::dec;
use sqlx::PgPool;

pub(crate) fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

pub(crate) fn percent_off(products: Vec<i64>, categories: Vec<i64>) -> NewPromotion {
    NewPromotion {
        name: "Printemps".into(),
        kind: "pourcentage".into(),
        value: Some(dec!(20)),
        buy: None,
        pay: None,
        product_ids: products,
        category_ids: categories,
        store_ids: vec![],
        starts_on: day(1),
        ends_on: day(31),
        active: true,
    }
}

fn fields(err: Error) -> Vec<String> {
    match err {
        Error::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("{other:?}"),
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn head_office_creates_reads_changes_and_lists_promotions(db: PgPool) {
    let w = world(&db).await;
    let milk = product(&db, &w, "ALI002", 110, false, 10, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 10, 0).await;
    let new = NewPromotion {
        // listed twice, meant once
        product_ids: vec![bread, milk, bread],
        store_ids: vec![w.store],
        name: "  Printemps  ".into(),
        ..percent_off(vec![], vec![])
    };
    let p = promotions::create_promotion(&db, &w.admin, &new)
        .await
        .unwrap();
    assert_eq!(p.name, "Printemps");
    assert_eq!(p.kind, PromotionKind::Pourcentage);
    let mut both = vec![milk, bread];
    both.sort();
    assert_eq!(p.product_ids, both);
    assert_eq!(p.store_ids, vec![w.store]);
    assert_eq!(promotions::get_promotion(&db, p.id).await.unwrap(), p);

    // a pourcentage turned into a lot: its value goes, buy and pay come
    let lot = promotions::update_promotion(
        &db,
        &w.admin,
        p.id,
        &PromotionChanges {
            kind: Some("lot".into()),
            buy: Some(Some(3)),
            pay: Some(Some(2)),
            store_ids: Some(vec![]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (lot.kind, lot.value, lot.buy, lot.pay),
        (PromotionKind::Lot, None, Some(3), Some(2))
    );
    assert!(lot.store_ids.is_empty());
    assert_eq!(
        lot.product_ids, both,
        "what the change does not mention stays"
    );

    let later = NewPromotion {
        name: "Été".into(),
        starts_on: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        store_ids: vec![w.other_store],
        active: false,
        ..percent_off(vec![milk], vec![])
    };
    let summer = promotions::create_promotion(&db, &w.admin, &later)
        .await
        .unwrap();
    let all = promotions::list_promotions(&db, &PromotionFilter::default(), PageRequest::default())
        .await
        .unwrap();
    let ids: Vec<_> = all.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, [summer.id, p.id], "newest start first");
    let list = |filter: PromotionFilter| {
        let db = db.clone();
        async move {
            promotions::list_promotions(&db, &filter, PageRequest::default())
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        }
    };
    let active = list(PromotionFilter {
        active: Some(true),
        ..Default::default()
    })
    .await;
    assert_eq!(active, [p.id]);
    let in_march = list(PromotionFilter {
        current_on: Some(day(15)),
        ..Default::default()
    })
    .await;
    assert_eq!(in_march, [p.id]);
    let first_store = list(PromotionFilter {
        store_id: Some(w.store),
        ..Default::default()
    })
    .await;
    assert_eq!(
        first_store,
        [p.id],
        "every store's promotion, not another store's"
    );
    let paged =
        promotions::list_promotions(&db, &PromotionFilter::default(), PageRequest::new(2, 1))
            .await
            .unwrap();
    assert_eq!((paged.total, paged.pages, paged.items[0].id), (2, 2, p.id));
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_promotions_are_refused_field_by_field(db: PgPool) {
    let w = world(&db).await;
    let milk = product(&db, &w, "ALI002", 110, false, 10, 0).await;
    let bad = NewPromotion {
        name: String::new(),
        kind: "lot".into(),
        buy: Some(2),
        pay: Some(2),
        ends_on: day(1),
        starts_on: day(2),
        ..percent_off(vec![], vec![])
    };
    let err = promotions::create_promotion(&db, &w.admin, &bad)
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["nom", "valeur", "paye", "produit_ids", "fin"]);
    let unknown = NewPromotion {
        product_ids: vec![milk, 9_999],
        category_ids: vec![8_888],
        store_ids: vec![7_777],
        ..percent_off(vec![], vec![])
    };
    let err = promotions::create_promotion(&db, &w.admin, &unknown)
        .await
        .unwrap_err();
    match err {
        Error::Validation(errors) => {
            let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["produit_ids", "categorie_ids", "magasin_ids"]);
            assert!(errors[0].message.contains("9999"), "{}", errors[0].message);
        }
        other => panic!("{other:?}"),
    }
    let p = promotions::create_promotion(&db, &w.admin, &percent_off(vec![milk], vec![]))
        .await
        .unwrap();
    let err = promotions::update_promotion(
        &db,
        &w.admin,
        p.id,
        &PromotionChanges {
            value: Some(Some(dec!(150))),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(err), ["valeur"]);
    let missing =
        promotions::update_promotion(&db, &w.admin, p.id + 100, &PromotionChanges::default())
            .await
            .unwrap_err();
    assert!(matches!(
        missing,
        Error::NotFound {
            entity: "Promotion",
            ..
        }
    ));
    assert_eq!(
        promotions::get_promotion(&db, p.id).await.unwrap().value,
        Some(dec!(20))
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn only_head_office_manages_and_used_promotions_are_not_deleted(db: PgPool) {
    let w = world(&db).await;
    let milk = product(&db, &w, "ALI002", 110, false, 10, 0).await;
    let new = percent_off(vec![milk], vec![]);
    for staff in [&w.manager, &w.cashier] {
        let err = promotions::create_promotion(&db, staff, &new)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    }
    let unused = promotions::create_promotion(&db, &w.admin, &new)
        .await
        .unwrap();
    let used = promotions::create_promotion(&db, &w.admin, &new)
        .await
        .unwrap();
    let err = promotions::delete_promotion(&db, &w.manager, unused.id)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)));
    let err =
        promotions::update_promotion(&db, &w.cashier, unused.id, &PromotionChanges::default())
            .await
            .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)));
    promotions::delete_promotion(&db, &w.admin, unused.id)
        .await
        .unwrap();
    assert!(matches!(
        promotions::get_promotion(&db, unused.id).await.unwrap_err(),
        Error::NotFound { .. }
    ));

    let sale =
        sale_with_promotion(&db, w.store, milk, used.id, "2026-03-10 12:00:00-05", "s1").await;
    assert!(sale > 0);
    let err = promotions::delete_promotion(&db, &w.admin, used.id)
        .await
        .unwrap_err();
    match err {
        Error::Conflict(message) => assert!(message.contains("désactivez-la"), "{message}"),
        other => panic!("{other:?}"),
    }
    let off = promotions::update_promotion(
        &db,
        &w.admin,
        used.id,
        &PromotionChanges {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!off.active);
}

/// A sale of 2 units at 1,10 $ with 0,22 $ off each under `promotion` (a 20 % promotion),
/// written as the sale writes its lines; its id.
pub(crate) async fn sale_with_promotion(
    db: &PgPool,
    store: i64,
    product: i64,
    promotion: i64,
    sold_at: &str,
    client_id: &str,
) -> i64 {
    let sale: i64 = sqlx::query_scalar(
        "INSERT INTO sales (client_sale_id, store_id, sold_at, subtotal, tps, tvq, total,
                            payment_method, promotion_savings)
         VALUES ($1, $2, $3::TIMESTAMPTZ, 1.76, 0, 0, 1.76, 'carte', 0.44) RETURNING id",
    )
    .bind(client_id)
    .bind(store)
    .bind(sold_at)
    .fetch_one(db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sale_lines (sale_id, line_no, product_id, quantity, unit_price, taxable,
                                 line_total, original_price, promotion_id, promotion_saving)
         VALUES ($1, 1, $2, 2, 0.88, FALSE, 1.76, 1.10, $3, 0.44)",
    )
    .bind(sale)
    .bind(product)
    .bind(promotion)
    .execute(db)
    .await
    .unwrap();
    sale
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn current_promotions_are_the_active_ones_of_the_day_store_and_products(db: PgPool) {
    let w = world(&db).await;
    let other_category = add_category(&db, "Hygiène").await;
    let milk = product(&db, &w, "ALI002", 110, false, 10, 0).await;
    let bread = product(&db, &w, "ALI001", 120, false, 10, 0).await;
    let soap = product_with_stock(
        &db,
        &new_product("HYG002", 120, true, other_category),
        w.store,
        5,
    )
    .await;
    let create = |new: NewPromotion| {
        let (db, admin) = (db.clone(), w.admin);
        async move {
            promotions::create_promotion(&db, &admin, &new)
                .await
                .unwrap()
                .id
        }
    };
    let on_milk = create(percent_off(vec![milk], vec![])).await;
    let on_category = create(NewPromotion {
        kind: "montant".into(),
        value: Some(dec!(0.10)),
        ..percent_off(vec![], vec![w.category])
    })
    .await;
    let in_store = create(NewPromotion {
        store_ids: vec![w.store],
        ..percent_off(vec![bread], vec![])
    })
    .await;
    let other_store = create(NewPromotion {
        store_ids: vec![w.other_store],
        ..percent_off(vec![milk], vec![])
    })
    .await;
    let expired = create(NewPromotion {
        starts_on: day(1),
        ends_on: day(9),
        ..percent_off(vec![milk], vec![])
    })
    .await;
    let upcoming = create(NewPromotion {
        starts_on: day(11),
        ends_on: day(20),
        ..percent_off(vec![milk], vec![])
    })
    .await;
    let inactive = create(NewPromotion {
        active: false,
        ..percent_off(vec![milk], vec![])
    })
    .await;
    let on_soap = create(percent_off(vec![soap], vec![])).await;
    let _ = (other_store, expired, upcoming, inactive);

    let mut conn = db.acquire().await.unwrap();
    let ids = |found: Vec<pricing::Promotion>| found.into_iter().map(|p| p.id).collect::<Vec<_>>();
    // milk: its own promotion and its category's, not the other store's, the expired, the
    // upcoming nor the inactive one
    let found = current_promotions(&mut conn, w.store, day(10), &[milk])
        .await
        .unwrap();
    assert_eq!(found[1].kind, pricing::PromotionKind::AmountOff(dec!(0.10)));
    assert_eq!(found[1].category_ids, vec![w.category]);
    assert_eq!(ids(found), [on_milk, on_category]);
    // bread in the first store: the category's and the first store's
    let found = current_promotions(&mut conn, w.store, day(10), &[bread])
        .await
        .unwrap();
    assert_eq!(ids(found), [on_category, in_store]);
    // bread in the other store: only the category's
    let found = current_promotions(&mut conn, w.other_store, day(10), &[bread])
        .await
        .unwrap();
    assert_eq!(ids(found), [on_category]);
    // the last day is included
    let found = current_promotions(&mut conn, w.store, day(31), &[soap])
        .await
        .unwrap();
    assert_eq!(ids(found.clone()), [on_soap]);
    assert_eq!(found[0].product_ids, vec![soap]);
    assert_eq!(found[0].kind, pricing::PromotionKind::Percent(dec!(20)));
    assert!(
        current_promotions(
            &mut conn,
            w.store,
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            &[soap]
        )
        .await
        .unwrap()
        .is_empty()
    );
    assert!(
        current_promotions(&mut conn, w.store, day(10), &[])
            .await
            .unwrap()
            .is_empty()
    );
    // several products at once: every promotion touching one of them, each once
    let found = current_promotions(&mut conn, w.store, day(10), &[milk, bread, soap])
        .await
        .unwrap();
    assert_eq!(ids(found), [on_milk, on_category, in_store, on_soap]);
}
