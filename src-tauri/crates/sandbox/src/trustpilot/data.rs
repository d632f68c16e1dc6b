//! The Trustpilot world: businesses, their API applications and business users, business
//! units and their service reviews, and the deterministic seeder.
//!
//! A seeded review keeps only indices into the phrase pools and a few bytes of flags (about 56
//! bytes), so a million of them fit in ~60 MB and are made in well under a second in release;
//! texts, consumers and replies are rebuilt when a review is rendered. Review ids are 24-hex
//! Mongo ObjectIds as Trustpilot's are: 4 bytes of creation time, 5 bytes naming the business
//! unit, 3 bytes of counter, so a unit's reviews sorted by creation are sorted by id too and a
//! review is found by binary search from its id alone.

use std::collections::HashMap;

use crate::data::{ANCHOR, FIRST, LAST};
use crate::util::Rng;

use super::pools::{LangPools, LANGS, REPORT_REASONS, SOURCES, TAGS};

/// A 12-byte ObjectId.
pub type Oid = [u8; 12];

/// The 24 lowercase hex characters of an id.
pub fn oid_hex(id: &Oid) -> String {
    hex::encode(id)
}

/// Parses 24 hex characters (either case).
pub fn parse_oid(s: &str) -> Option<Oid> {
    let mut out = [0u8; 12];
    if s.len() != 24 {
        return None;
    }
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

/// Twelve pseudo-random bytes derived from a seed, for consumer and user ids.
pub fn derived_oid(seed: u64) -> Oid {
    let mut r = Rng::new(seed);
    let a = r.next_u64().to_be_bytes();
    let b = r.next_u64().to_be_bytes();
    let mut out = [0u8; 12];
    out[..8].copy_from_slice(&a);
    out[8..].copy_from_slice(&b[..4]);
    out
}

/// A Trustpilot Business account: owns applications, users and business units.
#[derive(Debug, Clone)]
pub struct Business {
    /// Company name.
    pub name: String,
    /// Whether its plan includes the Invitation API (Trustpilot's Connect add-on, SEEN-DOC):
    /// without it every invitations-host endpoint answers `403`.
    pub invitations_api: bool,
}

/// An API application made in Trustpilot Business (Integrations > Developers > APIs).
#[derive(Debug, Clone)]
pub struct App {
    /// API key (`client_id`).
    pub key: String,
    /// API secret.
    pub secret: String,
    /// Application name.
    pub name: String,
    /// Index of the owning business.
    pub business: usize,
    /// The https redirect URI registered for the application.
    pub redirect_uri: String,
}

/// A Trustpilot Business user (signs in on the authenticate page or with the password grant).
#[derive(Debug, Clone)]
pub struct BusinessUser {
    /// 24-hex user id (shown on the user's profile page; `authorBusinessUserId`).
    pub id: String,
    /// Login email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Display name.
    pub name: String,
    /// Index of the business.
    pub business: usize,
    /// Two-factor sign-in enabled (the password grant refuses such users).
    pub two_factor: bool,
}

/// Flag bits of [`TpReview::flags`].
pub mod flag {
    /// Written after an invitation (verified, has referral email and reference id).
    pub const INVITED: u8 = 1;
    /// Reported by the business (`status: reported`).
    pub const REPORTED: u8 = 2;
    /// The report hid the review (`reportData.reviewVisibility: hidden`).
    pub const HIDDEN: u8 = 4;
}

/// `TpReview::reply` value of a reply posted through the API (text in `BusinessUnit::replies`).
pub const OWNED_REPLY: u8 = u8::MAX;

/// One service review, compact (see the module docs).
#[derive(Debug, Clone)]
pub struct TpReview {
    /// ObjectId.
    pub id: Oid,
    /// `createdAt` (unix s).
    pub created: i64,
    /// Consumer seed (consumers are rebuilt from it).
    pub consumer: u32,
    /// Seconds after creation of the consumer's last edit (0 = never edited).
    pub edited_after: u32,
    /// Seconds between the experience and the review.
    pub experienced_before: u32,
    /// Seconds after creation the reply was written.
    pub reply_after: u32,
    /// 1..=5.
    pub stars: u8,
    /// Index into `LANGS`.
    pub lang: u8,
    /// Title index (pool by stars and language).
    pub title: u16,
    /// Up to three sentence indices (`u16::MAX` = none).
    pub phrases: [u16; 3],
    /// 0 = no reply, `n` = pool reply `n - 1`, [`OWNED_REPLY`] = posted through the API.
    pub reply: u8,
    /// Bit set over `TAGS`.
    pub tags: u8,
    /// [`flag`] bits.
    pub flags: u8,
    /// Index into `SOURCES`.
    pub source: u8,
    /// `numberOfLikes`.
    pub likes: u8,
    /// Index into `REPORT_REASONS` (meaningful when reported).
    pub report_reason: u8,
}

impl TpReview {
    /// Has a `companyReply`.
    pub fn responded(&self) -> bool {
        self.reply != 0
    }
    /// `status: reported`.
    pub fn reported(&self) -> bool {
        self.flags & flag::REPORTED != 0
    }
    /// Invited (verified) review.
    pub fn invited(&self) -> bool {
        self.flags & flag::INVITED != 0
    }
    /// The language's pools.
    pub(crate) fn pools(&self) -> &'static LangPools {
        &LANGS[self.lang as usize % LANGS.len()].0
    }
}

