/**
 * What people write when they answer a request, as tables per language: the words and idioms that
 * approve or decline, the hedges, conditions and deferrals that make an answer unclear, and the
 * marks of mail no person wrote (auto-replies, out-of-office notes, bounces). ReplyParser reads
 * replies with them. Entries are written as people write them; they are matched case-, accent-
 * and ß/ss-insensitively, word by word ("nötig" = "notig", "I’ll" = "i'll").
 */

/**
 * - approve / decline: a decision.
 * - hedge: doubt, or the decision put off ("maybe", "let me check", "wait"): the reply is
 *   unclear, wherever in the answer it stands.
 * - condition: a condition or a time ("once", "if", "after", "next week"): the reply is unclear
 *   when it qualifies the answer — in the sentence that decides, in a question ("Can we do it
 *   after the call?"), or opening a sentence ("Yes. Once legal has signed off.") — but not in a
 *   remark ("Yes please. We're meeting them next week.").
 * - but: a restriction after a yes ("ok, but only …", "ja, aber nicht …"); a bare "but" is not one
 *   ("OK, but keep it short"), and a no stays a no ("no, but thanks for asking").
 * - polite: "let me know if you need anything": the conditions of that sentence are courtesy.
 * - neutral: hides its words ("no further questions" has no "no" in it).
 * - need: says nothing, but negated it declines ("I don't think that's necessary", "ich glaube
 *   nicht, dass das nötig ist").
 */
export type Cue = "approve" | "decline" | "hedge" | "condition" | "but" | "polite" | "neutral" | "need"

/**
 * Where a word counts in its clause:
 * - any: anywhere ("approved", "genehmigt").
 * - lead: at the start ("Sure, …", "Klar, mach ruhig"; not "I'm sure they'd like it").
 * - edge: at the start or the end ("Pass.", "Gerne!"; not "pass it on to Tom").
 * - answer: like edge, and also at the start before a pronoun or a courtesy ("No, thanks", "No we
 *   don't", "The answer is no", "Ja wir machen das"; not "no laptop with me until Monday").
 * - alone: as the whole clause ("Go!", "Perfect, thanks"; not "go to the website").
 * - end: at the end ("ask Tom first"; not "our first meeting").
 * Fillers ("oh", "thanks", "bitte" …) do not count when deciding where a word stands.
 */
export type Position = "any" | "lead" | "edge" | "answer" | "alone" | "end"

export interface PhraseTable {
  readonly approve: ReadonlyArray<string>
  readonly approveLead?: ReadonlyArray<string>
  readonly approveEdge?: ReadonlyArray<string>
  readonly approveAnswer?: ReadonlyArray<string>
  readonly approveAlone?: ReadonlyArray<string>
  readonly decline: ReadonlyArray<string>
  readonly declineEdge?: ReadonlyArray<string>
  readonly declineAnswer?: ReadonlyArray<string>
  readonly declineAlone?: ReadonlyArray<string>
  readonly hedge: ReadonlyArray<string>
  readonly hedgeEnd?: ReadonlyArray<string>
  readonly condition: ReadonlyArray<string>
  readonly but: ReadonlyArray<string>
  readonly polite: ReadonlyArray<string>
  readonly neutral: ReadonlyArray<string>
  readonly need: ReadonlyArray<string>
}

