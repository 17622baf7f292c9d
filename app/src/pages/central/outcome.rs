//! What the last transition did, told from its redirect's [`Flash`]: a notice about the
//! request, or why it was refused.

use super::api::codes;
use crate::components::Notice;
use crate::flash::Flash;

fn verb(action: &str) -> &'static str {
    match action {
        "approve" => "valider",
        "refuse" => "refuser",
        "deliver" => "livrer",
        "cancel" => "annuler",
        _ => "modifier",
    }
}

/// The outcome of the last transition and the request it is about; `statuses` are the
/// `(code, label)` of request statuses, to name what a request has become.
pub fn outcome(flash: &Flash, statuses: &[(String, String)]) -> Option<(Notice, String)> {
    let id = flash.fact(codes::REQUEST).unwrap_or_default().to_owned();
    if let Some(done) = flash.done_code() {
        let text = match done {
            "approve" => format!("Demande n° {id} validée : le stock de l'entrepôt est réservé."),
            "deliver" => format!("Demande n° {id} livrée : le stock du magasin est augmenté."),
            "refuse" => format!("Demande n° {id} refusée."),
            "cancel" => format!("Demande n° {id} annulée."),
            _ => return None,
        };
        return Some((Notice::success(text), id));
    }
    let action = verb(flash.fact(codes::ACTION).unwrap_or_default());
    let text = match flash.error_code()? {
        codes::STALE => {
            let status = flash.fact(codes::STATUS).unwrap_or_default();
            let label = statuses
                .iter()
                .find(|(code, _)| code == status)
                .map_or(status, |(_, label)| label.as_str());
            format!(
                "Impossible de {action} la demande n° {id} : elle est déjà « {label} ». La liste est à jour."
            )
        }
        codes::SHORT => format!(
            "Impossible de valider la demande n° {id} : l'entrepôt n'en a que {}.",
            flash
                .fact(codes::AVAILABLE)
                .and_then(|n| n.parse::<i64>().ok())
                .map(crate::format::count)
                .unwrap_or_default()
        ),
        codes::NO_REASON => format!("Indiquez la raison du refus de la demande n° {id}."),
        codes::FORBIDDEN => format!("Vous ne pouvez pas {action} la demande n° {id}."),
        codes::NOT_FOUND => format!("Demande n° {id} introuvable."),
        _ => return None,
    };
    Some((Notice::error(text), id))
}

/// The refusal lacked its reason: the message goes next to the reason field of that request.
pub fn reason_missing(flash: &Flash) -> bool {
    flash.error_code() == Some(codes::NO_REASON)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_transition_names_what_the_request_has_become() {
        let statuses = [("refusee".to_owned(), "Refusée".to_owned())];
        let flash =
            Flash::parse("statut=en_attente&erreur=etat&action=approve&demande=12&statut=refusee");
        let (notice, id) = outcome(&flash, &statuses).unwrap();
        assert_eq!(id, "12");
        assert_eq!(
            notice,
            Notice::error(
                "Impossible de valider la demande n° 12 : elle est déjà « Refusée ». La liste est à jour."
            )
        );
        let short = Flash::parse("erreur=stock&demande=3&dispo=1500");
        assert_eq!(
            outcome(&short, &statuses).unwrap().0,
            Notice::error(
                "Impossible de valider la demande n° 3 : l'entrepôt n'en a que 1\u{a0}500."
            )
        );
        let done = Flash::parse("fait=refuse&demande=4");
        assert_eq!(
            outcome(&done, &statuses).unwrap().0,
            Notice::success("Demande n° 4 refusée.")
        );
        assert_eq!(outcome(&Flash::parse("statut=validee"), &statuses), None);
    }
}
