package review

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// TestPageWaitingBySection: the queue page says, per section, how many
// items wait and how long the oldest has, longest-waiting first, in the
// moderator's language, each a link to that section's open items.
func TestPageWaitingBySection(t *testing.T) {
	c := newClock()
	s := openSQLiteTest(t, Config{Now: c.Now})
	ts := newTestServer(t, s)
	for _, p := range []struct {
		id, section string
		wait        time.Duration
	}{{"w1", "security", 3 * time.Hour}, {"w2", "society", 40 * time.Minute}, {"w3", "security", 2 * time.Hour}, {"w4", "", 30 * time.Minute}} {
		d, v := flagged(p.id, "вступай в джихад "+p.id, vigil.FlagExtremistRecruitment, 0.9)
		d.Section = p.section
		mustPut(t, s, d, v)
		c.Add(p.wait)
	}
	// Queued at 0, 3 h, 3 h 40 min and 5 h 40 min; now is 6 h 10 min.
	b := newBrowser(t, ts)
	if r := b.do("POST", "/review/login", "application/x-www-form-urlencoded", "token=tok-mod1", map[string]string{"Origin": ts.URL}); r.status != http.StatusSeeOther {
		t.Fatalf("login = %d", r.status)
	}
	chip := regexp.MustCompile(`<a href="([^"]*)" class="wait( current)?"><b>([^<]*)</b> <span class="wait-text">([^<]*)</span></a>`)
	for _, tc := range []struct {
		lang, path string
		want       []string
	}{
		{"en", "/review/", []string{
			"/review/?section=security&status=open|security|2 waiting, oldest 6 h",
			"/review/?section=society&status=open|society|1 waiting, oldest 3 h",
			"/review/?status=open|no section|1 waiting, oldest 30 min"}},
		{"ru", "/review/?section=society", []string{
			"/review/?section=security&status=open|security|ждут: 2, дольше всех 6 ч",
			"/review/?section=society&status=open|society current|ждут: 1, дольше всех 3 ч",
			"/review/?status=open|без рубрики|ждут: 1, дольше всех 30 мин"}},
		{"kk", "/review/", []string{
			"/review/?section=security&status=open|security|күтуде: 2, ең ұзағы 6 сағ",
			"/review/?section=society&status=open|society|күтуде: 1, ең ұзағы 3 сағ",
			"/review/?status=open|айдарсыз|күтуде: 1, ең ұзағы 30 мин"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			r := b.do("GET", tc.path, "", "", map[string]string{"Accept-Language": tc.lang})
			if r.status != http.StatusOK {
				t.Fatalf("queue page = %d", r.status)
			}
			var got []string
			for _, m := range chip.FindAllStringSubmatch(string(r.body), -1) {
				name := html.UnescapeString(m[3])
				if m[2] != "" {
					name += " current"
				}
				got = append(got, html.UnescapeString(m[1])+"|"+name+"|"+html.UnescapeString(m[4]))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("waiting by section\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