export const ENGLISH: PhraseTable = {
  approve: [
    "yes", "yep", "yup", "yeah", "yes please", "approve", "approved", "i approve", "ok", "okay", "okey",
    "confirm", "confirmed", "agree", "agreed", "accept", "accepted", "granted", "fine", "fine by me",
    "fine with me", "works for me", "ok with me", "okay with me", "ok for me", "all good", "good to go",
    "it's a go", "go ahead", "go on", "go for it", "go right ahead", "let's go", "proceed", "please proceed",
    "do it", "do that", "just do it", "please do", "let's do it", "let's do this", "green light", "greenlight",
    "you have my approval", "you have my ok", "you have my blessing", "sounds good", "sounds great",
    "sounds fine", "looks good", "lgtm", "good idea", "great idea", "of course", "by all means", "feel free",
    "happy for you to", "happy with that", "absolutely", "definitely", "certainly", "sure thing", "for sure",
    "why not", "no problem", "no prob", "no problemo", "no worries", "no objection", "no objections",
    "no concerns", "no issues", "no issue", "nothing against it", "that works", "this works", "works for us",
    "👍", "✅", "✔", "☑", "✓", "👌", "🆗", "🙌"
  ],
  approveLead: ["sure", "gladly", "alright"],
  approveAlone: ["go", "great", "perfect", "super", "cool", "excellent", "awesome", "brilliant", "np"],
  decline: [
    "decline", "declined", "i decline", "disapprove", "disapproved", "reject", "rejected", "deny", "denied",
    "refuse", "refused", "cancel", "cancelled", "canceled", "stop", "veto", "nope", "nah", "no thanks",
    "no thank you", "no way", "no go", "no-go", "not approved", "not interested", "not needed",
    "not necessary", "not required", "unnecessary", "no need", "don't need", "do not need", "don't bother",
    "don't think so", "i don't think so", "forget it", "forget about it", "leave it", "drop it", "rather not",
    "i'd rather not", "better not", "please don't", "let's not", "not this time", "not this one", "skip",
    "skip it", "skip this", "skip that", "we can skip that one", "let's skip", "i'll pass", "we'll pass",
    "pass on this", "pass on that", "pass for now", "no dossier", "no research", "absolutely not",
    "definitely not", "certainly not", "of course not", "👎", "❌", "🚫", "⛔", "🛑"
  ],
  declineEdge: ["pass"],
  declineAnswer: ["no"],
  declineAlone: ["don't", "afraid not", "i'm afraid not", "sadly not", "unfortunately not"],
  hedge: [
    // uncertainty
    "maybe", "perhaps", "possibly", "probably", "likely", "presumably", "not sure", "unsure", "not certain",
    "uncertain", "unclear", "no idea", "don't know", "do not know", "dunno", "idk", "i think", "i believe",
    "i guess", "i suppose", "i assume", "i feel", "think so", "guess so", "kind of", "sort of",
    "in principle", "theoretically", "not necessarily", "not yet", "not now", "not right now",
    "not at the moment", "doubt", "i doubt", "depends", "it depends", "depending",
    // the decision put off
    "wait", "hold on", "hold off", "on hold", "pause",
    "let me check", "let me ask", "let me think", "let me see", "let me get back", "i'll check", "i will check",
    "i'll ask", "i will ask", "need to check", "need to ask", "need to confirm", "have to check",
    "have to ask", "must check", "must ask", "check with", "ask my", "ask our", "ask the", "run it by",
    "double-check", "double check", "think about it", "thinking about it", "sleep on it", "get back to you",
    "get back to", "come back to you", "circle back", "i'll confirm", "will confirm", "i'll let you know",
    "will let you know", "let you know", "i'll decide", "will decide", "to be decided", "tbd", "tbc",
    "to be confirmed", "clarify", "clarifying", "verify", "consult", "discuss", "need to discuss"
  ],
  hedgeEnd: ["first"],
  condition: [
    "if", "once", "as soon as", "only if", "provided", "provided that", "providing", "unless", "assuming",
    "as long as", "subject to", "pending", "on condition", "after", "afterwards", "until", "not until",
    "not before", "later", "later on", "next week", "next month", "next year", "next quarter",
    "in a few days", "tomorrow"
  ],
  but: [
    "but not", "but don't", "but do not", "but only", "but just", "but first", "but wait", "though not",
    "however not", "just not", "except", "except for", "apart from"
  ],
  polite: [
    "let me know", "if you need", "if you have any", "if there are any", "if anything", "any questions",
    "questions", "don't hesitate", "do not hesitate", "reach out", "feel free to reach", "happy to help",
    "if needed", "if necessary", "if possible", "if you can", "if that helps", "if you like", "if you want"
  ],
  neutral: [
    "no further questions", "no questions", "no more questions", "maybe next time", "another time",
    "next time", "no rush", "no hurry", "good morning", "good afternoon", "thanks for asking",
    "thank you for asking", "after all", "first of all", "can't wait", "let's"
  ],
  need: ["necessary", "needed", "required", "need it", "need that", "need this"]
}

