package review

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The moderators' page speaks Russian, Kazakh and English. Every string
// the page shows is an English key; the Russian and Kazakh catalogs below
// give its translation, and a key missing from a catalog shows in English
// (TestCatalogsComplete keeps them complete). The strings are loaded into a
// golang.org/x/text/message catalog, so formats such as "%d min" are
// printed by a message.Printer of the chosen language. The catalogs are Go
// maps rather than gotext-generated files: they are small, edited by hand
// next to the templates, and need no generation step in the build.

// LangCookie remembers the language a moderator switched to.
const LangCookie = "vigil_lang"

// pageLangs are the page's languages; the first is the fallback.
var pageLangs = []language.Tag{language.English, language.Russian, language.Kazakh}

var langMatcher = language.NewMatcher(pageLangs)

// langNames are the names of the languages in the switch, each in itself.
var langNames = []struct{ Code, Name string }{{"ru", "Русский"}, {"kk", "Қазақша"}, {"en", "English"}}

// pageLang picks the page's language: the switch's cookie first, then the
// browser's Accept-Language, then English. It returns "en", "ru" or "kk".
func pageLang(r *http.Request) string {
	var cookie string
	if c, err := r.Cookie(LangCookie); err == nil {
		cookie = c.Value
	}
	tag, _ := language.MatchStrings(langMatcher, cookie, r.Header.Get("Accept-Language"))
	base, _ := tag.Base()
	switch base.String() {
	case "ru", "kk":
		return base.String()
	}
	return "en"
}

var pageCatalog = func() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for lang, m := range catalogs {
		tag := language.MustParse(lang)
		for k, v := range m {
			if err := b.SetString(tag, k, v); err != nil {
				panic(err) // the catalogs are fixed at build time
			}
		}
	}
	return b
}()

// tr translates the page's strings into one language.
type tr struct {
	lang string
	p    *message.Printer
}

// trs are the translators of the page's languages.
var trs = map[string]*tr{"en": newTr("en"), "ru": newTr("ru"), "kk": newTr("kk")}

// trOf is the translator of the request's language.
func trOf(r *http.Request) *tr { return trs[pageLang(r)] }

func newTr(lang string) *tr {
	return &tr{lang: lang, p: message.NewPrinter(language.MustParse(lang), message.Catalog(pageCatalog))}
}

// T translates key; extra arguments fill its format verbs.
func (t *tr) T(key string, args ...any) string {
	if len(args) == 0 {
		if s, ok := catalogs[t.lang][key]; ok {
			return s
		}
		return key
	}
	return t.p.Sprintf(key, args...)
}

// Date is t in the page language's usual form (the page's script then
// shows it in the browser's own time zone).
func (t *tr) Date(at time.Time) string {
	switch t.lang {
	case "ru", "kk":
		return at.UTC().Format("02.01.2006 15:04")
	}
	return at.UTC().Format("2 Jan 2006 15:04")
}

