//! Pagination shared by every list: `page` from 1, `size` 1..=100, and the envelope that says
//! how many pages there are.

use serde::{Deserialize, Serialize};

pub const MAX_PAGE_SIZE: u32 = 100;

/// Checks a cursor page (the event feed, a webhook's delivery log): `after`, the last id seen,
/// is 0 or more; `limit` goes from 1 to `max`. A caller's number that does not fit a `u32` is
/// passed as 0, so that it is named here like any other bad limit.
pub fn check_cursor(v: &mut crate::error::Validator, after: i64, limit: u32, max: u32) {
    v.check(after >= 0, "after", "Le curseur « after » est un id >= 0.");
    v.check(
        (1..=max).contains(&limit),
        "limit",
        &format!("« limit » va de 1 à {max}."),
    );
}
pub const DEFAULT_PAGE_SIZE: u32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    pub page: u32,
    pub size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// A page request, clamped to the valid range (callers that must reject bad input check
    /// with [`PageRequest::validate`] first).
    pub fn new(page: u32, size: u32) -> Self {
        Self {
            page: page.max(1),
            size: size.clamp(1, MAX_PAGE_SIZE),
        }
    }

    pub fn validate(page: i64, size: i64) -> crate::Result<Self> {
        let mut v = crate::error::Validator::default();
        v.check(page >= 1, "page", "La page commence à 1.");
        v.check(
            (1..=i64::from(MAX_PAGE_SIZE)).contains(&size),
            "size",
            "La taille de page va de 1 à 100.",
        );
        v.finish()?;
        Ok(Self::new(page as u32, size as u32))
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.size)
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.size)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub size: u32,
    pub pages: u32,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, request: PageRequest) -> Self {
        let size = i64::from(request.size);
        let pages = ((total + size - 1) / size).max(0) as u32;
        Self {
            items,
            total,
            page: request.page,
            size: request.size,
            pages,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            size: self.size,
            pages: self.pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pages_and_offsets() {
        let req = PageRequest::new(3, 20);
        assert_eq!(req.offset(), 40);
        assert_eq!(Page::new(Vec::<u8>::new(), 41, req).pages, 3);
        assert_eq!(Page::new(Vec::<u8>::new(), 0, req).pages, 0);
        assert_eq!(PageRequest::new(0, 500), PageRequest { page: 1, size: 100 });
        assert!(PageRequest::validate(1, 101).is_err());
        assert!(PageRequest::validate(0, 10).is_err());
    }
}
