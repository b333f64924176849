// Package testdb gives tests throwaway PostgreSQL databases on the local
// server, skipping when none answers unless VIGIL_TEST_REQUIRE lists
// "postgres". It is for tests only.
package testdb

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/kz-newsroom/vigil/internal/testenv"
)

// AdminURL is the local PostgreSQL the tests create their databases on
// (VIGIL_TEST_POSTGRES_URL overrides it).
func AdminURL() string {
	if u := os.Getenv("VIGIL_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=3"
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// CreatePostgres creates a throwaway database named prefix plus a random
// suffix and returns its URL; it is dropped when tb ends.
func CreatePostgres(tb testing.TB, prefix string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", AdminURL())
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		testenv.Missing(tb, "postgres", fmt.Sprintf("PostgreSQL not reachable at %s (%v)", redact(AdminURL()), err))
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u := AdminURL()
	i := strings.LastIndex(u, "/")
	rest := ""
	if q := strings.Index(u[i:], "?"); q >= 0 {
		rest = u[i+q:]
	}
	return u[:i+1] + name + rest
}
