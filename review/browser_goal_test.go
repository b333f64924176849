package review

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	vigil "github.com/kz-newsroom/vigil"
)

// kkCampaign are eight near-identical Kazakh recruitment comments (a name,
// an emoji, a handle, punctuation changed).
var kkCampaign = []string{
	"Бауырым, бізге қосыл, Шамға жол ашық, директке жаз @jol_ashyq!",
	"Бауырым бізге қосыл Шамға жол ашық директке жаз @jol_ashyq",
	"Бауырым, бізге қосыл!!! Шамға жол ашық, директке жаз @jol_ashyq2 🙏",
	"Қарындасым, бізге қосыл, Шамға жол ашық, директке жаз @jol_ashyq!",
	"БАУЫРЫМ, БІЗГЕ ҚОСЫЛ, ШАМҒА ЖОЛ АШЫҚ, ДИРЕКТКЕ ЖАЗ @JOL_ASHYQ!",
	"Бауырым, бізге қосыл, Шамға жол ашық, директке жаз @jol_ashyq_kz!",
	"Бауырым, бізге қосыл — Шамға жол ашық, тез директке жаз @jol_ashyq!",
	"бауырым бізге қосыл, Шамға жол ашық, жеке жаз @jol_ashyq!",
}

// goalItem is one of the other twelve items and the decision a moderator
// makes after reading it.
type goalItem struct {
	id, lang, kind, text, flag string
	score                      float64
	key                        string // a, r or e
}

var goalItems = []goalItem{
	{"g-ru-1", "ru", vigil.KindComment, "Брат, джихад — твой долг, собирайся к братьям в Шам, билеты оплатим.", vigil.FlagExtremistRecruitment, 0.97, "r"},
	{"g-ru-2", "ru", vigil.KindComment, "Спасибо за статью про вербовщиков, родителям стоит это прочитать.", vigil.FlagExtremistRecruitment, 0.55, "a"},
	{"g-ru-3", "ru", vigil.KindComment, "Ты тупой идиот, автор, вали отсюда со своей статьёй.", vigil.FlagToxic, 0.91, "r"},
	{"g-ru-4", "ru", vigil.KindArticle, "КНБ задержал вербовщика, который звал молодёжь в Сирию: суд назначил 7 лет.", vigil.FlagExtremistRecruitment, 0.62, "a"},
	{"g-ru-5", "ru", vigil.KindComment, "Хочешь узнать правду о халифате? Напиши мне, объясню, что делать дальше.", vigil.FlagExtremistRecruitment, 0.83, "e"},
	{"g-ru-6", "ru", vigil.KindComment, "Мечеть в нашем районе открыли после ремонта, приходите на пятничный намаз.", vigil.FlagExtremistRecruitment, 0.51, "a"},
	{"g-kk-1", "kk", vigil.KindComment, "Жиһад — парызың, бауырым, кешікпе, Сирияға жол көрсетемін.", vigil.FlagExtremistRecruitment, 0.96, "r"},
	{"g-kk-2", "kk", vigil.KindComment, "Мақала үшін рахмет, ата-аналар балаларының телефонына қарасын.", vigil.FlagExtremistRecruitment, 0.52, "a"},
	{"g-kk-3", "kk", vigil.KindComment, "Сен ақымақсың, автор, бұдан былай жазба.", vigil.FlagToxic, 0.88, "r"},
	{"g-kk-4", "kk", vigil.KindArticle, "Ақтөбеде жастарды Сирияға жалдаған адам 8 жылға сотталды.", vigil.FlagExtremistRecruitment, 0.6, "a"},
	{"g-kk-5", "kk", vigil.KindComment, "Халифат туралы шындықты білгің келсе, маған жеке хабарлас.", vigil.FlagExtremistRecruitment, 0.8, "e"},
	{"g-kk-6", "kk", vigil.KindComment, "Ораза айт мерекесімен бәріңізді құттықтаймын, отбасыңызға амандық.", vigil.FlagToxic, 0.5, "a"},
}

