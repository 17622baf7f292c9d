//! What the reports refuse: bad periods and requests, named by field, and readers outside
//! their store.

use super::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn bad_periods_and_requests_are_refused_with_the_field_named(db: PgPool) {
    let w = world(&db).await;
    let backwards = ReportScope {
        period: Period {
            from: plus(1),
            to: d0(),
        },
        store_id: None,
    };
    let err = reporting::kpis(&db, &w.admin, &backwards)
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["date_fin"]);
    let too_long = ReportScope {
        period: Period {
            from: d0(),
            to: plus(366),
        },
        store_id: None,
    };
    let err = reporting::sales_report(&db, &w.admin, &too_long, None)
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["date_debut"]);
    let year = ReportScope::network(period(d0(), plus(365)));
    assert_eq!(year.period.days(), 366);
    reporting::kpis(&db, &w.admin, &year).await.unwrap();

    let err = reporting::sales_report(&db, &w.admin, &year, Some(0))
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["limit"]);

    let err = CustomQuery::parse(d0(), d0(), vec![], "hour", &["revenue"]).unwrap_err();
    assert_eq!(fields(err), ["group_by"]);
    let err = CustomQuery::parse(d0(), d0(), vec![], "day", &["revenue", "marge"]).unwrap_err();
    assert_eq!(fields(err), ["metrics"]);
    let no_metric = CustomQuery {
        period: period(d0(), d0()),
        store_ids: vec![],
        group_by: GroupBy::Day,
        metrics: vec![],
    };
    let err = reporting::custom_report(&db, &w.admin, &no_metric)
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["metrics"]);
}

fn forbidden<T>(result: Result<T, Error>) -> bool {
    matches!(result, Err(Error::Forbidden(_)))
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn managers_read_their_own_store_and_head_office_reads_everything(db: PgPool) {
    let w = world(&db).await;
    let p = period(d0(), plus(6));
    let own = ReportScope::store(p, w.store);
    let other = ReportScope::store(p, w.other_store);
    let network = ReportScope::network(p);
    let custom = |stores: Vec<i64>| CustomQuery {
        period: p,
        store_ids: stores,
        group_by: GroupBy::Store,
        metrics: vec![Metric::Revenue],
    };

    // a cashier reads no report, not even their store's
    assert!(forbidden(reporting::kpis(&db, &w.cashier, &own).await));
    assert!(forbidden(
        reporting::sales_report(&db, &w.cashier, &own, None).await
    ));
    assert!(forbidden(
        reporting::inventory_report(&db, &w.cashier, Some(w.store)).await
    ));
    assert!(forbidden(
        reporting::custom_report(&db, &w.cashier, &custom(vec![w.store])).await
    ));

    // a manager reads their store only
    reporting::kpis(&db, &w.manager, &own).await.unwrap();
    reporting::sales_report(&db, &w.manager, &own, None)
        .await
        .unwrap();
    reporting::inventory_report(&db, &w.manager, Some(w.store))
        .await
        .unwrap();
    let mine = reporting::custom_report(&db, &w.manager, &custom(vec![w.store, w.store]))
        .await
        .unwrap();
    assert_eq!(mine.store_ids, [w.store]);
    assert_eq!(mine.rows.len(), 1);
    assert!(forbidden(reporting::kpis(&db, &w.manager, &other).await));
    assert!(forbidden(reporting::kpis(&db, &w.manager, &network).await));
    assert!(forbidden(
        reporting::sales_report(&db, &w.manager, &network, None).await
    ));
    assert!(forbidden(
        reporting::inventory_report(&db, &w.manager, None).await
    ));
    assert!(forbidden(
        reporting::inventory_report(&db, &w.manager, Some(w.other_store)).await
    ));
    assert!(forbidden(
        reporting::custom_report(&db, &w.manager, &custom(vec![w.store, w.other_store])).await
    ));
    assert!(forbidden(
        reporting::custom_report(&db, &w.manager, &custom(vec![])).await
    ));

    // head office reads everything; an unknown store is not found
    reporting::kpis(&db, &w.admin, &network).await.unwrap();
    reporting::kpis(&db, &w.admin, &other).await.unwrap();
    reporting::sales_report(&db, &w.admin, &network, None)
        .await
        .unwrap();
    reporting::inventory_report(&db, &w.admin, None)
        .await
        .unwrap();
    let all = reporting::custom_report(&db, &w.admin, &custom(vec![]))
        .await
        .unwrap();
    assert_eq!(all.rows.len(), 2);
    let missing = ReportScope::store(p, 999_999);
    assert!(matches!(
        reporting::kpis(&db, &w.admin, &missing).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        reporting::custom_report(&db, &w.admin, &custom(vec![w.store, 999_999])).await,
        Err(Error::NotFound { .. })
    ));
}
