//! The forms of the transitions a request allows (approve, refuse with its reason, deliver,
//! cancel), each a POST with the session's CSRF token that works before hydration.

use leptos::prelude::*;

use super::api::{ApproveRequest, CancelRequest, DeliverRequest, RefuseRequest, RequestRow};
use crate::components::Field;

/// The transition actions of a page, shared by its rows.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    approve: ServerAction<ApproveRequest>,
    refuse: ServerAction<RefuseRequest>,
    deliver: ServerAction<DeliverRequest>,
    cancel: ServerAction<CancelRequest>,
}

impl Actions {
    pub(super) fn new() -> Self {
        Actions {
            approve: ServerAction::new(),
            refuse: ServerAction::new(),
            deliver: ServerAction::new(),
            cancel: ServerAction::new(),
        }
    }

    /// Changes after every completed transition, so the page's data reloads.
    pub(super) fn version(&self) -> usize {
        self.approve.version().get()
            + self.refuse.version().get()
            + self.deliver.version().get()
            + self.cancel.version().get()
    }
}

/// The forms of the transitions this request allows the viewer.
#[component]
pub fn RequestActions(
    actions: Actions,
    request: RequestRow,
    csrf: String,
    back: String,
    /// Show the refusal-reason message next to the reason field.
    reason_missing: bool,
) -> impl IntoView {
    let id = request.id;
    request
        .actions
        .into_iter()
        .map(|action| {
            let (csrf, back) = (csrf.clone(), back.clone());
            let hidden = view! {
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="request_id" value=id />
                <input type="hidden" name="back" value=back />
            };
            match action.as_str() {
                "approve" => view! {
                    <ActionForm action=actions.approve attr:class="inline act">
                        {hidden}
                        <button type="submit" class="ok">"Valider"</button>
                    </ActionForm>
                }
                .into_any(),
                "deliver" => view! {
                    <ActionForm action=actions.deliver attr:class="inline act">
                        {hidden}
                        <button type="submit" class="ok">"Livrer"</button>
                    </ActionForm>
                }
                .into_any(),
                "cancel" => view! {
                    <ActionForm action=actions.cancel attr:class="inline act">
                        {hidden}
                        <button type="submit" class="secondary">"Annuler la demande"</button>
                    </ActionForm>
                }
                .into_any(),
                _ => view! {
                    <ActionForm action=actions.refuse attr:class="act refuse">
                        {hidden}
                        <Field
                            id=format!("raison-{id}")
                            label="Raison du refus"
                            hidden_label=true
                            error=reason_missing.then(|| "Indiquez la raison du refus.".to_owned())
                            control=|a| view! {
                                <input id=a.id name="reason" type="text" required maxlength="500"
                                    placeholder="Raison du refus"
                                    aria-invalid=a.invalid aria-describedby=a.described_by />
                            }
                        />
                        <button type="submit" class="danger">"Refuser"</button>
                    </ActionForm>
                }
                .into_any(),
            }
        })
        .collect_view()
}