// TestBrowserGoalTwentyItemsInTwentyKeys is the moderators' page's goal: a
// moderator decides 20 mixed items (Russian and Kazakh, articles and
// comments, one campaign of 8 near-duplicates) from the keyboard in at
// most 20 keystrokes beyond reading. The moderator reads the selected item
// and presses one key for it (a, r, e); on a campaign, c then R decides
// all eight; a decision selects the next open item by itself, and only if
// it did not would the moderator need j. Every keystroke is counted; every
// item must end decided as intended, by the moderator, and audited.
func TestBrowserGoalTwentyItemsInTwentyKeys(t *testing.T) {
	ctx, w, s, ts := startPageTest(t)
	want := map[int64]string{} // item → status it must end in
	statusOf := map[string]string{"a": vigil.ReviewApproved, "r": vigil.ReviewRejected, "e": vigil.ReviewEscalated}
	keyOf := map[int64]string{}
	for _, g := range goalItems {
		d, v := flagged(g.id, g.text, g.flag, g.score)
		d.Lang, d.Kind, v.Lang = g.lang, g.kind, g.lang
		id := mustPut(t, s, d, v)
		want[id], keyOf[id] = statusOf[g.key], g.key
	}
	campaign := map[int64]bool{}
	for i, text := range kkCampaign {
		d, v := flagged(fmt.Sprintf("g-camp-%d", i), text, vigil.FlagExtremistRecruitment, 0.9-float64(i)*0.02)
		d.Lang, v.Lang = "kk", "kk"
		id := mustPut(t, s, d, v)
		want[id], campaign[id] = vigil.ReviewRejected, true
	}
	if len(want) != 20 {
		t.Fatalf("%d items, want 20", len(want))
	}
	logIn(t, ctx, ts.URL, "tok-mod1")

	keystrokes := 0
	press := func(k string) {
		t.Helper()
		keystrokes++
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
	}
	type state struct {
		ID             int64
		Done, Campaign bool
		Open, Picked   int
	}
	read := func() state {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[state](`(() => {
			const row = document.querySelector("#queue .item-row.current");
			const rows = Array.from(document.querySelectorAll("#queue .item-row"));
			return {ID: row ? Number(row.dataset.id) : 0, Done: !!row && row.classList.contains("done"),
				Campaign: !!row && !!row.dataset.campaign,
				Open: rows.filter(r => !r.classList.contains("done")).length,
				Picked: document.querySelectorAll("#queue .pick:checked").length};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	// A decision shows when its rows are done: the page marks them and
	// moves on in the same task, so the next read sees where it went.
	settled := func(ids ...int64) {
		t.Helper()
		cond := "true"
		for _, id := range ids {
			cond += fmt.Sprintf(` && document.getElementById("row-%d").classList.contains("done")`, id)
		}
		waitJS(t, ctx, cond)
	}
	for step := 0; step < 40; step++ {
		st := read()
		if st.Open == 0 {
			break
		}
		switch {
		case st.Done:
			press("j") // the page did not move on by itself
		case st.Campaign:
			press("c")
			waitJS(t, ctx, `document.querySelectorAll("#queue .pick:checked").length === 8`)
			press("R")
			var ids []int64
			for id := range campaign {
				ids = append(ids, id)
			}
			settled(append([]int64{st.ID}, ids...)...)
		default:
			k, ok := keyOf[st.ID]
			if !ok {
				t.Fatalf("item %d is a campaign member but the page does not mark it", st.ID)
			}
			press(k)
			settled(st.ID)
		}
	}
	shot(t, ctx, "goal")
	assertInert(t, ctx, w, "after the goal run")
	t.Logf("20 items decided in %d keystrokes", keystrokes)
	if keystrokes > 20 {
		t.Errorf("%d keystrokes to decide 20 items, want at most 20", keystrokes)
	}
	for id, status := range want {
		it, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != status || it.DecidedBy != mod1.Name {
			t.Errorf("item %d (%s): %s by %q, want %s by %s", id, it.DocID, it.Status, it.DecidedBy, status, mod1.Name)
		}
		audit, _, err := s.Audit(context.Background(), AuditFilter{ItemID: id})
		if err != nil {
			t.Fatal(err)
		}
		decisions := []string{vigil.DecisionApprove, vigil.DecisionReject, vigil.DecisionEscalate}
		decided := false
		for _, a := range audit {
			decided = decided || (a.Actor == mod1.Name && a.After != nil && a.After.Status == status && slices.Contains(decisions, a.Action))
		}
		if !decided {
			t.Errorf("item %d (%s): no audited decision in %+v", id, it.DocID, audit)
		}
	}
}