/// A reply posted through the API.
#[derive(Debug, Clone)]
pub struct OwnedReply {
    /// Text.
    pub text: String,
    /// Author business user id.
    pub author: String,
    /// Author name.
    pub author_name: String,
    /// Created (unix s).
    pub created: i64,
}

/// What a sandbox control set on a review beyond its seed (texts given by a test).
#[derive(Debug, Clone, Default)]
pub struct OwnedText {
    /// Title.
    pub title: Option<String>,
    /// Text.
    pub text: Option<String>,
    /// Reference id.
    pub reference_id: Option<String>,
    /// Referral email.
    pub referral_email: Option<String>,
}

/// A business unit (one domain of a business on Trustpilot).
#[derive(Debug, Clone)]
pub struct BusinessUnit {
    /// 24-hex id.
    pub id: String,
    /// The five bytes of review ids that name this unit.
    pub salt: [u8; 5],
    /// Index of the owning business.
    pub business: usize,
    /// `displayName`.
    pub display_name: String,
    /// `name.identifying`: the domain.
    pub identifying: String,
    /// `name.referring`: other names it is found by.
    pub referring: Vec<String>,
    /// `websiteUrl`.
    pub website_url: String,
    /// `country`.
    pub country: String,
    /// Reviews sorted by id (and so by `createdAt`).
    pub reviews: Vec<TpReview>,
    /// Replies posted through the API.
    pub replies: HashMap<Oid, OwnedReply>,
    /// Texts set by sandbox controls.
    pub texts: HashMap<Oid, OwnedText>,
    /// Tags of reviews whose tags were changed through the API (they replace the seeded set).
    pub tags: HashMap<Oid, Vec<(String, String)>>,
    /// Find Reviewer requests made through the API, oldest first, per review.
    pub find_requests: HashMap<Oid, Vec<FindRequest>>,
}

/// A Find Reviewer request and, once the consumer answered (a sandbox control), their answer.
#[derive(Debug, Clone)]
pub struct FindRequest {
    /// 24-hex id.
    pub id: String,
    /// `requested`, then `answered` (status values UNKNOWN; CHOICES-trustpilot).
    pub status: &'static str,
    /// Created (unix s).
    pub created: i64,
    /// What the business wrote.
    pub message: Option<String>,
    /// `consumerResponse` as the API renders it.
    pub response: Option<serde_json::Value>,
}