export const GERMAN: PhraseTable = {
  approve: [
    "jawohl", "jawoll", "jep", "jup", "jupp", "ja bitte", "ja gerne", "ja gern", "freigeben", "bitte freigeben",
    "freigegeben", "freigabe erteilt", "genehmigt", "genehmige", "ich genehmige", "einverstanden", "passt",
    "passt schon", "passt so", "passt mir", "passt gut", "bestätigt", "bestätige", "zugestimmt",
    "ich stimme zu", "stimme zu", "alles klar", "na klar", "klar doch", "aber klar", "geht klar", "ist klar",
    "in ordnung", "geht in ordnung", "ist in ordnung", "ist gut", "ist ok", "klingt gut", "hört sich gut an",
    "sieht gut aus", "gute idee", "kein problem", "kein thema", "keine einwände", "keine bedenken",
    "nichts dagegen", "habe nichts dagegen", "grünes licht", "gerne doch", "aber gerne", "sehr gerne",
    "mach ruhig", "macht ruhig", "machen sie ruhig", "mach nur", "mach das", "mach es", "mach mal", "machen",
    "machen wir", "machen sie das", "kannst du machen", "kann man machen", "können sie machen",
    "gerne machen", "bitte machen", "lass uns das machen", "leg los", "legt los", "legen sie los",
    "leg gleich los", "kann losgehen", "kann los gehen", "los geht's", "nur zu", "von mir aus",
    "meinetwegen", "auf jeden fall", "unbedingt", "selbstverständlich", "warum nicht", "wieso nicht",
    "lass es uns machen", "lass uns loslegen", "loslegen"
  ],
  approveLead: ["klar", "natürlich", "sicher", "absolut", "definitiv", "jo", "okidoki", "oki"],
  approveEdge: ["gerne", "gern"],
  approveAnswer: ["ja"],
  approveAlone: ["gut", "prima", "top", "toll", "perfekt", "wunderbar", "bestens", "los"],
  decline: [
    "nein", "nein danke", "nee", "ablehnen", "abgelehnt", "lehne", "lehne ab", "ich lehne ab", "absagen",
    "abgesagt", "abbrechen", "stopp", "lieber nicht", "besser nicht", "eher nicht", "bitte nicht",
    "bitte nicht machen", "nicht machen", "ja nicht", "ja nicht machen", "auf keinen fall", "keinesfalls", "nicht freigeben",
    "nicht freigegeben", "nicht genehmigt", "lass mal", "lass mal gut sein", "lass es", "lass das", "lasst es",
    "lassen wir", "lassen wir das", "lassen sie es", "lassen sie das", "nicht nötig", "nicht notwendig",
    "nicht erforderlich", "unnötig", "nicht gewünscht", "nicht erwünscht", "brauchen wir nicht",
    "brauche ich nicht", "braucht es nicht", "braucht's nicht", "brauchts nicht", "benötigen wir nicht", "kein bedarf",
    "kein interesse", "keine recherche", "kein dossier", "sparen wir uns", "können wir uns sparen",
    "kannst du dir sparen", "spar dir", "vergiss es", "finger weg", "diesmal nicht", "dieses mal nicht",
    "glaube nicht", "denke nicht", "ich glaube nicht", "ich denke nicht", "sicher nicht", "bestimmt nicht",
    "skippen"
  ],
  declineAlone: ["leider nicht", "eher nein"],
  hedge: [
    // uncertainty
    "vielleicht", "eventuell", "evtl", "möglicherweise", "wahrscheinlich", "vermutlich", "eher ja",
    "nicht sicher", "unsicher", "unklar", "nicht klar", "keine ahnung", "weiß nicht", "weiss nicht",
    "ich glaube", "ich denke", "glaube ich", "denke ich", "ich vermute", "ich nehme an", "grundsätzlich",
    "im prinzip", "prinzipiell", "eigentlich", "theoretisch", "tendenziell", "noch nicht", "jetzt nicht",
    "gerade nicht", "momentan nicht", "im moment nicht", "nicht unbedingt", "bezweifle", "zweifel",
    "kommt drauf an", "kommt darauf an", "hängt davon ab", "je nachdem",
    // the decision put off
    "nach rücksprache", "vorher", "zuerst", "warte",
    "warten", "abwarten", "moment", "pausieren", "lass mich", "lass mal sehen", "lass mal schauen",
    "lass mich überlegen", "ich kläre", "kläre das", "klären", "abklären", "ich prüfe", "prüfe das",
    "prüfen wir", "muss prüfen", "muss noch", "müssen noch", "muss erst", "müssen erst", "muss fragen",
    "ich frage", "ich frag", "frage mal", "frag mal", "frage nach", "nachfragen", "fragen wir",
    "muss ich fragen", "rücksprache", "abstimmen",
    "ich stimme mich", "überlegen", "ich überlege", "nachdenken", "entscheide", "entscheiden",
    "besprechen", "ich melde mich", "melde mich", "ich gebe bescheid", "ich geb bescheid",
    "gebe bescheid", "ich sage bescheid", "ich sag bescheid", "sage bescheid", "ich komme zurück",
    "komme darauf zurück"
  ],
  condition: [
    "wenn", "falls", "sofern", "sobald", "nur wenn", "nur falls", "vorausgesetzt", "es sei denn",
    "solange", "unter der bedingung", "vorbehaltlich", "nachdem", "nach dem", "nach der", "erst",
    "nicht vor", "später", "nächste woche", "nächsten monat", "nächstes jahr", "kommende woche",
    "in ein paar tagen", "morgen früh"
  ],
  but: [
    "aber nicht", "aber nur", "aber erst", "aber kein", "aber keine", "aber bitte nicht", "aber vorher",
    "jedoch nicht", "jedoch nur", "allerdings nicht", "allerdings nur", "nur nicht", "außer", "ausgenommen"
  ],
  polite: [
    "bei fragen", "bei rückfragen", "falls fragen", "wenn fragen", "falls ihr", "falls du noch",
    "falls sie noch", "wenn du noch", "wenn sie noch", "wenn ihr noch", "melde dich", "meld dich",
    "melden sie sich", "meldet euch", "gib bescheid", "gib mir bescheid", "sag bescheid", "sagt bescheid",
    "geben sie bescheid", "zögern sie nicht", "helfe gerne", "noch was", "noch etwas", "sonst noch",
    "lass mich wissen", "lasst mich wissen", "lassen sie mich wissen", "wenn möglich", "falls möglich",
    "wenn es geht", "wenn's geht", "falls das hilft", "wenn du magst", "wenn ihr wollt"
  ],
  neutral: [
    "keine fragen", "keine weiteren fragen", "vielleicht nächstes mal", "vielleicht ein andermal",
    "ein andermal", "ein anderes mal", "nächstes mal", "guten morgen", "guten tag", "danke der nachfrage",
    "danke für die nachfrage", "keine eile", "lass uns", "lasst uns"
  ],
  need: ["nötig", "notwendig", "erforderlich", "gebraucht", "benötigt"]
}