// catalogs hold the Russian and Kazakh strings of the page, keyed by the
// English text.
var catalogs = map[string]map[string]string{
	// English needs only words for the page's machine names.
	"en": {"extremist_recruitment": "extremist recruitment"},
	"ru": {
		// the taxonomy's tags
		"security": "безопасность", "government": "власть", "politics": "политика", "economy": "экономика",
		"society": "общество", "incidents": "происшествия", "conflict": "конфликты", "health": "здоровье",
		"sport": "спорт", "culture": "культура", "technology": "технологии", "travel": "путешествия", "religion": "религия",
		// layout
		"review": "модерация", "Queue": "Очередь", "Audit log": "Журнал", "Webhooks": "Вебхуки", "Log out": "Выйти",
		"moderator": "модератор", "admin": "администратор", "Language": "Язык",
		// titles and messages
		"Review queue": "Очередь модерации", "Log in": "Войти", "Moderators' log in": "Вход для модераторов",
		"Moderator token": "Токен модератора", "Unknown token.": "Неизвестный токен.",
		"Login is not configured on this server (no moderator tokens).": "Вход на этом сервере не настроен (нет токенов модераторов).",
		"This token's role may not work the review queue.":              "Роль этого токена не допускает работу с очередью.",
		"Cross-site login refused.":                                     "Вход с чужого сайта отклонён.",
		"Back to the queue":                                             "Назад к очереди", "No such page.": "Такой страницы нет.", "No such file.": "Такого файла нет.",
		"Bad Request": "Неверный запрос", "Unauthorized": "Нужен вход", "Forbidden": "Доступ запрещён", "Not Found": "Не найдено",
		"Conflict": "Конфликт", "Internal Server Error": "Внутренняя ошибка", "Service Unavailable": "Сервис недоступен",
		// filters
		"Status": "Статус", "Flag": "Флаг", "Kind": "Тип", "Age": "Возраст", "Section": "Рубрика", "Author": "Автор",
		"Filter": "Показать", "Keyboard shortcuts": "Горячие клавиши",
		"open": "открытые", "pending": "ожидает", "claimed": "взято", "escalated": "передано админу",
		"approved": "одобрено", "rejected": "отклонено", "superseded": "заменено",
		"any flag": "любой флаг", "extremist_recruitment": "вербовка в экстремизм", "toxic": "оскорбления",
		"low": "низкая", "medium": "средняя", "high": "высокая",
		"call to act": "призыв к действию", "cause, destination or organization": "цель, направление или организация",
		"rule that fired": "сработало правило", "the model's words (not a rule)": "слова модели (не правило)",
		"any kind": "любой тип", "comments": "комментарии", "articles": "статьи", "comment": "комментарий", "article": "статья",
		"any age": "любой возраст", "older than 1 h": "старше 1 ч", "older than 6 h": "старше 6 ч", "older than 1 day": "старше суток",
		// the list
		"%d selected": "Выбрано: %d", "Approve selected": "Одобрить выбранные", "Reject selected": "Отклонить выбранные",
		"Escalate selected": "Передать выбранные", "select item": "выбрать элемент", "claimed by": "взял(а)",
		"The queue is empty for these filters.": "По этим фильтрам очередь пуста.", "Next page →": "Следующая страница →",
		"just now": "только что", "Waiting by section": "Ждут по рубрикам", "%d waiting, oldest %s": "ждут: %d, дольше всех %s", "no section": "без рубрики", "%d min": "%d мин", "%d h": "%d ч", "%d d": "%d дн",
		// the item
		"Item": "Элемент", "section": "рубрика", "author": "автор", "their items": "его/её материалы", "queued": "в очереди с",
		"URL": "Ссылка", "Evidence": "Доказательства", "history of this item": "история элемента",
		"title": "заголовок", "body": "текст",
		"approve": "одобрено", "reject": "отклонено", "escalate": "передано админу",
		"Note": "Заметка", "Why (optional)": "Почему (необязательно)", "Corrected tags": "Исправленные теги",
		"e.g. security, religion": "напр. security, religion",
		"Approve":                 "Одобрить", "Reject": "Отклонить", "Escalate": "Передать админу",
		"Undo": "Отменить", "Undone": "Отменено", "undo": "отмена решения",
		"campaign": "кампания", "Campaign: %d near-identical comments, %d of them beyond this page": "Кампания: почти одинаковых комментариев %d, из них %d за пределами этой страницы", "Campaign: near-identical comments on this page": "Кампания: почти одинаковые комментарии на этой странице",
		"Select them all": "Выбрать все", "select every open comment of the item's campaign": "выбрать все открытые комментарии кампании",
		"The author's other items": "Другие материалы автора", "None before.": "Раньше не было.",
		"undo your decision (within 10 minutes)": "отменить своё решение (в течение 10 минут)",
		"Nothing selected.":                      "Ничего не выбрано.", "Saving…": "Сохраняю…", "Network error": "Ошибка сети",
		"Failed": "Не удалось", "Held by another moderator.": "Этот элемент взял другой модератор.", "This item is decided.": "По этому элементу уже есть решение.", "Done": "Готово",
		// help
		"next / previous item":                           "следующий / предыдущий элемент",
		"approve (publish: the flag was wrong)":          "одобрить (опубликовать: флаг ошибочен)",
		"reject (keep off the site: the flag was right)": "отклонить (не публиковать: флаг верен)",
		"escalate to an admin":                           "передать администратору",
		"write a note for the next decision":             "написать заметку к следующему решению",
		"select the item for a bulk decision":            "выбрать элемент для общего решения",
		"approve, reject, escalate every selected item":  "одобрить, отклонить, передать все выбранные",
		"filters":                             "фильтры",
		"leave a text field, close this help": "выйти из поля, закрыть эту справку",
		"this help":                           "эта справка",
		// audit
		"Moderator": "Модератор", "When": "Когда", "Who": "Кто", "Action": "Действие", "Document": "Документ",
		"Before": "До", "After": "После", "Nothing logged yet.": "Записей пока нет.", "Older entries →": "Более ранние →",
		"enqueue": "в очередь", "supersede": "заменено", "claim": "взято", "release": "отпущено", "expire": "аренда истекла",
		"tags": "теги",
		// webhooks
		"Dead webhook deliveries": "Недоставленные вебхуки",
		"Decisions the CMS did not accept for 24 hours. Fix the receiver, then send them again: each keeps its idempotency key.": "Решения, которые CMS не принимала 24 часа. Исправьте приёмник и отправьте их снова: ключ идемпотентности сохраняется.",
		"Since": "С", "Decision": "Решение", "Receiver": "Получатель", "Attempts": "Попыток", "Last error": "Последняя ошибка",
		"Redeliver": "Отправить снова", "No dead deliveries.": "Недоставленных нет.",
	},
	"kk": {
		// the taxonomy's tags
		"security": "қауіпсіздік", "government": "билік", "politics": "саясат", "economy": "экономика",
		"society": "қоғам", "incidents": "оқиғалар", "conflict": "қақтығыстар", "health": "денсаулық",
		"sport": "спорт", "culture": "мәдениет", "technology": "технология", "travel": "саяхат", "religion": "дін",
		"review": "модерация", "Queue": "Кезек", "Audit log": "Журнал", "Webhooks": "Вебхуктар", "Log out": "Шығу",
		"moderator": "модератор", "admin": "әкімші", "Language": "Тіл",
		"Review queue": "Модерация кезегі", "Log in": "Кіру", "Moderators' log in": "Модераторлардың кіруі",
		"Moderator token": "Модератор токені", "Unknown token.": "Белгісіз токен.",
		"Login is not configured on this server (no moderator tokens).": "Бұл серверде кіру бапталмаған (модератор токендері жоқ).",
		"This token's role may not work the review queue.":              "Бұл токеннің рөлі кезекпен жұмыс істеуге рұқсат бермейді.",
		"Cross-site login refused.":                                     "Басқа сайттан кіру қабылданбады.",
		"Back to the queue":                                             "Кезекке оралу", "No such page.": "Мұндай бет жоқ.", "No such file.": "Мұндай файл жоқ.",
		"Bad Request": "Қате сұрау", "Unauthorized": "Кіру қажет", "Forbidden": "Рұқсат жоқ", "Not Found": "Табылмады",
		"Conflict": "Қайшылық", "Internal Server Error": "Ішкі қате", "Service Unavailable": "Қызмет қолжетімсіз",
		"Status": "Күйі", "Flag": "Белгі", "Kind": "Түрі", "Age": "Жасы", "Section": "Айдар", "Author": "Автор",
		"Filter": "Көрсету", "Keyboard shortcuts": "Пернелер тіркесімі",
		"open": "ашық", "pending": "күтуде", "claimed": "алынған", "escalated": "әкімшіге берілген",
		"approved": "мақұлданған", "rejected": "қабылданбаған", "superseded": "ауыстырылған",
		"any flag": "кез келген белгі", "extremist_recruitment": "экстремизмге тарту", "toxic": "балағат",
		"low": "төмен", "medium": "орташа", "high": "жоғары",
		"call to act": "әрекетке шақыру", "cause, destination or organization": "мақсат, бағыт немесе ұйым",
		"rule that fired": "іске қосылған ереже", "the model's words (not a rule)": "модель сөздері (ереже емес)",
		"any kind": "кез келген түр", "comments": "пікірлер", "articles": "мақалалар", "comment": "пікір", "article": "мақала",
		"any age": "кез келген", "older than 1 h": "1 сағаттан ескі", "older than 6 h": "6 сағаттан ескі", "older than 1 day": "1 күннен ескі",
		"%d selected": "Таңдалды: %d", "Approve selected": "Таңдалғандарды мақұлдау", "Reject selected": "Таңдалғандарды қабылдамау",
		"Escalate selected": "Таңдалғандарды әкімшіге беру", "select item": "элементті таңдау", "claimed by": "алған",
		"The queue is empty for these filters.": "Бұл сүзгілер бойынша кезек бос.", "Next page →": "Келесі бет →",
		"just now": "қазір ғана", "Waiting by section": "Айдарлар бойынша күтуде", "%d waiting, oldest %s": "күтуде: %d, ең ұзағы %s", "no section": "айдарсыз", "%d min": "%d мин", "%d h": "%d сағ", "%d d": "%d күн",
		"Item": "Элемент", "section": "айдар", "author": "автор", "their items": "оның материалдары", "queued": "кезекте",
		"URL": "Сілтеме", "Evidence": "Дәлелдер", "history of this item": "элемент тарихы",
		"title": "тақырып", "body": "мәтін",
		"approve": "мақұлданды", "reject": "қабылданбады", "escalate": "әкімшіге берілді",
		"Note": "Ескертпе", "Why (optional)": "Неге (міндетті емес)", "Corrected tags": "Түзетілген тегтер",
		"e.g. security, religion": "мыс. security, religion",
		"Approve":                 "Мақұлдау", "Reject": "Қабылдамау", "Escalate": "Әкімшіге беру",
		"Undo": "Болдырмау", "Undone": "Болдырылмады", "undo": "шешімнен бас тарту",
		"campaign": "науқан", "Campaign: %d near-identical comments, %d of them beyond this page": "Науқан: бір-біріне ұқсас %d пікір, оның %d осы беттен тыс", "Campaign: near-identical comments on this page": "Науқан: осы беттегі бір-біріне ұқсас пікірлер",
		"Select them all": "Бәрін таңдау", "select every open comment of the item's campaign": "науқанның барлық ашық пікірлерін таңдау",
		"The author's other items": "Автордың басқа материалдары", "None before.": "Бұрын болмаған.",
		"undo your decision (within 10 minutes)": "шешіміңізді болдырмау (10 минут ішінде)",
		"Nothing selected.":                      "Ештеңе таңдалмады.", "Saving…": "Сақталуда…", "Network error": "Желі қатесі",
		"Failed": "Сәтсіз", "Held by another moderator.": "Мұны басқа модератор алған.", "This item is decided.": "Бұл элемент бойынша шешім бар.", "Done": "Дайын",
		"next / previous item":                           "келесі / алдыңғы элемент",
		"approve (publish: the flag was wrong)":          "мақұлдау (жариялау: белгі қате)",
		"reject (keep off the site: the flag was right)": "қабылдамау (жарияламау: белгі дұрыс)",
		"escalate to an admin":                           "әкімшіге беру",
		"write a note for the next decision":             "келесі шешімге ескертпе жазу",
		"select the item for a bulk decision":            "элементті ортақ шешімге таңдау",
		"approve, reject, escalate every selected item":  "таңдалғандардың бәрін мақұлдау, қабылдамау, әкімшіге беру",
		"filters":                             "сүзгілер",
		"leave a text field, close this help": "өрістен шығу, анықтаманы жабу",
		"this help":                           "осы анықтама",
		"Moderator":                           "Модератор", "When": "Қашан", "Who": "Кім", "Action": "Әрекет", "Document": "Құжат",
		"Before": "Дейін", "After": "Кейін", "Nothing logged yet.": "Әзірге жазба жоқ.", "Older entries →": "Ертеректегілер →",
		"enqueue": "кезекке", "supersede": "ауыстырылды", "claim": "алынды", "release": "босатылды", "expire": "мерзімі өтті",
		"tags":                    "тегтер",
		"Dead webhook deliveries": "Жеткізілмеген вебхуктар",
		"Decisions the CMS did not accept for 24 hours. Fix the receiver, then send them again: each keeps its idempotency key.": "CMS 24 сағат бойы қабылдамаған шешімдер. Қабылдағышты түзетіп, қайта жіберіңіз: әрқайсысы идемпотенттік кілтін сақтайды.",
		"Since": "Бастап", "Decision": "Шешім", "Receiver": "Қабылдағыш", "Attempts": "Әрекеттер", "Last error": "Соңғы қате",
		"Redeliver": "Қайта жіберу", "No dead deliveries.": "Жеткізілмегендер жоқ.",
	},
}

// setLang is the language switch: GET /review/lang/{code} remembers the
// choice in a cookie for a year and goes back to the page it came from.
func (h *Handler) setLang(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	ok := false
	for _, l := range langNames {
		ok = ok || l.Code == code
	}
	if !ok {
		h.renderError(w, r, http.StatusNotFound, "No such page.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: code, Path: "/review/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: h.opts.SecureCookies || r.TLS != nil})
	back := "/review/"
	if ref := r.Header.Get("Referer"); ref != "" && sameOrigin(r) {
		if u, err := parseLocal(ref, r.Host); err == nil && strings.HasPrefix(u, "/review/") && !strings.HasPrefix(u, "/review/lang/") {
			back = u
		}
	}
	securityHeaders(w)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// parseLocal returns the path and query of ref when it is a URL of host.
func parseLocal(ref, host string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	if u.Host != host {
		return "", fmt.Errorf("referer %q: another host", ref)
	}
	return u.RequestURI(), nil
}