impl BusinessUnit {
    /// A review's tags as `(group, value)`: those set through the API, else the seeded ones.
    pub fn tags_of_review(&self, r: &TpReview) -> Vec<(String, String)> {
        match self.tags.get(&r.id) {
            Some(set) => set.clone(),
            None => tags_of(r.tags)
                .map(|(g, v)| (g.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// Whether one of a review's tags passes `hit` (without collecting them: the list filter
    /// runs this over every review).
    pub fn review_has_tag(&self, r: &TpReview, mut hit: impl FnMut(&str, &str) -> bool) -> bool {
        match self.tags.get(&r.id) {
            Some(set) => set.iter().any(|(g, v)| hit(g, v)),
            None => tags_of(r.tags).any(|(g, v)| hit(g, v)),
        }
    }

    /// Position of a review by id.
    pub fn review_pos(&self, id: &Oid) -> Option<usize> {
        self.reviews.binary_search_by(|r| r.id.cmp(id)).ok()
    }

    /// `numberOfReviews` counts: total, used for the TrustScore, then 1..=5 stars.
    pub fn counts(&self) -> (usize, usize, [usize; 5]) {
        let mut stars = [0usize; 5];
        let mut used = 0;
        for r in &self.reviews {
            stars[(r.stars.clamp(1, 5) - 1) as usize] += 1;
            if r.flags & flag::HIDDEN == 0 {
                used += 1;
            }
        }
        (self.reviews.len(), used, stars)
    }

    /// `(trustScore, stars)`: the mean of the reviews that count, one decimal, and the star
    /// picture rounded to the nearest half (CHOICES: Trustpilot's own weighting is not public).
    pub fn score(&self) -> (f64, f64) {
        let (mut sum, mut n) = (0u64, 0u64);
        for r in &self.reviews {
            if r.flags & flag::HIDDEN == 0 {
                sum += r.stars as u64;
                n += 1;
            }
        }
        if n == 0 {
            return (0.0, 0.0);
        }
        let ts = (sum as f64 / n as f64 * 10.0).round() / 10.0;
        (ts, (ts * 2.0).round() / 2.0)
    }
}

/// Consumer shown on a review, rebuilt from its seed.
#[derive(Debug, Clone)]
pub struct Consumer {
    /// 24-hex id.
    pub id: String,
    /// First name.
    pub first: &'static str,
    /// Last name.
    pub last: &'static str,
    /// `displayName`.
    pub display_name: String,
    /// `displayLocation` (often absent).
    pub location: Option<&'static str>,
    /// Reviews the consumer wrote on Trustpilot.
    pub number_of_reviews: u32,
}

/// The consumer with this seed, writing in `lang`.
pub(crate) fn consumer(seed: u32, lang: &LangPools) -> Consumer {
    let mut r = Rng::new(0x7c0_0000_0000 ^ seed as u64);
    let first = FIRST[r.below(FIRST.len() as u64) as usize];
    let last = LAST[r.below(LAST.len() as u64) as usize];
    let initial = last.chars().next().unwrap_or('X');
    let display_name = match r.below(10) {
        0..=4 => format!("{first} {last}"),
        5..=7 => format!("{first} {initial}."),
        8 => first.to_string(),
        _ => format!("{} {}", first.to_uppercase(), last.to_uppercase()),
    };
    let location =
        (!r.chance(35)).then(|| lang.locations[r.below(lang.locations.len() as u64) as usize]);
    let number_of_reviews = match r.below(10) {
        0..=5 => 1 + r.below(3) as u32,
        6..=8 => 3 + r.below(12) as u32,
        _ => 15 + r.below(120) as u32,
    };
    Consumer {
        id: oid_hex(&derived_oid(0xc0_5e ^ ((seed as u64) << 16))),
        first,
        last,
        display_name,
        location,
        number_of_reviews,
    }
}

fn pick_stars(rng: &mut Rng) -> u8 {
    // Service reviews are bimodal: ~60% 5★, 15% 4★, 6% 3★, 5% 2★, 14% 1★.
    match rng.below(100) {
        0..=59 => 5,
        60..=74 => 4,
        75..=80 => 3,
        81..=85 => 2,
        _ => 1,
    }
}

fn pick_lang(rng: &mut Rng) -> u8 {
    let mut x = rng.below(100);
    for (i, (_, w)) in LANGS.iter().enumerate() {
        if x < *w {
            return i as u8;
        }
        x -= w;
    }
    0
}

/// The id of review number `counter` of a unit, created at `created`.
pub fn review_oid(created: i64, salt: &[u8; 5], counter: u32) -> Oid {
    let mut id = [0u8; 12];
    id[..4].copy_from_slice(&(created.clamp(0, u32::MAX as i64) as u32).to_be_bytes());
    id[4..9].copy_from_slice(salt);
    id[9..].copy_from_slice(&counter.to_be_bytes()[1..]);
    id
}

/// One generated review.
pub(crate) fn gen_review(
    rng: &mut Rng,
    created: i64,
    salt: &[u8; 5],
    counter: u32,
    consumer: u32,
) -> TpReview {
    let stars = pick_stars(rng);
    let lang = pick_lang(rng);
    let pools = &LANGS[lang as usize].0;
    let (titles, sentences) = match stars {
        4 | 5 => (pools.pos_titles, pools.pos),
        3 => (pools.mid_titles, pools.mid),
        _ => (pools.neg_titles, pools.neg),
    };
    let mut phrases = [u16::MAX; 3];
    for slot in phrases.iter_mut().take(1 + rng.below(3) as usize) {
        *slot = rng.below(sentences.len() as u64) as u16;
    }
    let invited = rng.chance(68);
    let mut flags = if invited { flag::INVITED } else { 0 };
    let reply_pct = match stars {
        1 | 2 => 72,
        3 => 50,
        _ => 22,
    };
    let reply = if rng.chance(reply_pct) {
        let pool = if stars >= 4 {
            pools.reply_pos
        } else {
            pools.reply_neg
        };
        1 + rng.below(pool.len() as u64) as u8
    } else {
        0
    };
    let report_pct = if stars <= 2 { 40 } else { 3 };
    let mut report_reason = 0;
    if rng.below(1000) < report_pct {
        flags |= flag::REPORTED;
        report_reason = rng.below(REPORT_REASONS.len() as u64) as u8;
        if rng.chance(40) {
            flags |= flag::HIDDEN;
        }
    }
    let tags = if rng.chance(18) {
        let a = 1u8 << rng.below(TAGS.len() as u64);
        let b = if rng.chance(30) {
            1u8 << rng.below(TAGS.len() as u64)
        } else {
            0
        };
        a | b
    } else {
        0
    };
    let source = if invited {
        if rng.chance(85) {
            0
        } else {
            1
        }
    } else if rng.chance(80) {
        2
    } else {
        3
    } as u8;
    TpReview {
        id: review_oid(created, salt, counter),
        created,
        consumer,
        edited_after: if rng.chance(4) {
            3600 + rng.below(20 * 86_400) as u32
        } else {
            0
        },
        experienced_before: rng.below(14 * 86_400) as u32,
        reply_after: 3600 + rng.below(3 * 86_400) as u32,
        stars,
        lang,
        title: rng.below(titles.len() as u64) as u16,
        phrases,
        reply,
        tags,
        flags,
        source,
        likes: match rng.below(20) {
            0..=15 => 0,
            16..=18 => 1,
            _ => 2 + rng.below(6) as u8,
        },
        report_reason,
    }
}

/// Seeds `n` reviews over the three years before [`ANCHOR`], oldest first. `counter` numbers
/// reviews across units (the last three bytes of their ids).
pub fn seed_reviews(unit: &mut BusinessUnit, n: usize, rng: &mut Rng, counter: &mut u32) {
    unit.reviews.reserve(n);
    let span: i64 = 3 * 365 * 86_400;
    let start = ANCHOR - span;
    let step = if n == 0 { 0 } else { span / n as i64 };
    for i in 0..n {
        let created = start + i as i64 * step + rng.below(step.max(1) as u64) as i64 / 2;
        // One consumer in twenty has written to this shop before.
        let consumer = if i > 20 && rng.chance(5) {
            *counter - 1 - rng.below(i as u64) as u32
        } else {
            *counter
        };
        let r = gen_review(rng, created, &unit.salt, *counter, consumer);
        unit.reviews.push(r);
        *counter += 1;
    }
    // Created times only grow, so ids are sorted; keep that true even if a step rounds to 0.
    unit.reviews.sort_by_key(|a| a.id);
    ensure_some_reported(unit, n);
}

/// A seeded unit always has a few reported reviews (one in 150, at least one from ten
/// reviews on), so a small demo or test world shows `status: reported` too, not only by luck.
fn ensure_some_reported(unit: &mut BusinessUnit, n: usize) {
    let want = if n >= 10 { (n / 150).max(1) } else { 0 };
    let mut have = unit.reviews.iter().filter(|r| r.reported()).count();
    let (mut i, mut tries) = (7usize, 0usize);
    while have < want && tries < n {
        let r = &mut unit.reviews[i % n];
        // Poor reviews first; past half the tries, any review.
        if !r.reported() && (r.stars <= 2 || tries * 2 >= n) {
            r.flags |= flag::REPORTED;
            r.report_reason = (i % REPORT_REASONS.len()) as u8;
            have += 1;
        }
        i += 37;
        tries += 1;
    }
}

/// Tag pairs of a bit set.
pub(crate) fn tags_of(bits: u8) -> impl Iterator<Item = (&'static str, &'static str)> {
    TAGS.iter()
        .enumerate()
        .filter(move |(i, _)| bits & (1 << i) != 0)
        .map(|(_, t)| *t)
}

/// `source` text.
pub(crate) fn source_of(r: &TpReview) -> &'static str {
    SOURCES[r.source as usize % SOURCES.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit() -> BusinessUnit {
        BusinessUnit {
            id: "x".into(),
            salt: [1, 2, 3, 4, 5],
            business: 0,
            display_name: "X".into(),
            identifying: "x.com".into(),
            referring: vec![],
            website_url: String::new(),
            country: "US".into(),
            reviews: vec![],
            replies: HashMap::new(),
            texts: HashMap::new(),
            tags: HashMap::new(),
            find_requests: HashMap::new(),
        }
    }

    #[test]
    fn seeding_is_deterministic_sorted_and_realistic() {
        let mk = || {
            let mut u = unit();
            let mut c = 0;
            seed_reviews(&mut u, 20_000, &mut Rng::new(3), &mut c);
            u
        };
        let (a, b) = (mk(), mk());
        assert!(a
            .reviews
            .iter()
            .zip(&b.reviews)
            .all(|(x, y)| x.id == y.id && x.stars == y.stars && x.reply == y.reply));
        assert!(a
            .reviews
            .windows(2)
            .all(|w| w[0].id < w[1].id && w[0].created <= w[1].created));
        let n = a.reviews.len() as f64;
        let share =
            |f: &dyn Fn(&TpReview) -> bool| a.reviews.iter().filter(|r| f(r)).count() as f64 / n;
        assert!((0.55..0.65).contains(&share(&|r| r.stars == 5)));
        assert!((0.25..0.45).contains(&share(&|r| r.responded())));
        assert!((0.003..0.03).contains(&share(&|r| r.reported())));
        for n in [10, 300] {
            let mut u = unit();
            seed_reviews(&mut u, n, &mut Rng::new(7), &mut 0);
            assert!(u.reviews.iter().any(TpReview::reported), "{n}");
        }
        assert!((0.1..0.3).contains(&share(&|r| r.tags != 0)));
        assert!((0.5..0.75).contains(&share(&|r| r.lang == 0)));
        assert!(a.reviews.iter().all(|r| r.created < ANCHOR));
        let last = &a.reviews[a.reviews.len() - 1];
        assert_eq!(a.review_pos(&last.id), Some(a.reviews.len() - 1));
        assert_eq!(parse_oid(&oid_hex(&last.id)), Some(last.id));
    }

    #[test]
    fn ids_are_object_ids_with_the_creation_time() {
        let id = review_oid(0x6543_2100, &[9; 5], 0x0a_0b0c);
        assert_eq!(oid_hex(&id), "654321000909090909 0a0b0c".replace(' ', ""));
        assert_eq!(parse_oid("zz"), None);
        assert_eq!(parse_oid(&"g".repeat(24)), None);
    }
}
