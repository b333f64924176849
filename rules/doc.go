// Package rules owns Vigil's deterministic matching: loading, validating,
// compiling and matching versioned YAML rule packs and entity dictionaries,
// and returning what fired with spans into the original text. It is the
// pipeline stage "rules" (Engine), between tokenize and classify.
//
// # Packs
//
// A pack is a YAML file; the shipped ones are embedded from rules/packs, and
// a deployment adds its own directory (vigil classify --rules DIR). Every
// *.yaml file of both is loaded into one Set. A file has these keys, all
// optional but one of rules or entities:
//
//	pack: recruitment            # a name, for people
//	description: ...
//	lists:                       # named term lists, usable as $name by any pack
//	  join_ru: ["=вступай", "=вступайте", "=присоединяйся"]
//	  bad_ru:  [джихад, моджахед, халифат, "@banned"]
//	  bad:     ["$bad_ru", "$bad_kk"]  # a list may name lists: their terms, to any depth
//	  figures: ["$pets NEAR/3 $war"]  # and hold NEAR pairs, when named alone (any: ["$figures"]),
//	                             # never on a side of NEAR; under all, one of its terms is enough
//	rules:
//	  - id: rec.ru.join          # unique across all packs
//	    description:             # what the rule finds, in plain words, for moderators:
//	      ru: Призыв вступить рядом со словами о джихаде     # the page shows it in the
//	      kk: Қосылуға шақыру, жанында жиһад туралы сөздер   # moderator's language instead
//	      en: A call to join next to words of jihad          # of the id; one string is English
//	    languages: [ru]          # ru, kk, en; default: every language
//	    kinds: [comment]         # article, comment; default: both
//	    mode: live               # or shadow: evaluated and counted, changes nothing
//	    severity: high           # low, medium, high, critical
//	    action: {flag: extremist_recruitment, weight: 0.6}
//	                             # or {flag: extremist_recruitment, cue: call}: no weight, marks a
//	                             #    cue (call, cause) the flag's combiner weighs
//	                             # or {tag: government, score: 0.84}: the score is the
//	                             # rule's measured precision, a probability; body_score
//	                             # (optional, at most score) is its precision when every
//	                             # hit lies in a long body, where most are passing mentions;
//	                             # model_floor (optional) the least probability the topic model
//	                             # must give the tag for this rule's tag to stand, where the
//	                             # taxonomy's rule_floor asks more (a rule that reads an act)
//	                             # or {entity: {type: org, canonical: "...", banned: true}}
//	    min_hits: 1              # distinct mentions needed (topic rules use 2-3); a tag
//	                             # rule firing only in a long body (over 80 words) needs 2
//	                             # and one per 100 words of it, at most 8
//	    any:  ["$join_ru NEAR/6 $bad_ru"]   # at least one must match
//	    all:  [...]                          # every one must match
//	    none: ["вербовщик*", "приговор*"]    # none may match, in any field of the document
//	    match:    ["Братья, присоединяйтесь к моджахедам"]
//	    no_match: ["КНБ: вербовщики призывают вступать в ИГИЛ"]
//	entities:
//	  - canonical: Исламское государство
//	    type: org                # org, state_body, official, place
//	    banned: true
//	    banned_date: "2015-10-15"
//	    aliases: [Исламское государство, ИГИЛ, ДАИШ]
//	    abbreviations: [ИГ]      # exact forms; 1-2 capitals must be capitals in the text
//	    kk: [Ислам мемлекеті]
//	    en: [Islamic State, ISIS]
//	    cased: [IS]              # forms that must be upper case in the text
//	    proper: [Семей]          # forms that must be capitalized ("семей" is a word)
//
// A list item under any/all/none is a term string, a regex {re: '...'}, or
// a nested group {any: [...]}, {all: [...]}, {none: [...]}. Every rule
// carries match: and no_match: examples (strings, or {text, lang, kind});
// `vigil rules test` runs them.
//
// A rule that can raise a flag (action flag, with a weight or a cue) is
// shown to moderators: the review page explains a flag's evidence with its
// rules' descriptions, so lint fails on a live flag rule whose description
// lacks ru, kk or en (a shadow one: a warning). For tag and entity rules a
// description is optional; one string is an English note for editors, and
// a description begun in Russian or Kazakh must be finished (a warning).
// Descriptions reads them without compiling the packs.
//
// # Terms
//
// Terms are matched on the normalized text (pipeline.Normalize: lower case,
// ё→е, NFKC, evasion undone), so rule terms are written that way; lint and
// loading refuse upper case and ё. Dictionary forms are written in natural
// case and folded when loaded.
//
//	джихад            the word and its inflections (джихада, джихаду…)
//	=иг               this exact form only
//	вербов*           any word starting with вербов
//	пиши в личку      a phrase: consecutive words, each as above
//	аль-каида         inner punctuation splits a phrase: matches "аль каиды" too
//	A NEAR/5 B        A and B with at most 5 words between them, either order
//	@banned           any banned organization of the dictionaries;
//	                  also @org, @state_body, @official, @place
//	$name             any term of the list name (alone or on a side of NEAR)
//
// Words are runs of Unicode letters, digits and combining marks; anything
// else separates them.
//
// # Morphology
//
// A plain word matches a text word when their Russian Snowball stems
// (github.com/kljensen/snowball, after ё→е) are equal, or when the text
// word's stem lies between the term's stem and the term ("астане" for
// "астана"); Latin words use English Snowball. In Kazakh documents a text
// word also matches when stripping up to four Kazakh case, possessive and
// plural endings gives the term, undoing the voicing of a final п/к/қ
// (кітабы → кітап); only the text word is stripped, so "алма" (apple) never
// meets "Алматы". Words under three letters, and words with digits, match
// exactly.
//
// # Matching
//
// Every literal — each word's exact form, prefix or shortest stem — is one
// pattern of a single Aho-Corasick automaton (github.com/coregx/ahocorasick,
// overlapping mode; tests check it against a brute-force search). The text
// is read word by word: each word, transcoded to one byte per letter and
// preceded by a word mark, runs through the automaton, so matches can only
// start at word starts and the walk stays in the automaton's hot states.
// Candidates then pass the morphology check (Snowball through a cache, only
// on candidates). When the automaton outgrows the CPU cache (thousands of
// terms), what each word matched is memoized, since most words of a text
// are words seen before. Phrases join consecutive word hits, NEAR pairs hits by
// word ordinal, entity aliases become entities and @class hits, and only
// rules with a hit are evaluated. Cost is linear in the text and nearly
// flat in the number of rules.
//
// # Serving and reload
//
// Engine serves a compiled Set through an atomic pointer. Reload re-reads
// the files and, when they changed, compiles a new Set and swaps it in; a
// broken pack is refused with every error as file:line and the previous set
// keeps serving. A document always sees one whole set, whose version (a
// content hash, "rules-7d41e0") is in its verdict. Shadow rules fire into
// Options.OnShadow and Engine.ShadowCounts only.
//
// # Checking packs
//
//	vigil rules lint [DIR]   schema, duplicate ids, over-broad terms (short
//	                         prefixes, lone stopwords), terms normalization
//	                         never produces, ASCII-only or huge regex
//	vigil rules test [DIR]   every rule's examples, each miss as file:line
//
// Both run in CI; TestShippedPacks runs them in go test too.
package rules