export const TABLES: ReadonlyArray<PhraseTable> = [ENGLISH, GERMAN]

/** Words that turn a yes into a no ("not ok", "kein OK") and a no into nothing ("don't cancel"). */
export const NEGATORS = [
  "not", "don't", "dont", "doesn't", "didn't", "isn't", "aren't", "wasn't", "won't", "wouldn't", "can't",
  "cannot", "couldn't", "shouldn't", "haven't", "hasn't", "never", "nicht", "kein", "keine", "keinen",
  "keinem", "keiner", "nie", "niemals", "nix"
]

/** German can put the negation after the word: "das passt mir nicht", "genehmigt ist es nicht". */
export const NEGATED_AFTER = [
  "passt", "einverstanden", "genehmigt", "freigegeben", "ok", "okay", "gut", "machen", "machen wir",
  "unbedingt", "natürlich", "gerne", "gern"
]

/** Negated, these are doubt, not a no: "not so sure", "mir ist nicht klar". */
export const CERTAINTY = ["sure", "klar", "sicher", "certain", "definitely", "definitiv"]

/** Ignored when deciding where a word stands in its clause ("Oh, sure", "Ja, bitte", "Sorry, no"). */
export const FILLERS = [
  "oh", "ah", "ahh", "aha", "hm", "hmm", "well", "also", "na", "and", "und", "then", "dann", "hi", "hey",
  "hallo", "moin", "servus", "sorry", "leider", "unfortunately", "sadly", "afraid", "thanks", "thank", "you",
  "thx", "danke", "dir", "ihnen", "euch", "please", "pls", "bitte", "very", "much", "sehr", "vielen", "many",
  "ganz", "really", "echt", "doch", "mal", "schon", "einfach", "just", "from", "me", "von", "mir", "my",
  "side", "seite", "meiner", "for", "now", "erstmal", "es", "das", "it", "that", "this", "is", "ist", "the",
  "answer", "antwort", "die", "team", "all", "folks", "zusammen", "guys", "leute", "again", "nochmal", "though",
  "anyway", "so",
  // A yes before another yes: "Ja klar", "Yes sure", "Ok go".
  "ja", "yes", "ok", "okay", "jo"
]

