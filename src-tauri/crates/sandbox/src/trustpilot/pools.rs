//! Phrase pools of the seeded Trustpilot service reviews: what customers say about a shop
//! (delivery, service, returns), not about a product, in the languages a European-facing
//! Shopify store hears from. Consumers' names come from the Trustoo half's pools.

/// One language's pools: titles and sentences by sentiment, and the shop's replies.
pub(crate) struct LangPools {
    /// ISO 639-1 code as Trustpilot reports it in `language`.
    pub code: &'static str,
    /// Titles of 4–5 star reviews.
    pub pos_titles: &'static [&'static str],
    /// Titles of 3 star reviews.
    pub mid_titles: &'static [&'static str],
    /// Titles of 1–2 star reviews.
    pub neg_titles: &'static [&'static str],
    /// Sentences of 4–5 star reviews.
    pub pos: &'static [&'static str],
    /// Sentences of 3 star reviews.
    pub mid: &'static [&'static str],
    /// Sentences of 1–2 star reviews.
    pub neg: &'static [&'static str],
    /// The shop's replies to good reviews.
    pub reply_pos: &'static [&'static str],
    /// The shop's replies to poor reviews.
    pub reply_neg: &'static [&'static str],
    /// Where reviewers writing in this language say they are (`consumer.displayLocation`).
    pub locations: &'static [&'static str],
}

/// Languages with their weights in percent (they add up to 100).
pub(crate) const LANGS: &[(LangPools, u64)] =
    &[(EN, 62), (DE, 12), (FR, 8), (NL, 7), (DA, 6), (ES, 5)];

const EN: LangPools = LangPools {
    code: "en",
    pos_titles: &[
        "Fast delivery and great service",
        "Will definitely order again",
        "Smooth from start to finish",
        "Excellent customer service",
        "Quick and well packed",
        "Really pleased",
        "Great shop, great people",
        "Exactly as described",
        "Best online shopping experience this year",
        "Easy exchange, no fuss",
    ],
    mid_titles: &[
        "Good, but delivery was slow",
        "Okay overall",
        "Decent, room to improve",
        "Mixed experience",
    ],
    neg_titles: &[
        "Parcel never arrived",
        "Still waiting for my refund",
        "Poor communication",
        "Wrong item sent",
        "Disappointed",
        "Returns process is a nightmare",
    ],
    pos: &[
        "Ordered on Sunday and it arrived on Tuesday.",
        "The parcel was beautifully packed.",
        "Customer service answered my question within an hour.",
        "Tracking updates were clear the whole way.",
        "I needed to swap a size and it was sorted in two days.",
        "Prices are fair and the checkout was easy.",
        "Everything matched the photos on the website.",
        "They even added a handwritten thank-you note.",
        "Second order this year and just as good as the first.",
        "Free returns made it an easy decision.",
    ],
    mid: &[
        "Delivery took nine days, longer than promised.",
        "The order was fine but one item came separately.",
        "Had to chase support once before getting an answer.",
        "Website is a bit slow on mobile.",
        "Packaging could use less plastic.",
    ],
    neg: &[
        "The courier marked it delivered but nothing came.",
        "I sent three emails and got one automated reply.",
        "My refund has been pending for over a month.",
        "They sent the wrong colour and want me to pay return postage.",
        "Live chat was closed every time I tried it.",
        "The discount code was refused at checkout.",
    ],
    reply_pos: &[
        "Thank you so much for the kind words! We're thrilled your order arrived quickly.",
        "Thanks for shopping with us again, it means a lot to our small team.",
        "We really appreciate you taking the time to leave a review. See you soon!",
    ],
    reply_neg: &[
        "We're sorry to hear this. Please email support@aurora-outfitters.com with your order number so we can put it right.",
        "Apologies for the delay. We've passed this on to our courier team and will be in touch today.",
        "This isn't the experience we want for you. Our customer care team has reached out by email.",
    ],
    locations: &["London, GB", "Manchester, GB", "Austin, US", "Denver, US", "Dublin, IE", "Toronto, CA", "Melbourne, AU"],
};

const DE: LangPools = LangPools {
    code: "de",
    pos_titles: &["Schnelle Lieferung", "Sehr zufrieden", "Top Kundenservice", "Gerne wieder"],
    mid_titles: &["Ganz okay", "Lieferung dauerte etwas"],
    neg_titles: &["Paket nie angekommen", "Warte noch auf Erstattung", "Enttäuschend"],
    pos: &[
        "Bestellt am Montag, am Mittwoch war das Paket da.",
        "Der Kundenservice hat sofort geantwortet.",
        "Alles wie beschrieben und gut verpackt.",
        "Umtausch ging schnell und unkompliziert.",
    ],
    mid: &[
        "Die Lieferung hat länger gedauert als angegeben.",
        "Ware gut, aber die Kommunikation könnte besser sein.",
    ],
    neg: &[
        "Laut Sendungsverfolgung zugestellt, aber nichts angekommen.",
        "Auf meine E-Mails kam keine Antwort.",
        "Die Rücksendung wurde bis heute nicht erstattet.",
    ],
    reply_pos: &["Vielen Dank für die tolle Bewertung!", "Danke, dass Sie wieder bei uns bestellt haben!"],
    reply_neg: &["Das tut uns leid. Bitte schreiben Sie uns mit Ihrer Bestellnummer, wir kümmern uns sofort darum."],
    locations: &["Berlin, DE", "München, DE", "Hamburg, DE", "Wien, AT", "Zürich, CH"],
};