/**
 * After a standalone "no" these still leave it a no ("No, we don't", "No thank you"); any other
 * word makes "no" part of a phrase ("no laptop with me", "no budget").
 */
export const AFTER_NO = [
  "thanks", "thank", "danke", "sorry", "leider", "please", "bitte", "we", "i", "you", "they", "it", "that",
  "this", "not", "don't", "do", "dont", "let's", "wir", "ich", "das", "nicht", "lieber"
]

// ---------------------------------------------------------------------------------------------
// Mail no person wrote

/** Sender mailboxes of bounces and robots. */
export const MACHINE_SENDERS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+-].*)?$/i

/**
 * Subjects of auto-replies, out-of-office notes, bounces and read receipts (English, German; the
 * prefixes Outlook, Exchange, Gmail and the usual mail servers put there).
 */
export const AUTOMATIC_SUBJECTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(automatic reply|automatische antwort|auto(matic)?[ -]?re(ply|sponse)|autoreply|autoantwort)\b/i, "auto-reply"],
  [/\b(out of (the )?office|out-of-office|abwesenheitsnotiz|abwesenheit|ooo)\b/i, "out of office"],
  [/^(abwesend|vacation|urlaub|on leave|away)\s*[:(-]/i, "out of office"],
  [/^(undeliverable|unzustellbar|nicht zustellbar|undelivered mail|returned mail|mail delivery failed)\b/i, "bounce"],
  [/\b(delivery status notification|delivery (has )?failed|delivery failure|failure notice|non[- ]?delivery)\b/i, "bounce"],
  [/\b(zustellung (ist )?fehlgeschlagen|zustellungsbericht|unzustellbar)\b/i, "bounce"],
  [/^(read|gelesen|lesebestätigung|read receipt|not read|ungelesen)\s*:/i, "read receipt"]
]

/**
 * Texts that only machines write. Matched on the accent-free lower-case text ("außer" is
 * "ausser", "Büro" is "buro").
 */
export const AUTOMATIC_BODIES: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /\bthis is an? (automatic(ally generated)?|automated|auto-generated) (reply|response|message|notification|e-?mail)\b/,
    "auto-reply"
  ],
  [/\b(automatic reply|auto-?reply|autoreply|automatische antwort|abwesenheitsnotiz)\b/, "auto-reply"],
  [/\b(dies ist eine|diese) automatische (antwort|nachricht|benachrichtigung|e-?mail)\b/, "auto-reply"],
  [/\bdiese (nachricht|e-?mail|mail) wurde automatisch (generiert|erstellt|versendet|verschickt)\b/, "auto-reply"],
  [/\b(could ?n[o']t|can ?n[o']t|was ?n[o']t|could not|cannot) be delivered\b/, "bounce"],
  [/\b(delivery (to the following recipients? )?(has )?failed|undeliverable|mail delivery failed)\b/, "bounce"],
  [/\bmessage not delivered\b/, "bounce"],
  [/\b(address not found|user unknown|mailbox (unavailable|not found|full)|recipient address rejected)\b/, "bounce"],
  [/\bcreated automatically by mail delivery software\b/, "bounce"],
  [/\b(konnte nicht (an .{1,80} )?zugestellt werden|unzustellbar|zustellung (ist )?fehlgeschlagen)\b/, "bounce"],
  [/\bempfanger (wurde )?nicht gefunden\b/, "bounce"]
]

/**
 * How people say they are away. A reply saying only this is an out-of-office note, whoever sent
 * it; one that also decides or gives the company is a reply.
 */
export const AWAY_BODIES: ReadonlyArray<RegExp> = [
  /\bout of (the )?office\b/,
  /\b(i am|i'm|i will be|i'll be|currently) (currently )?(away|travel+ing)\b/,
  /\b(i am|i'm|i will be|i'll be) (currently )?on (a )?(business trip|vacation|holidays?|(annual |parental |sick )?leave)\b/,
  /\bon (annual |parental |sick )?(leave|vacation|holiday)\b/,
  /\b(limited|no) access to (my )?e-?mails?\b/,
  /\b(no|without( a)?|don't have (a|my)) laptop\b/,
  /\b(back in the office|return(ing)? to the office|be back (on|at|in|next)|i will return|i'll return)\b/,
  /\b(for urgent matters|in urgent cases|if (it is|it's) urgent)\b/,
  /\b(im|in) urlaub\b/, /\burlaubsbedingt\b/, /\bausser haus\b/, /\bnicht im (buro|haus)\b/,
  /\b(bin|ist|sind) (derzeit |zurzeit |aktuell |bis .{1,30} )?(abwesend|unterwegs|auf (dienst|geschafts)?reisen?)\b/,
  /\b(dienstreise|geschaftsreise|elternzeit)\b/,
  /\b(eingeschrankt|nicht|wieder) erreichbar\b/, /\bwieder im buro\b/,
  /\bkeinen? (zugriff auf (meine )?e-?mails|laptop)\b/, /\bin dringenden fallen\b/
]

// ---------------------------------------------------------------------------------------------
// Company and domain in free text

/** Before a domain, these say it is not the one: "not acme.com", "statt acme.com", "the old acme.com". */
export const DOMAIN_NOT_BEFORE = [
  "not", "nicht", "kein", "keine", "statt", "anstatt", "instead", "than", "old", "alte", "alten", "former",
  "frühere", "ehemalige", "previously", "früher", "wrong", "falsche", "falsch"
]

/** After a domain: "acme.com is wrong", "acme.com gehört jemand anderem", "acme.com ist veraltet". */
export const DOMAIN_NOT_AFTER = [
  "wrong", "falsch", "veraltet", "outdated", "old", "alt", "is not", "isn't", "ist nicht", "not theirs",
  "belongs to someone", "belongs to another", "is someone else's", "gehört jemand", "gehört jemandem",
  "gehört einem anderen", "gehört nicht", "no longer", "not anymore", "nicht mehr", "parked", "geparkt",
  "redirects", "leitet weiter"
]

/**
 * Words that introduce a company's name ("the company is …", "Firma ist …"); the name follows.
 * Names after "it's …", "das ist die …" count only with a legal form ("das ist die Nordwind GmbH").
 */
export const COMPANY_INTRO = new RegExp(
  "\\b(?:(?:the )?(?:company|customer|client|prospect|account|firm|organi[sz]ation)(?:'s)?(?: name)?" +
    " (?:is|was|would be|should be|is called)|" +
    "(?:die |der |das )?(?:firma|kunde|kundin|unternehmen|gesellschaft|firmenname|kundenname)" +
    " (?:ist|heißt|heisst|lautet|wäre|war))\\s+(?:die |der |das |the )?",
  "iu"
)

/** Not names, though capitalised at the start of a sentence. */
export const NOT_NAMES = [
  "ja", "nein", "yes", "no", "das", "die", "der", "dem", "den", "des", "es", "it's", "it", "the", "this", "that",
  "bei", "mit", "with", "at", "firma", "company", "kunde", "customer", "client", "sure", "ok", "okay", "klar",
  "hi", "hallo", "dear", "liebe", "lieber", "and", "und", "is", "ist", "their", "ihre", "our", "unsere", "a",
  "an", "ein", "eine", "einer", "we", "wir", "i", "ich", "they", "sie", "website", "webseite", "domain",
  "meeting", "termin", "call", "re", "aw", "approved", "freigegeben", "thanks", "danke"
]

/** Legal forms that end a company's name ("Müller & Söhne GmbH & Co. KG", "Brightwave Solutions Ltd"). */
export const LEGAL_FORMS = [
  "GmbH", "gGmbH", "mbH", "AG", "KG", "KGaA", "OHG", "SE", "UG", "GbR", "eG", "e.K.", "e.V.", "Ltd", "Ltd.",
  "Limited", "LLC", "Inc", "Inc.", "Corp", "Corp.", "Corporation", "PLC", "plc", "LLP", "S.A.", "SA", "SAS",
  "SARL", "B.V.", "BV", "N.V.", "NV", "AB", "Oy", "S.p.A.", "SpA", "S.r.l.", "Srl", "Pty", "Co.", "Co"
]

/** Questions that answer: "Why not?", "Warum nicht?". Other questions decide nothing. */
export const ANSWERING_QUESTIONS = ["why not", "warum nicht", "wieso nicht", "weshalb nicht"]