const FR: LangPools = LangPools {
    code: "fr",
    pos_titles: &["Livraison rapide", "Très satisfaite", "Service client au top", "Je recommande"],
    mid_titles: &["Correct", "Livraison un peu longue"],
    neg_titles: &["Colis jamais reçu", "Toujours pas remboursé", "Déçu"],
    pos: &[
        "Commande reçue en deux jours, bien emballée.",
        "Le service client a répondu très vite.",
        "Conforme à la description, rien à redire.",
        "L'échange de taille s'est fait sans souci.",
    ],
    mid: &["Le délai de livraison était plus long que prévu.", "Bon produit mais suivi de commande peu clair."],
    neg: &[
        "Le transporteur indique livré mais je n'ai rien reçu.",
        "Aucune réponse à mes messages depuis deux semaines.",
        "Remboursement promis mais jamais effectué.",
    ],
    reply_pos: &["Merci beaucoup pour votre avis !", "Merci pour votre fidélité, à bientôt !"],
    reply_neg: &["Nous sommes désolés. Écrivez-nous avec votre numéro de commande et nous réglerons cela rapidement."],
    locations: &["Paris, FR", "Lyon, FR", "Bruxelles, BE", "Genève, CH"],
};

const NL: LangPools = LangPools {
    code: "nl",
    pos_titles: &["Snel geleverd", "Heel tevreden", "Prima service"],
    mid_titles: &["Redelijk", "Levering duurde lang"],
    neg_titles: &["Pakket nooit ontvangen", "Slechte communicatie"],
    pos: &[
        "Vandaag besteld, morgen in huis.",
        "Klantenservice reageerde binnen een uur.",
        "Netjes verpakt en precies zoals op de foto.",
    ],
    mid: &[
        "Levering duurde een week, verder prima.",
        "Moest twee keer mailen voor antwoord.",
    ],
    neg: &[
        "Volgens de bezorger afgeleverd, maar niets ontvangen.",
        "Nog steeds geen terugbetaling na vier weken.",
    ],
    reply_pos: &["Hartelijk dank voor je review!"],
    reply_neg: &["Wat vervelend! Stuur ons je ordernummer, dan lossen we het direct op."],
    locations: &["Amsterdam, NL", "Utrecht, NL", "Antwerpen, BE"],
};

const DA: LangPools = LangPools {
    code: "da",
    pos_titles: &["Hurtig levering", "Super service", "Meget tilfreds"],
    mid_titles: &["Helt okay", "Lidt lang leveringstid"],
    neg_titles: &["Pakken kom aldrig", "Dårlig kommunikation"],
    pos: &[
        "Bestilt om aftenen og leveret næste dag.",
        "Kundeservice svarede hurtigt og venligt.",
        "Flot indpakket og præcis som beskrevet.",
    ],
    mid: &[
        "Leveringen tog en uge, ellers fint.",
        "Varen var god, men sporingen virkede ikke.",
    ],
    neg: &[
        "Pakken er registreret som leveret, men jeg har intet modtaget.",
        "Venter stadig på min refusion.",
    ],
    reply_pos: &["Tusind tak for din anmeldelse!"],
    reply_neg: &["Det er vi kede af. Skriv til os med dit ordrenummer, så hjælper vi dig."],
    locations: &["København, DK", "Aarhus, DK", "Odense, DK"],
};

const ES: LangPools = LangPools {
    code: "es",
    pos_titles: &["Envío rapidísimo", "Muy contenta", "Atención excelente"],
    mid_titles: &["Correcto", "Tardó un poco"],
    neg_titles: &["El paquete nunca llegó", "Sin respuesta"],
    pos: &[
        "Pedido recibido en dos días y bien embalado.",
        "Atención al cliente respondió enseguida.",
        "Todo tal y como en la web.",
    ],
    mid: &[
        "El envío tardó más de lo indicado.",
        "Bien, aunque el seguimiento no se actualizaba.",
    ],
    neg: &[
        "Figura como entregado pero no he recibido nada.",
        "Llevo un mes esperando el reembolso.",
    ],
    reply_pos: &["¡Muchas gracias por tu reseña!"],
    reply_neg: &["Lo sentimos mucho. Escríbenos con tu número de pedido y lo solucionamos."],
    locations: &["Madrid, ES", "Barcelona, ES", "Valencia, ES"],
};

/// Tags a merchant put on reviews (group, value). `generic` is the group Trustpilot Business
/// shows (SEEN-DOC); the others stand for tags set by an integration.
pub(crate) const TAGS: &[(&str, &str)] = &[
    ("generic", "Delivery"),
    ("generic", "Customer service"),
    ("generic", "Returns"),
    ("generic", "Sizing"),
    ("generic", "Follow up"),
    ("ProductGroup", "Outerwear"),
    ("ProductGroup", "Footwear"),
    ("Channel", "Shopify"),
];

/// `source` of a review: how it was collected (exact values UNKNOWN; `AFS` and `Organic` are
/// SEEN-3P). Index 0 and 1 are invited reviews, 2 and 3 organic.
pub(crate) const SOURCES: &[&str] = &["AFS", "InvitationLinkApi", "Organic", "BasicLink"];

/// Report reasons as (`reasons[]` entry, `reason`) — SEEN-DOC example values plus the other
/// documented report grounds written the same way.
pub(crate) const REPORT_REASONS: &[(&str, &str)] = &[
    ("consumerIsCompetitor", "consumer_is_competitor"),
    ("sensitiveInformation", "sensitive_information"),
    ("harmfulOrIllegal", "harmful_or_illegal"),
    (
        "notBasedOnGenuineExperience",
        "not_based_on_genuine_experience",
    ),
    ("advertisingOrPromotional", "advertising_or_promotional"),
];

/// Public comments a business leaves when it reports a review.
pub(crate) const REPORT_COMMENTS: &[&str] = &[
    "We have no record of this person as a customer.",
    "The review contains a customer's phone number.",
    "This reviewer works for a competing shop.",
];
